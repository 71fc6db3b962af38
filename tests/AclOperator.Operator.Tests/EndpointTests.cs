using System.Net;
using AclOperator.Operator.Hosting;
using AclOperator.Operator.Runtime;
using AclOperator.Operator.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AclOperator.Operator.Tests;

/// <summary>/healthz, /readyz and /metrics (controller-runtime's metric names), and the host's configuration.</summary>
public sealed class EndpointTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(OperatorInstance op, string path)
    {
        using var response = await op.Http.GetAsync(new Uri(path, UriKind.Relative), Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Readiness_waits_for_the_informers_and_metrics_carry_controller_runtime_names()
    {
        await using var cluster = await TestCluster.StartAsync();
        cluster.Server.Faults.FailNext(int.MaxValue, 500, verb: "list", resource: "redisaclusers");
        await using var op = await OperatorInstance.StartAsync(cluster, "solo", "--leader-elect", "false");
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(op, "/healthz")).Status);
        await Eventually.TrueAsync(() => cluster.Server.Requests.Any(r => r.Verb == "list" && r.StatusCode == 500), "a list failed");
        var notReady = await GetAsync(op, "/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.Status);
        Assert.Equal("Unhealthy", notReady.Body);

        cluster.Server.Faults.Reset();
        await Eventually.TrueAsync(async () => (await GetAsync(op, "/readyz")).Status == HttpStatusCode.OK, "ready after the informers synced");
        await cluster.CreateAsync(TestCluster.User("alice"));
        await Eventually.TrueAsync(() => op.Reconciler.Calls.Count == 1, "alice was reconciled");

        var (status, metrics) = await GetAsync(op, "/metrics");
        Assert.Equal(HttpStatusCode.OK, status);
        var lines = metrics.Split('\n');
        Assert.Contains("controller_runtime_reconcile_total{controller=\"redisacluser\",result=\"success\"} 1", lines);
        Assert.Contains("controller_runtime_reconcile_total{controller=\"redisacluser\",result=\"error\"} 0", lines);
        Assert.Contains("controller_runtime_reconcile_errors_total{controller=\"redisacluser\"} 0", lines);
        Assert.Contains("controller_runtime_reconcile_time_seconds_count{controller=\"redisacluser\"} 1", lines);
        Assert.Contains("controller_runtime_max_concurrent_reconciles{controller=\"redisacluser\"} 1", lines);
        Assert.Contains("workqueue_depth{name=\"redisacluser\"} 0", lines);
        Assert.Contains("workqueue_adds_total{name=\"redisacluser\"} 1", lines);
        Assert.Contains("workqueue_retries_total{name=\"redisacluser\"} 0", lines);
        Assert.Contains("workqueue_queue_duration_seconds_count{name=\"redisacluser\"} 1", lines);
        Assert.Contains("workqueue_work_duration_seconds_count{name=\"redisacluser\"} 1", lines);
        Assert.Contains("leader_election_master_status{name=\"aclop-operator\"} 1", lines);
    }

    [Fact]
    public async Task Command_line_switches_bind_the_options()
    {
        var (builder, _) = OperatorHost.CreateBuilder(["--namespaces", "team-a, team-b,team-a", "--label-selector", "shard=1", "--leader-elect", "false",
            "--lease-duration", "00:00:30", "--http-address", "http://127.0.0.1:0"]);
        await using var app = builder.Build();
        var scope = app.Services.GetRequiredService<IOptions<WatchScopeOptions>>().Value;
        Assert.Equal(["team-a", "team-b"], scope.NamespaceList);
        Assert.Equal("shard=1", scope.LabelSelector);
        var election = app.Services.GetRequiredService<IOptions<LeaderElectionOptions>>().Value;
        Assert.False(election.Enabled);
        Assert.Equal(TimeSpan.FromSeconds(30), election.LeaseDuration);
        var informers = app.Services.GetRequiredService<SharedInformerFactory>();
        Assert.Equal("redisaclusers.aclop.dev (team-a,team-b; shard=1)", informers.For<AclOperator.Api.V1Alpha1.RedisAclUser>().Name);
        Assert.Equal("secrets (team-a,team-b)", informers.SecretMetadata().Name);
    }

    [Fact]
    public async Task Inconsistent_lease_timings_fail_at_start()
    {
        var (builder, _) = OperatorHost.CreateBuilder(["--lease-duration", "00:00:05", "--renew-deadline", "00:00:10", "--http-address", "http://127.0.0.1:0"]);
        builder.Logging.ClearProviders();
        await using var app = builder.Build();
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync(Ct));
        Assert.Contains("LeaseDuration > RenewDeadline > RetryPeriod", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_prints_the_options_and_exits_zero()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "aclop-operator.dll");
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("dotnet", [dll, "--help"])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        var output = await process.StandardOutput.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        Assert.Equal(0, process.ExitCode);
        Assert.StartsWith("Usage: aclop-operator [options]", output, StringComparison.Ordinal);
        Assert.Contains("--namespaces <a,b,...>", output, StringComparison.Ordinal);
        Assert.Contains("ACLOP_Watch__Namespaces", output, StringComparison.Ordinal);
    }
}
