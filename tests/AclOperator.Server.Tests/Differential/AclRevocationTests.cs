using AclOperator.Acl.Tests.Infrastructure;
using Xunit;

namespace AclOperator.Server.Tests.Differential;

/// <summary>
/// E5: live connections see ACL changes on their next command — including queued (MULTI) and subscribed clients —
/// and stay consistent with the order of the changes under 100 reloads with load running.
/// </summary>
public sealed class AclRevocationTests(DifferentialFixture fixture) : IClassFixture<DifferentialFixture>
{
    private const string Password = "e5-password";

    private static string GetDenied(string user) => $"NOPERM User {user} has no permissions to run the 'get' command";

    private static async Task<RespClient> AuthenticatedAsync(Func<Task<RespClient>> connect, string user)
    {
        RespClient c = await connect();
        (await c.CallAsync("AUTH", user, Password)).ThrowIfError();
        return c;
    }

    private static bool IsAllowedGet(RespReply r) => r.Type is RespReplyType.BulkString or RespReplyType.NullBulkString;

    [Fact]
    public async Task RevokedGet_NextPipelinedGetGetsNoperm()
    {
        const string user = "e5-next";
        await using RespClient admin = await fixture.Ours.ConnectAsync();
        (await admin.CallAsync("ACL", "SETUSER", user, "reset", "on", ">" + Password, "~*", "+@all")).ThrowIfError();
        await using RespClient a = await AuthenticatedAsync(fixture.Ours.ConnectAsync, user);
        Assert.Equal(RespReplyType.NullBulkString, (await a.CallAsync("GET", "e5:k")).Type);

        Assert.Equal("OK", (await admin.CallAsync("ACL", "SETUSER", user, "-get")).Text);
        IReadOnlyList<RespReply> replies = await a.PipelineAsync([["GET", "e5:k"], ["SET", "e5:k", "v"], ["GET", "e5:k"]], TestContext.Current.CancellationToken);
        Assert.Equal(RespReplyType.Error, replies[0].Type);
        Assert.Equal(GetDenied(user), replies[0].Text);
        Assert.Equal("OK", replies[1].Text);
        Assert.Equal(GetDenied(user), replies[2].Text);

        Assert.Equal("OK", (await admin.CallAsync("ACL", "SETUSER", user, "+get")).Text);
        Assert.Equal("v", (await a.CallAsync("GET", "e5:k")).Text);
    }

    /// <summary>
    /// B toggles <c>-get</c>/<c>+get</c> 100 times while A pipelines GETs. State j (after j toggles) allows GET iff j
    /// is even. For every batch A reads B's completed-toggle count before sending (lo: state ≥ lo) and B's started
    /// count after receiving (hi: state ≤ hi); A's commands run in order and the ACL epoch only grows, so the states
    /// behind A's replies must be assignable non-decreasingly within [lo, hi] with the right parity.
    /// </summary>
    [Fact]
    public async Task HundredToggles_UnderLoad_EveryReplyConsistentWithTheOrderOfChanges()
    {
        const string user = "e5-toggle";
        const int toggles = 100;
        await using RespClient admin = await fixture.Ours.ConnectAsync();
        (await admin.CallAsync("ACL", "SETUSER", user, "reset", "on", ">" + Password, "~*", "+@all")).ThrowIfError();
        await using RespClient a = await AuthenticatedAsync(fixture.Ours.ConnectAsync, user);
        (await a.CallAsync("SET", "e5:t", "value")).ThrowIfError();

        int started = 0;
        int done = 0;
        bool finished = false;
        var toggler = Task.Run(async () =>
        {
            for (int i = 1; i <= toggles; i++)
            {
                Volatile.Write(ref started, i);
                RespReply ok = await admin.CallAsync("ACL", "SETUSER", user, i % 2 == 1 ? "-get" : "+get");
                Assert.Equal("OK", ok.Text);
                Volatile.Write(ref done, i);
            }

            Volatile.Write(ref finished, true);
        }, TestContext.Current.CancellationToken);

        string[][] batch = [.. Enumerable.Repeat(new[] { "GET", "e5:t" }, 8)];
        int state = 0;
        int allowed = 0;
        int denied = 0;
        int batches = 0;
        while (!Volatile.Read(ref finished) || batches == 0)
        {
            int lo = Volatile.Read(ref done);
            IReadOnlyList<RespReply> replies = await a.PipelineAsync(batch, TestContext.Current.CancellationToken);
            int hi = Volatile.Read(ref started);
            batches++;
            foreach (RespReply r in replies)
            {
                bool ok = IsAllowedGet(r);
                if (ok)
                {
                    Assert.Equal("value", r.Text);
                    allowed++;
                }
                else
                {
                    Assert.Equal(GetDenied(user), r.Text);
                    denied++;
                }

                int j = Math.Max(state, lo);
                if ((j % 2 == 0) != ok)
                {
                    j++;
                }

                Assert.True(j <= hi, $"batch {batches}: reply {(ok ? "allowed" : "denied")} is inconsistent with ACL states [{lo}, {hi}] after state {state}");
                state = j;
            }
        }

        await toggler;
        TestContext.Current.TestOutputHelper?.WriteLine($"{batches} batches: {allowed} allowed, {denied} denied GETs across {toggles} toggles");

        // After the last toggle (+get) GET is allowed; the next revoke is seen by the very next command.
        Assert.Equal("value", (await a.CallAsync("GET", "e5:t")).Text);
        (await admin.CallAsync("ACL", "SETUSER", user, "-get")).ThrowIfError();
        Assert.Equal(GetDenied(user), (await a.CallAsync("GET", "e5:t")).Text);
    }

