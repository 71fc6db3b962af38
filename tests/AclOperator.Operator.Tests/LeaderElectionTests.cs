using AclOperator.Operator.Tests.Support;
using k8s;

namespace AclOperator.Operator.Tests;

/// <summary>
/// Two operator replicas in one process on one Lease (KubernetesClient's LeaderElector + LeaseLock, O16): only the
/// leader reconciles; a graceful stop releases the lease (client-go ReleaseOnCancel) and the standby takes over; a
/// crashed leader is replaced once the lease expires; a leader that cannot renew stops its process.
/// </summary>
public sealed class LeaderElectionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<string?> HolderAsync(TestCluster cluster) =>
        (await cluster.Client.CoordinationV1.ReadNamespacedLeaseAsync("aclop-operator", "default", cancellationToken: Ct)).Spec.HolderIdentity;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Only_the_leader_reconciles_and_the_standby_takes_over_when_it_stops(bool release)
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.CreateAsync(TestCluster.User("alice"));
        string[] args = release ? [] : ["--LeaderElection:ReleaseOnCancel", "false"];
        await using var a = await OperatorInstance.StartAsync(cluster, "replica-a", args);
        await Eventually.TrueAsync(() => a.Leadership.IsLeader, "replica-a leads");
        await using var b = await OperatorInstance.StartAsync(cluster, "replica-b", args);
        await Eventually.TrueAsync(async () => (await b.Http.GetAsync(new Uri("/readyz", UriKind.Relative), Ct)).IsSuccessStatusCode, "replica-b's informers synced");

        await cluster.CreateAsync(TestCluster.User("bob"));
        await Eventually.TrueAsync(() => a.Reconciler.Count("reconcile default/bob ") == 1, "the leader reconciled bob");
        Assert.Equal(1, a.Reconciler.Count("reconcile default/alice "));
        Assert.Empty(b.Reconciler.Calls);
        Assert.False(b.Leadership.IsLeader);
        Assert.Equal("replica-a", await HolderAsync(cluster));

        await a.StopAsync();
        if (release)
        {
            // Released on stop: the holder is empty until the standby's next retry takes it.
            Assert.NotEqual("replica-a", await HolderAsync(cluster));
        }
        await Eventually.TrueAsync(() => b.Leadership.IsLeader, "replica-b took over");
        Assert.Equal("replica-b", await HolderAsync(cluster));
        // The new leader reconciles every object once when its controllers start, then follows changes.
        await Eventually.TrueAsync(() => b.Reconciler.Calls.Count == 2, "replica-b reconciled the existing users");
        await cluster.CreateAsync(TestCluster.User("carol"));
        await Eventually.TrueAsync(() => b.Reconciler.Count("reconcile default/carol ") == 1, "replica-b reconciles new users");
        Assert.Equal(0, a.Reconciler.Count("reconcile default/carol "));
        var lease = await cluster.Client.CoordinationV1.ReadNamespacedLeaseAsync("aclop-operator", "default", cancellationToken: Ct);
        Assert.Equal(1, lease.Spec.LeaseTransitions);
    }

    [Fact]
    public async Task A_leader_that_cannot_renew_its_lease_stops_the_application()
    {
        await using var cluster = await TestCluster.StartAsync();
        await using var a = await OperatorInstance.StartAsync(cluster, "replica-a");
        await Eventually.TrueAsync(() => a.Leadership.IsLeader, "replica-a leads");
        Assert.False(a.Stopping);

        cluster.Server.Faults.FailNext(int.MaxValue, 500, resource: "leases");
        await Eventually.TrueAsync(() => a.Stopping, "the application was stopped after the lease was lost");
        Assert.True(a.Leadership.LostLease);
        Assert.False(a.Leadership.IsLeader);
        Assert.True(a.Leadership.Lost.IsCancellationRequested);
        cluster.Server.Faults.Reset();
    }
}
