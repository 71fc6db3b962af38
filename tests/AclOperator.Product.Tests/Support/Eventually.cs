namespace AclOperator.Product.Tests.Support;

/// <summary>Polls until a condition holds (no timed assertions: the limit only bounds a hung test).</summary>
internal static class Eventually
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    public static async Task<T> ValueAsync<T>(Func<T?> probe, string what)
        where T : class => await ValueAsync(() => Task.FromResult(probe()), what);

    public static Task<T> ValueAsync<T>(Func<Task<T?>> probe, string what)
        where T : class => ValueAsync(probe, what, Limit, 50);

    /// <summary>Polls every <paramref name="intervalMs"/> until <paramref name="probe"/> has a value; <see cref="TimeoutException"/> after <paramref name="limit"/>.</summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T?>> probe, string what, TimeSpan limit, int intervalMs)
        where T : class
    {
        var deadline = DateTime.UtcNow + limit;
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
                throw new TimeoutException($"timed out after {limit} waiting for {what}", last);
            }

            await Task.Delay(intervalMs, ProductContext.Ct);
        }
    }

    public static async Task TrueAsync(Func<Task<bool>> probe, string what) =>
        await ValueAsync<object>(async () => await probe() ? new object() : null, what);
}
