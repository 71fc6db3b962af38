using System.Text;
using AclOperator.Acl.Tests.Infrastructure;
using Xunit;
using static AclOperator.Server.Tests.EndToEnd.E2E;

namespace AclOperator.Server.Tests.Admin;

/// <summary>/metrics: exact counters and labels after known traffic, per-server registries, totals across RESETSTAT.</summary>
public sealed class AdminMetricsTests
{
    private const string Users =
        "user default on nopass ~* &* +@all\n" +
        "user app on >secret ~app:* resetchannels &news +get +set +publish\n";

    private static Task<AdminTestServer> StartAsync(string acl = Users) =>
        AdminTestServer.StartAsync(["--aclfile", "users.acl"], new Dictionary<string, string> { ["users.acl"] = acl });

    [Fact]
    public async Task Counters_follow_forwards_denials_rejections_auth_failures_and_reloads()
    {
        await using var s = await StartAsync();
        await using var app = await s.ConnectAsync();
        await using var admin = await s.ConnectAsync();

        await app.AssertOk("AUTH", "app", "secret");                                           // local
        await app.AssertOk("SET", "app:k", "v");                                               // forwarded
        for (int i = 0; i < 5; i++)
        {
            AssertBulk(await app.CallAsync("GET", "app:k"), "v");                              // forwarded ×5
        }

        await app.AssertErr(NoPermKey, "GET", "other:1");                                      // denied (key) ×2
        await app.AssertErr(NoPermKey, "GET", "other:2");
        await app.AssertErr("NOPERM User app has no permissions to run the 'del' command", "DEL", "app:k"); // denied (command)
        await app.AssertErr(NoPermChannel, "PUBLISH", "other", "hi");                         // denied (channel)
        await app.AssertErr(WrongPass, "AUTH", "app", "wrong");                                // local, auth denial
        await app.AssertErr("ERR unknown command 'NOSUCH', with args beginning with: ", "NOSUCH"); // rejected
        await app.AssertErr("ERR wrong number of arguments for 'get' command", "GET");        // rejected

        await admin.AssertOk("ACL", "LOAD");                                                   // local, reload ok
        await File.WriteAllTextAsync(Path.Combine(s.Directory, "users.acl"), "user default on nopass +@all nosuchrule\n", Ct);
        Assert.True((await admin.CallAsync("ACL", "LOAD")).IsError);                           // local, reload failed

        var m = await s.ScrapeAsync();
        Assert.Equal(6, m["aclop_commands_total{result=\"forwarded\"}"]);
        Assert.Equal(4, m["aclop_commands_total{result=\"local\"}"]);
        Assert.Equal(4, m["aclop_commands_total{result=\"denied\"}"]);
        Assert.Equal(2, m["aclop_commands_total{result=\"rejected\"}"]);

        Assert.Equal(1, m["aclop_acl_denials_total{reason=\"auth\"}"]);
        Assert.Equal(1, m["aclop_acl_denials_total{reason=\"command\"}"]);
        Assert.Equal(2, m["aclop_acl_denials_total{reason=\"key\"}"]);
        Assert.Equal(1, m["aclop_acl_denials_total{reason=\"channel\"}"]);

        Assert.Equal(1, m["aclop_acl_reloads_total{result=\"ok\"}"]);
        Assert.Equal(1, m["aclop_acl_reloads_total{result=\"failed\"}"]);
        Assert.Equal(1, m["aclop_acl_revision_info{revision=\"local-2\"}"]);
        Assert.DoesNotContain(m.Keys, k => k.StartsWith("aclop_acl_revision_info", StringComparison.Ordinal) && !k.Contains("local-2", StringComparison.Ordinal));
        Assert.Equal(2, m["aclop_acl_users"]);

        Assert.Equal(2, m["aclop_connections"]);
        Assert.Equal(2, m["aclop_connections_accepted_total"]);
        Assert.Equal(0, m["aclop_connections_rejected_total"]);
        Assert.Equal(1, m["aclop_backend_healthy{backend=\"embedded-garnet\"}"]);

        // One backend call per forwarded command sent alone; nothing else reached the backend.
        Assert.Equal(6, m["aclop_backend_latency_seconds_count"]);
        Assert.Equal(6, m["aclop_backend_latency_seconds_bucket{le=\"+Inf\"}"]);
        Assert.True(m["aclop_backend_latency_seconds_sum"] > 0);
        Assert.Equal(18, m.Keys.Count(k => k.StartsWith("aclop_backend_latency_seconds_bucket{", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Metrics_use_the_prometheus_text_format()
    {
        await using var s = await StartAsync();
        using var r = await s.Http.GetAsync("metrics", Ct);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", r.Content.Headers.ContentType?.ToString());
        var text = await r.Content.ReadAsStringAsync(Ct);
        Assert.Contains("# TYPE aclop_commands_total counter\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE aclop_backend_latency_seconds histogram\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE aclop_acl_revision_info gauge\n", text, StringComparison.Ordinal);
        Assert.All(AdminTestServer.ParseMetrics(text).Keys, k => Assert.StartsWith("aclop_", k, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Pipelined_forwards_are_one_backend_call_and_protocol_errors_count_as_rejected()
    {
        await using var s = await StartAsync();
        await using var c = await s.ConnectAsync();
        var replies = await c.PipelineAsync([["SET", "k", "v"], ["GET", "k"], ["GET", "k"]], Ct);
        Assert.Equal(3, replies.Count);

        await c.SendRawAsync(Encoding.ASCII.GetBytes("*1\r\n$abc\r\n"), Ct);
        AssertError(await c.ReadReplyAsync(Ct), "ERR Protocol error: invalid bulk length");

        var m = await s.ScrapeAsync();
        Assert.Equal(3, m["aclop_commands_total{result=\"forwarded\"}"]);
        Assert.Equal(1, m["aclop_commands_total{result=\"rejected\"}"]);
        Assert.Equal(1, m["aclop_backend_latency_seconds_count"]);
    }

    [Fact]
    public async Task A_transaction_counts_its_queued_commands_as_local_and_exec_as_forwarded()
    {
        await using var s = await StartAsync();
        await using var c = await s.ConnectAsync();
        await c.AssertOk("MULTI");
        AssertSimple(await c.CallAsync("SET", "k", "v"), "QUEUED");
        AssertSimple(await c.CallAsync("GET", "k"), "QUEUED");
        Assert.Equal(RespReplyType.Array, (await c.CallAsync("EXEC")).Type);

        var m = await s.ScrapeAsync();
        Assert.Equal(1, m["aclop_commands_total{result=\"forwarded\"}"]);
        Assert.Equal(3, m["aclop_commands_total{result=\"local\"}"]);
    }

    [Fact]
    public async Task Each_server_has_its_own_registry()
    {
        await using var one = await StartAsync();
        await using var two = await StartAsync();
        await using var c = await one.ConnectAsync();
        await c.AssertOk("SET", "k", "v");
        await c.AssertErr("ERR unknown command 'NOSUCH', with args beginning with: ", "NOSUCH");

        var m1 = await one.ScrapeAsync();
        var m2 = await two.ScrapeAsync();
        Assert.Equal(1, m1["aclop_commands_total{result=\"forwarded\"}"]);
        Assert.Equal(1, m1["aclop_connections_accepted_total"]);
        Assert.Equal(0, m2["aclop_commands_total{result=\"forwarded\"}"]);
        Assert.Equal(0, m2["aclop_commands_total{result=\"rejected\"}"]);
        Assert.Equal(0, m2["aclop_connections_accepted_total"]);
        Assert.Equal(0, m2["aclop_backend_latency_seconds_count"]);
    }

    [Fact]
    public async Task Config_resetstat_clears_info_but_not_the_metric_totals()
    {
        await using var s = await StartAsync();
        await using var app = await s.ConnectAsync();
        await app.AssertOk("AUTH", "app", "secret");
        await app.AssertErr(NoPermKey, "GET", "other");
        await using var admin = await s.ConnectAsync();
        await admin.AssertOk("CONFIG", "RESETSTAT");

        var info = (await admin.CallAsync("INFO", "stats")).GetString();
        Assert.Equal(0, Info(info, "acl_access_denied_key"));
        Assert.Equal(0, Info(info, "total_connections_received"));

        var m = await s.ScrapeAsync();
        Assert.Equal(1, m["aclop_acl_denials_total{reason=\"key\"}"]);
        Assert.Equal(2, m["aclop_connections_accepted_total"]);

        await app.AssertErr(NoPermKey, "GET", "other");
        info = (await admin.CallAsync("INFO", "stats")).GetString();
        Assert.Equal(1, Info(info, "acl_access_denied_key"));
        Assert.Equal(2, (await s.ScrapeAsync())["aclop_acl_denials_total{reason=\"key\"}"]);
    }

    [Fact]
    public async Task The_backend_health_gauge_follows_the_backend()
    {
        var backend = new FakeBackend();
        await using var s = await AdminTestServer.StartAsync(backend: backend);
        Assert.Equal(1, (await s.ScrapeAsync())["aclop_backend_healthy{backend=\"fake\"}"]);
        backend.IsHealthy = false;
        Assert.Equal(0, (await s.ScrapeAsync())["aclop_backend_healthy{backend=\"fake\"}"]);
    }
}
