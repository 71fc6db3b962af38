namespace AclOperator.Operator.Tests.Snapshots;

/// <summary>Runs <see cref="Before"/> once, before the first request matching <see cref="Match"/> is sent (to interleave another writer deterministically).</summary>
internal sealed class InterceptingHandler : DelegatingHandler
{
    private int _fired;

    public required Func<HttpRequestMessage, bool> Match { get; init; }

    public required Func<Task> Before { get; init; }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (Match(request) && Interlocked.Exchange(ref _fired, 1) == 0)
        {
            await Before();
        }

        return await base.SendAsync(request, cancellationToken);
    }
}
