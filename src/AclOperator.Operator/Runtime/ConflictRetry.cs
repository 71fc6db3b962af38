namespace AclOperator.Operator.Runtime;

/// <summary>client-go's retry.DefaultRetry: up to 5 attempts, about 10 ms apart (10 % jitter).</summary>
internal static class ConflictRetry
{
    public const int DefaultAttempts = 5;

    public static Task PauseAsync(CancellationToken cancellationToken) =>
        Task.Delay(TimeSpan.FromMilliseconds(10 * (1 + (Random.Shared.NextDouble() * 0.1))), cancellationToken);
}
