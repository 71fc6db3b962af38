using AclOperator.Acl.Tests.Infrastructure;
using Xunit;
using static AclOperator.Server.Tests.EndToEnd.E2E;

namespace AclOperator.Server.Tests.EndToEnd;

/// <summary>Pub/sub permissions and subscribed context (E11), and which connections ACL changes close (spec §7.4).</summary>
public sealed class PubSubAndDisconnectEndToEndTests
{
    private const string SubscribedContext =
        "ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context";

    private static void AssertPush(RespReply r, string kind, string channel, long count)
    {
        Assert.True(r.Type is RespReplyType.Array or RespReplyType.Push, $"expected a subscription reply, got {r}");
        Assert.Equal(3, r.Items.Count);
        AssertBulk(r.Items[0], kind);
        AssertBulk(r.Items[1], channel);
        AssertInteger(r.Items[2], count);
    }

    private static async Task AssertSubscribedPingAsync(RespClient c)
    {
        var pong = await c.CallAsync("PING");
        Assert.Equal(RespReplyType.Array, pong.Type);
        AssertBulk(pong.Items[0], "pong");
        AssertBulk(pong.Items[1], "");
    }

    [Fact]
    public async Task Subscribe_Publish_AllowedAndDenied_SubscribedContext()
    {
        await using var s = await StartAsync(DefaultAcl + "user sub on >pw ~* &news* +@pubsub +get +ping\n");
        await using var sub = await s.ConnectAsAsync("sub", "pw");
        await using var pub = await s.ConnectAsAsync("sub", "pw");

        await sub.AssertErr(NoPermChannel, "SUBSCRIBE", "sports");
        await sub.AssertErr(NoPermChannel, "SUBSCRIBE", "news.1", "sports");
        AssertPush(await sub.CallAsync("SUBSCRIBE", "news.1"), "subscribe", "news.1", 1);

        // RESP2 subscribed context: GET refused with Redis's text; PING gives ["pong", ""].
        await sub.AssertErr(SubscribedContext, "GET", "k");
        await AssertSubscribedPingAsync(sub);
        var pongArg = await sub.CallAsync("PING", "hello");
        AssertBulk(pongArg.Items[0], "pong");
        AssertBulk(pongArg.Items[1], "hello");

        AssertInteger(await pub.CallAsync("PUBLISH", "news.1", "hi"), 1);
        await pub.AssertErr(NoPermChannel, "PUBLISH", "sports", "hi");
        var msg = await sub.ReadReplyAsync(Ct);
        Assert.Equal(["message", "news.1", "hi"], msg.Items.Select(i => i.Text));

        // PSUBSCRIBE: the pattern must equal an ACL channel pattern literally.
        await sub.AssertErr(NoPermChannel, "PSUBSCRIBE", "news.1*");
        AssertPush(await sub.CallAsync("PSUBSCRIBE", "news*"), "psubscribe", "news*", 2);
        AssertInteger(await pub.CallAsync("PUBLISH", "news.2", "p"), 1);
        var pmsg = await sub.ReadReplyAsync(Ct);
        Assert.Equal(["pmessage", "news*", "news.2", "p"], pmsg.Items.Select(i => i.Text));

        // UNSUBSCRIBE is never checked.
        AssertPush(await sub.CallAsync("UNSUBSCRIBE", "sports"), "unsubscribe", "sports", 2);

        await using var admin = await s.ConnectAsync();
        Assert.Equal(4, Info((await admin.CallAsync("INFO", "stats")).GetString(), "acl_access_denied_channel"));
    }

    [Fact]
    public async Task Resp3_SubscribeConfirmationsArePushes_AndCommandsStillRun()
    {
        await using var s = await StartAsync();
        await using var c = await s.ConnectAsync();
        await c.CallAsync("HELLO", "3");
        var r = await c.CallAsync("SUBSCRIBE", "ch");
        Assert.Equal(RespReplyType.Push, r.Type);
        AssertPush(r, "subscribe", "ch", 1);
        Assert.Equal(RespReplyType.Null, (await c.CallAsync("GET", "nokey")).Type);
        AssertSimple(await c.CallAsync("PING"), "PONG");
        var p = await c.CallAsync("PSUBSCRIBE", "p*");
        Assert.Equal(RespReplyType.Push, p.Type);
        AssertPush(p, "psubscribe", "p*", 2);
    }

