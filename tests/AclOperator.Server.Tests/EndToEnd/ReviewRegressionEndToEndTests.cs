using AclOperator.Acl.Tests.Infrastructure;
using Xunit;
using static AclOperator.Server.Tests.EndToEnd.E2E;

namespace AclOperator.Server.Tests.EndToEnd;

/// <summary>Regressions found in review: transactions and pauses must not bypass what top-level commands cannot.</summary>
public sealed class ReviewRegressionEndToEndTests
{
    [Fact]
    public async Task Exec_never_carries_commands_the_front_end_refuses_or_tracks_E2()
    {
        await using var s = await StartAsync(DefaultAcl);
        await using var admin = await s.ConnectAsync();
        await using var other = await s.ConnectAsync();
        await admin.AssertOk("SET", "src", "hello");
        var dump = await admin.CallAsync("DUMP", "src");

        // Another client's channel must not leak through an UNSUBSCRIBE queued in MULTI.
        await other.CallAsync("SUBSCRIBE", "secretchan");

        await admin.AssertOk("MULTI");
        AssertSimple(await admin.CallAsync([System.Text.Encoding.ASCII.GetBytes("RESTORE"), "dst"u8.ToArray(), "0"u8.ToArray(), dump.Bytes!]), "QUEUED");
        AssertSimple(await admin.CallAsync("MIGRATE", "127.0.0.1", "1", "src", "0", "10"), "QUEUED");
        AssertSimple(await admin.CallAsync("UNSUBSCRIBE"), "QUEUED");
        AssertSimple(await admin.CallAsync("GET", "src"), "QUEUED");
        var exec = await admin.CallAsync("EXEC");
        Assert.Equal(4, exec.Items!.Count);
        AssertError(exec.Items[0], "ERR RESTORE is allowed only for users with skip-sanitize-payload on this server: payloads cannot be sanitized before they reach the store");
        AssertError(exec.Items[1], "ERR MIGRATE is disabled on this server (allow-migrate no)");
        Assert.Equal("unsubscribe", exec.Items[2].Items![0].Text);
        Assert.True(exec.Items[2].Items![1].IsNull, "UNSUBSCRIBE without subscriptions names no channel: " + exec.Items[2]);
        AssertBulk(exec.Items[3], "hello");
        AssertInteger(await admin.CallAsync("EXISTS", "dst"), 0);
    }

    [Fact]
    public async Task Subscribe_queued_in_multi_is_tracked_for_acl_kill_checks()
    {
        await using var s = await StartAsync(DefaultAcl + "user sub on >pw ~* &news* +@all\n");
        await using var admin = await s.ConnectAsync();
        await using var sub = await s.ConnectAsAsync("sub", "pw");
        await sub.AssertOk("MULTI");
        AssertSimple(await sub.CallAsync("SUBSCRIBE", "news1"), "QUEUED");
        var exec = await sub.CallAsync("EXEC");
        Assert.Single(exec.Items!);
        var list = (await admin.CallAsync("CLIENT", "LIST")).Text!;
        Assert.Contains("user=sub", list, StringComparison.Ordinal);
        Assert.Contains(" sub=1 ", list.Split('\n').First(l => l.Contains("user=sub", StringComparison.Ordinal)), StringComparison.Ordinal);

        // Revoking the channel closes the subscriber (spec §7.4), which only works if the subscription was seen.
        await admin.AssertOk("ACL", "SETUSER", "sub", "resetchannels", "&other");
        await AssertClosedAsync(sub);
    }

    [Fact]
    public async Task A_paused_command_is_checked_again_when_the_pause_ends()
    {
        await using var s = await StartAsync(DefaultAcl + "user dan on >pw ~* &* +@all\nuser carol on >pw ~* &* +@all\n");
        await using var admin = await s.ConnectAsync();
        await using var dan = await s.ConnectAsAsync("dan", "pw");
        await using var carol = await s.ConnectAsAsync("carol", "pw");
        await admin.AssertOk("CLIENT", "PAUSE", "1500", "WRITE");
        var danSet = dan.CallAsync("SET", "pk", "by-dan");
        var carolSet = carol.CallAsync("SET", "pk2", "by-carol");
        await admin.AssertOk("ACL", "SETUSER", "dan", "-set");
        AssertInteger(await admin.CallAsync("ACL", "DELUSER", "carol"), 1);
        AssertError(await danSet, "NOPERM User dan has no permissions to run the 'set' command");
        await Assert.ThrowsAnyAsync<Exception>(() => carolSet);
        await admin.AssertOk("CLIENT", "UNPAUSE");
        AssertInteger(await admin.CallAsync("EXISTS", "pk", "pk2"), 0);
    }

