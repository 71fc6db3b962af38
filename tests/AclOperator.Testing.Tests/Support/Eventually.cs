namespace AclOperator.Testing.Tests.Support;

/// <summary>Polls a condition that background controllers (garbage collector, namespace cleanup) make true.</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }
            await Task.Delay(25, TestContext.Current.CancellationToken);
        }
        Assert.Fail("timed out waiting until " + what);
    }
}