    [Fact]
    public async Task UnsubscribeAll_DoesNotSeeOrTouchOtherClientsChannels()
    {
        await using var s = await StartAsync();
        await using var a = await s.ConnectAsync();
        await using var b = await s.ConnectAsync();
        await using var pub = await s.ConnectAsync();
        AssertPush(await a.CallAsync("SUBSCRIBE", "secret-a"), "subscribe", "secret-a", 1);
        AssertPush(await b.CallAsync("PSUBSCRIBE", "p*"), "psubscribe", "p*", 1);

        // b has no channel subscriptions: Redis replies [unsubscribe, nil, 1] (1 = b's pattern).
        var r = await b.CallAsync("UNSUBSCRIBE");
        Assert.Equal(3, r.Items.Count);
        AssertBulk(r.Items[0], "unsubscribe");
        Assert.True(r.Items[1].IsNull, $"b must not see a's channel: {r}");
        AssertInteger(r.Items[2], 1);

        // a is still subscribed.
        AssertInteger(await pub.CallAsync("PUBLISH", "secret-a", "m"), 1);
        Assert.Equal(["message", "secret-a", "m"], (await a.ReadReplyAsync(Ct)).Items.Select(i => i.Text));
    }

    [Fact]
    public async Task DelUser_ClosesAllItsConnections_IncludingCallerAfterReply()
    {
        await using var s = await StartAsync(DefaultAcl + "user u on >pw +@all ~*\nuser other on >pw +@all\n");
        await using var caller = await s.ConnectAsAsync("u", "pw");
        await using var second = await s.ConnectAsAsync("u", "pw");
        await using var other = await s.ConnectAsAsync("other", "pw");
        await using var admin = await s.ConnectAsync();

        AssertInteger(await caller.CallAsync("ACL", "DELUSER", "u"), 1);
        await AssertClosedAsync(caller);
        await AssertClosedAsync(second);
        await AssertOpenAsync(other);
        await AssertOpenAsync(admin);
    }

    [Fact]
    public async Task SetUser_RevokingSubscribedChannel_ClosesOnlyThatSubscriber()
    {
        await using var s = await StartAsync(DefaultAcl + "user u on >pw +@all ~* resetchannels &a &b\n");
        await using var subA = await s.ConnectAsAsync("u", "pw");
        await using var subB = await s.ConnectAsAsync("u", "pw");
        await using var plain = await s.ConnectAsAsync("u", "pw");
        await using var admin = await s.ConnectAsync();
        AssertPush(await subA.CallAsync("SUBSCRIBE", "a"), "subscribe", "a", 1);
        AssertPush(await subB.CallAsync("SUBSCRIBE", "b"), "subscribe", "b", 1);

        await admin.AssertOk("ACL", "SETUSER", "u", "resetchannels", "&b");
        await AssertClosedAsync(subA);
        await AssertSubscribedPingAsync(subB);
        await AssertOpenAsync(plain);
        await plain.AssertErr(NoPermChannel, "PUBLISH", "a", "x");
    }

    [Fact]
    public async Task SetUser_ChangingPasswordOrOff_ClosesNothing()
    {
        await using var s = await StartAsync(DefaultAcl + "user u on >pw +@all ~* &*\n");
        await using var c = await s.ConnectAsAsync("u", "pw");
        await using var sub = await s.ConnectAsAsync("u", "pw");
        AssertPush(await sub.CallAsync("SUBSCRIBE", "x"), "subscribe", "x", 1);
        await using var admin = await s.ConnectAsync();
        await admin.AssertOk("ACL", "SETUSER", "u", "resetpass", ">newpw", "-get");
        await admin.AssertOk("ACL", "SETUSER", "u", "off");
        await AssertOpenAsync(c);
        await c.AssertErr("NOPERM User u has no permissions to run the 'get' command", "GET", "k");
        await AssertSubscribedPingAsync(sub);

        // A new AUTH as the disabled user fails.
        await using var fresh = await s.ConnectAsync();
        await fresh.AssertErr(WrongPass, "AUTH", "u", "newpw");
    }

    [Fact]
    public async Task AclLoad_RemovingUser_ClosesItsConnections_OthersRebound()
    {
        await using var s = await StartAsync(DefaultAcl + "user gone on >pw +@all ~*\nuser stays on >pw +@all ~*\n");
        await using var gone = await s.ConnectAsAsync("gone", "pw");
        await using var stays = await s.ConnectAsAsync("stays", "pw");
        await using var admin = await s.ConnectAsync();
        await File.WriteAllTextAsync(Path.Combine(s.Directory, "users.acl"), DefaultAcl + "user stays on >pw +ping\n", Ct);
        await admin.AssertOk("ACL", "LOAD");
        await AssertClosedAsync(gone);
        await AssertOpenAsync(stays);
        await stays.AssertErr("NOPERM User stays has no permissions to run the 'get' command", "GET", "k");
        await AssertOpenAsync(admin);
    }
}
