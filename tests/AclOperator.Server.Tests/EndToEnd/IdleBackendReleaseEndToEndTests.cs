using AclOperator.Acl.Tests.Infrastructure;
using Xunit;
using static AclOperator.Server.Tests.EndToEnd.E2E;

namespace AclOperator.Server.Tests.EndToEnd;

/// <summary>
/// E14: an idle connection's backend session is released and re-created on its next command with the same protocol
/// and database; connections whose session holds state (MULTI, WATCH, subscriptions) keep it.
/// </summary>
public sealed class IdleBackendReleaseEndToEndTests
{
    [Fact]
    public async Task Released_sessions_come_back_with_the_same_protocol_and_database()
    {
        await using var s = await StartAsync(DefaultAcl);
        await using var c = await s.ConnectAsync();
        await using var other = await s.ConnectAsync();
        await c.CallAsync("HELLO", "3");
        await c.AssertOk("SELECT", "2");
        AssertInteger(await c.CallAsync("HSET", "h", "f", "v"), 1);
        AssertInteger(await other.CallAsync("EXISTS", "h"), 0);

        Assert.Equal(2, s.ReleaseIdleBackends());

        var all = await c.CallAsync("HGETALL", "h");
        Assert.Equal(RespReplyType.Map, all.Type);
        AssertInteger(await c.CallAsync("EXISTS", "h"), 1);
        AssertInteger(await other.CallAsync("EXISTS", "h"), 0);
    }

    [Fact]
    public async Task Sessions_with_state_are_kept()
    {
        await using var s = await StartAsync(DefaultAcl);
        await using var watching = await s.ConnectAsync();
        await using var subscribed = await s.ConnectAsync();
        await using var writer = await s.ConnectAsync();
        await watching.AssertOk("WATCH", "w");
        await subscribed.CallAsync("SUBSCRIBE", "ch");
        await writer.AssertOk("SET", "x", "1");

        Assert.Equal(1, s.ReleaseIdleBackends());

        // WATCH still aborts the transaction after another client's write.
        await writer.AssertOk("SET", "w", "changed");
        await watching.AssertOk("MULTI");
        AssertSimple(await watching.CallAsync("GET", "w"), "QUEUED");
        Assert.True((await watching.CallAsync("EXEC")).IsNull);

        // The subscriber still gets messages.
        AssertInteger(await writer.CallAsync("PUBLISH", "ch", "m"), 1);
        var message = await subscribed.ReadReplyAsync(TestContext.Current.CancellationToken);
        Assert.Equal("m", message.Items![2].Text);
    }
}