    [Fact]
    public async Task Deleting_your_own_user_still_answers_the_deluser()
    {
        await using var s = await StartAsync(DefaultAcl + "user self on >pw ~* &* +@all\n");
        for (int i = 0; i < 30; i++)
        {
            await using var admin = await s.ConnectAsync();
            await admin.AssertOk("ACL", "SETUSER", "self", "on", ">pw", "~*", "+@all");
            await using var self = await s.ConnectAsAsync("self", "pw");
            AssertInteger(await self.CallAsync("ACL", "DELUSER", "self"), 1);
            await AssertClosedAsync(self);
        }
    }

    [Fact]
    public async Task Blocked_command_is_denied_when_the_acl_changes_while_it_waits_E5()
    {
        await using var s = await StartAsync(DefaultAcl + "user fay on >pw ~* &* +@all\n");
        await using var admin = await s.ConnectAsync();
        await using var fay = await s.ConnectAsAsync("fay", "pw");
        var blpop = fay.CallAsync("BLPOP", "bk", "5");
        await E2E.WaitUntilAsync(async () => (await admin.CallAsync("CLIENT", "LIST")).Text!.Contains("flags=b", StringComparison.Ordinal));
        await admin.AssertOk("ACL", "SETUSER", "fay", "resetkeys", "~other*");
        AssertError(await blpop, "NOPERM No permissions to access a key");
        AssertInteger(await admin.CallAsync("RPUSH", "bk", "secret"), 1);
        var log = Fields((await admin.CallAsync("ACL", "LOG", "1")).Items![0]);
        AssertBulk(log["reason"], "key");
        AssertBulk(log["object"], "bk");
    }

    [Fact]
    public async Task Blocking_replies_follow_client_reply_and_redis_error_texts()
    {
        await using var s = await StartAsync(DefaultAcl);
        await using var c = await s.ConnectAsync();
        await c.AssertOk("SET", "str", "x");
        AssertError(await c.CallAsync("BLPOP", "str", "0.1"), "WRONGTYPE Operation against a key holding the wrong kind of value");
        // SKIP drops the reply of the next command, the blocking one included: the first reply is PING's.
        await c.SendRawAsync("CLIENT REPLY SKIP\r\nBLPOP nolist 0.1\r\nPING\r\n"u8.ToArray(), TestContext.Current.CancellationToken);
        AssertSimple(await c.ReadReplyAsync(TestContext.Current.CancellationToken), "PONG");
    }

    [Fact]
    public async Task Large_pubsub_messages_are_never_split_by_other_replies()
    {
        await using var s = await StartAsync(DefaultAcl);
        await using var sub = await s.ConnectAsync();
        await using var pub = await s.ConnectAsync();
        var subscribed = await sub.CallAsync("SUBSCRIBE", "big");
        Assert.Equal("subscribe", subscribed.Items![0].Text);
        var payload = new string('m', 20_000);
        var publishing = Task.Run(async () =>
        {
            for (int i = 0; i < 20; i++)
            {
                AssertInteger(await pub.CallAsync("PUBLISH", "big", payload), 1);
            }
        }, TestContext.Current.CancellationToken);
        int pings = 0, messages = 0;
        for (int i = 0; i < 50; i++)
        {
            await sub.SendRawAsync("PING\r\n"u8.ToArray(), TestContext.Current.CancellationToken);
        }

        while (pings < 50 || messages < 20)
        {
            var r = await sub.ReadReplyAsync(TestContext.Current.CancellationToken);
            var kind = r.Items![0].Text;
            if (kind == "pong")
            {
                pings++;
            }
            else
            {
                Assert.Equal("message", kind);
                Assert.Equal(payload, r.Items[2].Text);
                messages++;
            }
        }

        await publishing;
    }
}
