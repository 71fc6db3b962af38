namespace AclOperator.Product.Tests.Support;

/// <summary>Polls until a condition holds (no timed assertions: the limit only bounds a hung test).</summary>
internal static class Eventually
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    public static async Task<T> ValueAsync<T>(Func<T?> probe, string what)
        where T : class => await ValueAsync(() => Task.FromResult(probe()), what);

    public static async Task<T> ValueAsync<T>(Func<Task<T?>> probe, string what)
        where T : class
    {
        var deadline = DateTime.UtcNow + Limit;
        Exception? last = null;
        while (true)
        {
            try
            {
                if (await probe() is { } value)
                {
                    return value;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                last = e;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting for {what}", last);
            }

            await Task.Delay(50, ProductContext.Ct);
        }
    }

    public static async Task TrueAsync(Func<Task<bool>> probe, string what) =>
        await ValueAsync<object>(async () => await probe() ? new object() : null, what);
}
