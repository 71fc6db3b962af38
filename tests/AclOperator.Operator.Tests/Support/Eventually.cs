namespace AclOperator.Operator.Tests.Support;

/// <summary>Polls a condition with a deadline (no sleeps where polling works, no timed assertions: the deadline only bounds a hang).</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        await TrueAsync(() => Task.FromResult(condition()), what, timeout);
    }

    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
        Assert.Fail("timed out waiting until " + what);
    }
}
