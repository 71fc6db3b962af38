using System.Globalization;
using System.Net;
using System.Net.Sockets;
using AclOperator.Acl.Tests.Infrastructure;
using AclOperator.Server.Backend.Upstream;
using AclOperator.Server.Hosting;
using AclOperator.Server.Tests.EndToEnd;
using AclOperator.Server.Tests.Infrastructure;
using Xunit;

namespace AclOperator.Server.Tests.Upstream;

/// <summary>
/// The upstream backend (E13, E18) against Debian's real redis-server on a free loopback port: authentication,
/// commands Garnet lacks, a backend killed and restarted mid-session, refused cluster/Sentinel upstreams, TLS.
/// </summary>
public sealed class UpstreamBackendTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<RedisServerFixture> StartRedisAsync(RedisServerFixture? fixture = null)
    {
        fixture ??= new RedisServerFixture();
        await fixture.InitializeAsync();
        Assert.SkipUnless(fixture.IsAvailable, fixture.SkipReason ?? "redis-server unavailable");
        return fixture;
    }

    private static Task<InProcessServer> StartOursAsync(RedisServerFixture redis, string[]? extra = null, IReadOnlyDictionary<string, string>? files = null) =>
        InProcessServer.StartAsync(["--upstream", $"127.0.0.1:{redis.Port}", .. extra ?? []], files);

    [Fact]
    public async Task Authenticates_as_the_configured_upstream_user_and_forwards()
    {
        await using var redis = await StartRedisAsync();
        await using (var admin = await redis.ConnectAsync(Ct))
        {
            Assert.Equal("OK", (await admin.CallAsync("ACL", "SETUSER", "aclop", "on", ">upstream-pw", "~*", "&*", "+@all")).Text);
            Assert.Equal("OK", (await admin.CallAsync("ACL", "SETUSER", "default", "off")).Text);
        }

        await using var ours = await StartOursAsync(redis, ["--upstream-user", "aclop", "--upstream-password-file", "upstream.pw"], new Dictionary<string, string> { ["upstream.pw"] = "upstream-pw\n" });
        await using var c = await ours.ConnectAsync();
        Assert.Equal("OK", (await c.CallAsync("SET", "k", "v")).Text);
        Assert.Equal("v", (await c.CallAsync("GET", "k")).Text);

        // The upstream sees our session as its user "aclop"; the client never learns the upstream's address.
        await using var viaRedis = await redis.ConnectAsync(Ct);
        Assert.Equal("OK", (await viaRedis.CallAsync("AUTH", "aclop", "upstream-pw")).Text);
        string clients = (await viaRedis.CallAsync("CLIENT", "LIST")).GetString();
        Assert.Contains(" user=aclop ", clients, StringComparison.Ordinal);
        string info = (await c.CallAsync("INFO")).GetString();
        Assert.DoesNotContain(redis.Port.ToString(CultureInfo.InvariantCulture), info, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_upstream_password_fails_start_up_without_printing_it()
    {
        await using var redis = await StartRedisAsync();
        await using (var admin = await redis.ConnectAsync(Ct))
        {
            await admin.CallAsync("ACL", "SETUSER", "aclop", "on", ">right-pw", "+@all", "~*");
        }

        var e = await Assert.ThrowsAsync<StartupException>(() => StartOursAsync(redis, ["--upstream-user", "aclop", "--upstream-password-file", "pw"], new Dictionary<string, string> { ["pw"] = "wrong-pw" }));
        Assert.Equal($"Can't use the upstream server at 127.0.0.1:{redis.Port}: authentication failed: WRONGPASS invalid username-password pair or user is disabled.", e.Message);
        Assert.DoesNotContain("wrong-pw", e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Commands_the_embedded_store_lacks_work_through_the_upstream_and_acl_still_applies()
    {
        await using var redis = await StartRedisAsync();
        await using var ours = await StartOursAsync(redis);
        await using var c = await ours.ConnectAsync();
        Assert.Equal("OK", (await c.CallAsync("ACL", "SETUSER", "app", "on", ">pw", "~app:*", "+@all")).Text);
        Assert.Equal("OK", (await c.CallAsync("AUTH", "app", "pw")).Text);
        Assert.Matches("^[0-9]+-[0-9]+$", (await c.CallAsync("XADD", "app:s", "*", "f", "v")).Text!);
        Assert.Equal(1, (await c.CallAsync("XLEN", "app:s")).Integer);
        Assert.Equal(1, (await c.CallAsync("COPY", "app:s", "app:t")).Integer);
        await c.CallAsync("RPUSH", "app:l", "3", "1", "2");
        Assert.Equal(["1", "2", "3"], (await c.CallAsync("SORT", "app:l")).GetStrings());
        Assert.Equal("NOPERM No permissions to access a key", (await c.CallAsync("COPY", "app:s", "other")).Text);
        Assert.Equal("NOPERM No permissions to access a key", (await c.CallAsync("XADD", "other", "*", "f", "v")).Text);
    }

    [Fact]
    public async Task Pipelines_keep_reply_order_across_local_and_forwarded_commands_and_pubsub()
    {
        await using var redis = await StartRedisAsync();
        await using var ours = await StartOursAsync(redis);
        await using var sub = await ours.ConnectAsync();
        await using var pub = await ours.ConnectAsync();
        var replies = await sub.PipelineAsync([["SET", "p", "1"], ["ECHO", "x"], ["INCR", "p"], ["ACL", "WHOAMI"], ["GET", "p"]], Ct);
        Assert.Equal(["OK", "x", "2", "default", "2"], replies.Select(r => r.Type == RespReplyType.Integer ? r.Integer.ToString(CultureInfo.InvariantCulture) : r.Text ?? "(nil)").ToArray());

        var confirm = await sub.PipelineAsync([["SUBSCRIBE", "a", "b"], ["PSUBSCRIBE", "c*"]], Ct);
        Assert.Equal(["subscribe", "b", "2"], Render(confirm[1]));
        Assert.Equal(["psubscribe", "c*", "3"], Render(await sub.ReadReplyAsync(Ct)));
        Assert.Equal(1, (await pub.CallAsync("PUBLISH", "a", "hello")).Integer);
        Assert.Equal(["message", "a", "hello"], Render(await sub.ReadReplyAsync(Ct)));
        Assert.Equal(1, (await pub.CallAsync("PUBLISH", "cat", "meow")).Integer);
        Assert.Equal(["pmessage", "c*", "cat", "meow"], Render(await sub.ReadReplyAsync(Ct)));

        // UNSUBSCRIBE without channels answers once per channel; the pattern stays.
        var un = await sub.PipelineAsync([["UNSUBSCRIBE"]], Ct);
        var second = await sub.ReadReplyAsync(Ct);
        Assert.Equal(new[] { "unsubscribe", "unsubscribe" }, new[] { Render(un[0])[0], Render(second)[0] });
        Assert.Equal("1", Render(second)[2]);
        Assert.Equal(["punsubscribe", "c*", "0"], Render(await sub.CallAsync("PUNSUBSCRIBE")));
        Assert.Equal("PONG", (await sub.CallAsync("PING")).Text);
    }

    private static byte[] Encode(params string[] argv) =>
        Protocol.ProtocolTestUtil.EncodeMultibulk(Array.ConvertAll(argv, System.Text.Encoding.ASCII.GetBytes));

    private static string[] Render(RespReply r) =>
        r.Items.Select(i => i.Type == RespReplyType.Integer ? i.Integer.ToString(CultureInfo.InvariantCulture) : i.Text ?? "(nil)").ToArray();

    [Fact]
    public async Task A_lost_upstream_errors_in_flight_commands_closes_those_clients_and_new_clients_recover_after_restart()
    {
        await using var redis = await StartRedisAsync();
        await using var ours = await StartOursAsync(redis);
        await using var blocked = await ours.ConnectAsync();
        await using var idleWithState = await ours.ConnectAsync();
        Assert.Equal("OK", (await idleWithState.CallAsync("SELECT", "3")).Text);
        Assert.Equal("OK", (await idleWithState.CallAsync("SET", "k", "in-db-3")).Text);
        await blocked.SendRawAsync(Encode("BLPOP", "q", "0"), Ct);
        await E2E.WaitUntilAsync(async () => (await idleWithState.CallAsync("CLIENT", "LIST")).GetString().Contains("cmd=blpop", StringComparison.Ordinal));

        redis.Kill();

        // The blocked command gets an error for its reply, then the connection closes (E13: never reconnected under it).
        var reply = await blocked.ReadReplyAsync(Ct);
        Assert.True(reply.IsError);
        Assert.StartsWith("ERR upstream connection lost: ", reply.Text, StringComparison.Ordinal);
        await E2E.AssertClosedAsync(blocked);
        await E2E.AssertClosedAsync(idleWithState);

        // A new client gets a clear error while the upstream is down, and keeps its connection.
        await using var fresh = await ours.ConnectAsync();
        var down = await fresh.CallAsync("GET", "k");
        Assert.StartsWith("ERR upstream server unavailable: ", down.Text, StringComparison.Ordinal);
        Assert.False(ours.Context.Backend.IsHealthy);

        await redis.RestartAsync();
        await E2E.WaitUntilAsync(() => Task.FromResult(ours.Context.Backend.IsHealthy));
        Assert.Equal("PONG", (await fresh.CallAsync("PING")).Text);
        Assert.True((await fresh.CallAsync("GET", "k")).IsNull, "the restarted upstream is empty and db 0 was never db 3");
        Assert.Equal("OK", (await fresh.CallAsync("SET", "k", "again")).Text);
    }

    [Fact]
    public async Task Client_unblock_and_kill_reach_a_command_blocked_on_the_upstream()
    {
        await using var redis = await StartRedisAsync();
        await using var ours = await StartOursAsync(redis);
        await using var control = await ours.ConnectAsync();
        await using var blocked = await ours.ConnectAsync();
        long id = (await blocked.CallAsync("CLIENT", "ID")).Integer;
        await blocked.SendRawAsync(Encode("BLPOP", "never", "0"), Ct);
        await E2E.WaitUntilAsync(async () => (await control.CallAsync("CLIENT", "LIST")).GetString().Contains("cmd=blpop", StringComparison.Ordinal));
        Assert.Equal(1, (await control.CallAsync("CLIENT", "UNBLOCK", id.ToString(CultureInfo.InvariantCulture), "ERROR")).Integer);
        Assert.Equal("UNBLOCKED client unblocked via CLIENT UNBLOCK", (await blocked.ReadReplyAsync(Ct)).Text);
        Assert.Equal("PONG", (await blocked.CallAsync("PING")).Text);

        await blocked.SendRawAsync(Encode("BRPOP", "never", "0"), Ct);
        await E2E.WaitUntilAsync(async () => (await control.CallAsync("CLIENT", "LIST")).GetString().Contains("cmd=brpop", StringComparison.Ordinal));
        Assert.Equal(1, (await control.CallAsync("CLIENT", "KILL", "ID", id.ToString(CultureInfo.InvariantCulture))).Integer);
        await E2E.AssertClosedAsync(blocked);
    }

    [Fact]
    public async Task Client_kill_right_after_a_blocking_command_was_accepted_still_closes_the_connection()
    {
        // The kill races the command on its way to the upstream (a session being opened, a request in flight): the
        // first CLIENT UNBLOCK finds nothing blocked there, so the close must keep waking it until it returns.
        await using var redis = await StartRedisAsync();
        await using var ours = await StartOursAsync(redis);
        await using var control = await ours.ConnectAsync();
        for (int i = 0; i < 10; i++)
        {
            await using var blocked = await ours.ConnectAsync();
            long id = (await blocked.CallAsync("CLIENT", "ID")).Integer;
            await blocked.SendRawAsync(Encode("BRPOP", "never", "0"), Ct);
            await E2E.WaitUntilAsync(async () => (await control.CallAsync("CLIENT", "LIST", "ID", id.ToString(CultureInfo.InvariantCulture))).GetString().Contains("cmd=brpop", StringComparison.Ordinal));
            Assert.Equal(1, (await control.CallAsync("CLIENT", "KILL", "ID", id.ToString(CultureInfo.InvariantCulture))).Integer);
            await E2E.AssertClosedAsync(blocked, TimeSpan.FromSeconds(5));
        }

        await using var after = await ours.ConnectAsync();
        Assert.Equal("PONG", (await after.CallAsync("PING")).Text);
    }

    [Fact]
    public async Task A_cluster_mode_upstream_is_refused_at_start()
    {
        await using var redis = await StartRedisAsync(new ClusterRedisFixture());
        var e = await Assert.ThrowsAsync<StartupException>(() => StartOursAsync(redis));
        Assert.Equal($"The upstream server at 127.0.0.1:{redis.Port} runs in cluster mode: only a standalone server can be fronted (cluster redirects and Sentinel would let clients go around the ACL)", e.Message);
    }

    [Fact]
    public async Task The_upstream_can_be_reached_over_tls_verified_against_a_ca_file()
    {
        var certs = TestCertificates.Write();
        await using var redis = await StartRedisAsync(new TlsRedisFixture(certs.Directory));
        var tlsPort = ((TlsRedisFixture)redis).TlsPort;
        await using var ours = await InProcessServer.StartAsync(
            ["--upstream", $"127.0.0.1:{tlsPort}", "--upstream-tls", "yes", "--upstream-tls-ca-file", Path.Combine(certs.Directory, "ca.crt"), "--upstream-tls-server-name", "localhost"]);
        await using var c = await ours.ConnectAsync();
        Assert.Equal("OK", (await c.CallAsync("SET", "tls", "yes")).Text);
        Assert.Equal("yes", (await c.CallAsync("GET", "tls")).Text);

        // Without the CA the certificate is not trusted: start-up fails instead of talking to an unverified server.
        var e = await Assert.ThrowsAsync<StartupException>(() => InProcessServer.StartAsync(["--upstream", $"127.0.0.1:{tlsPort}", "--upstream-tls", "yes"]));
        Assert.StartsWith($"Can't use the upstream server at 127.0.0.1:{tlsPort}: ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Upstream_addresses_are_parsed_like_host_port()
    {
        Assert.Equal(("10.0.0.1", 6379), UpstreamOptions.ParseAddress("10.0.0.1:6379"));
        Assert.Equal(("::1", 7000), UpstreamOptions.ParseAddress("[::1]:7000"));
        Assert.Equal(("redis.ns.svc", 6380), UpstreamOptions.ParseAddress("redis.ns.svc:6380"));
        Assert.Equal("Invalid upstream address 'redis': expected <host>:<port>", Assert.Throws<StartupException>(() => UpstreamOptions.ParseAddress("redis")).Message);
        Assert.Equal("Invalid upstream address 'h:99999': expected <host>:<port>", Assert.Throws<StartupException>(() => UpstreamOptions.ParseAddress("h:99999")).Message);
    }

    private sealed class ClusterRedisFixture : RedisServerFixture
    {
        protected override IEnumerable<string> ExtraArguments => ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"];
    }

    private sealed class TlsRedisFixture(string certDirectory) : RedisServerFixture
    {
        public int TlsPort { get; } = FreePort();

        protected override IEnumerable<string> ExtraArguments =>
        [
            "--tls-port", TlsPort.ToString(CultureInfo.InvariantCulture),
            "--tls-cert-file", Path.Combine(certDirectory, "server.crt"),
            "--tls-key-file", Path.Combine(certDirectory, "server.key"),
            "--tls-ca-cert-file", Path.Combine(certDirectory, "ca.crt"),
            "--tls-auth-clients", "no",
        ];

        private static int FreePort()
        {
            using var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            return ((IPEndPoint)l.LocalEndpoint).Port;
        }
    }
}