    /// <summary>A queued GET whose permission is revoked before EXEC: Redis's EXEC-time NOPERM in the EXEC array,
    /// compared with real Redis.</summary>
    [Fact]
    public async Task QueuedCommand_RevokedBeforeExec_SameAsRedis()
    {
        fixture.RequireRedis();
        string ours = await QueuedRevocationAsync(fixture.Ours.ConnectAsync);
        string redis = await QueuedRevocationAsync(() => fixture.Redis.ConnectAsync(TestContext.Current.CancellationToken));
        // Redis 7.0's top-level NOPERM text lacks the user name (added in 7.2).
        redis = redis.Replace("NOPERM this user has no permissions to run the 'get' command", "NOPERM User e5-queued has no permissions to run the 'get' command", StringComparison.Ordinal);
        Assert.Equal(redis, ours);
        Assert.Contains("NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: no permission to execute the command or subcommand", ours, StringComparison.Ordinal);
    }

    private static async Task<string> QueuedRevocationAsync(Func<Task<RespClient>> connect)
    {
        const string user = "e5-queued";
        await using RespClient admin = await connect();
        (await admin.CallAsync("ACL", "SETUSER", user, "reset", "on", ">" + Password, "~*", "+@all")).ThrowIfError();
        await using RespClient a = await AuthenticatedAsync(connect, user);
        var replies = new List<RespReply>(await a.PipelineAsync([["SET", "e5:q", "1"], ["MULTI"], ["GET", "e5:q"], ["INCR", "e5:q"], ["GET", "e5:q"]], TestContext.Current.CancellationToken));
        (await admin.CallAsync("ACL", "SETUSER", user, "-get")).ThrowIfError();
        replies.Add(await a.CallAsync("EXEC"));
        replies.Add(await a.CallAsync("GET", "e5:q"));
        return string.Join("\n", replies.Select(r => r.ToString()));
    }

    /// <summary>A subscriber whose channel permission is revoked is disconnected (spec §7.4), on both servers.</summary>
    [Fact]
    public async Task Subscriber_ChannelRevoked_IsDisconnected_SameAsRedis()
    {
        fixture.RequireRedis();
        foreach (var connect in new Func<Task<RespClient>>[] { fixture.Ours.ConnectAsync, () => fixture.Redis.ConnectAsync(TestContext.Current.CancellationToken) })
        {
            const string user = "e5-sub";
            await using RespClient admin = await connect();
            (await admin.CallAsync("ACL", "SETUSER", user, "reset", "on", ">" + Password, "~*", "+@all", "&e5:*")).ThrowIfError();
            await using RespClient a = await AuthenticatedAsync(connect, user);
            a.Timeout = TimeSpan.FromSeconds(10);
            RespReply sub = await a.CallAsync("SUBSCRIBE", "e5:ch");
            Assert.Equal("subscribe", sub.Items[0].GetString());
            (await admin.CallAsync("ACL", "SETUSER", user, "resetchannels", "&other:*")).ThrowIfError();
            try
            {
                RespReply r = await a.CallAsync("PING");
                Assert.Fail("the subscriber is still connected after its channel was revoked: " + r);
            }
            catch (Exception e) when (e is EndOfStreamException or IOException or System.Net.Sockets.SocketException)
            {
                // Disconnected, as Redis does.
            }
        }
    }
}
