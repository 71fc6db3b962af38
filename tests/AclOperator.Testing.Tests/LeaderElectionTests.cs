using k8s;
using AclOperator.Testing.FakeKube;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;

namespace AclOperator.Testing.Tests;

/// <summary>
/// KubernetesClient's LeaderElector with a LeaseLock against the fake (coordination.k8s.io/v1 Leases updated with
/// resourceVersion preconditions), including losing the lease when renewals fail (O16: exit on a lost lease).
/// </summary>
public sealed class LeaderElectionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static LeaderElector Elector(FakeKubeServer server, string identity) =>
        new(new LeaderElectionConfig(new LeaseLock(server.CreateClient(), "default", "operator-lock", identity))
        {
            LeaseDuration = TimeSpan.FromMilliseconds(1000),
            RenewDeadline = TimeSpan.FromMilliseconds(600),
            RetryPeriod = TimeSpan.FromMilliseconds(100),
        });

    [Fact]
    public async Task One_elector_leads_and_the_other_takes_over_when_it_stops()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var a = Elector(server, "a");
        using var b = Elector(server, "b");
        var aLeads = new TaskCompletionSource();
        var bLeads = new TaskCompletionSource();
        var bSawA = new TaskCompletionSource();
        a.OnStartedLeading += () => aLeads.TrySetResult();
        b.OnStartedLeading += () => bLeads.TrySetResult();
        b.OnNewLeader += leader =>
        {
            if (leader == "a")
            {
                bSawA.TrySetResult();
            }
        };
        using var stopA = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        using var stopB = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var runA = a.RunUntilLeadershipLostAsync(stopA.Token);
        await aLeads.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        var runB = b.RunUntilLeadershipLostAsync(stopB.Token);
        await bSawA.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.False(bLeads.Task.IsCompleted);

        using var client = server.CreateClient();
        var lease = await client.CoordinationV1.ReadNamespacedLeaseAsync("operator-lock", "default", cancellationToken: Ct);
        Assert.Equal("a", lease.Spec.HolderIdentity);

        await stopA.CancelAsync();
        await bLeads.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        lease = await client.CoordinationV1.ReadNamespacedLeaseAsync("operator-lock", "default", cancellationToken: Ct);
        Assert.Equal("b", lease.Spec.HolderIdentity);
        await stopB.CancelAsync();
        await Task.WhenAll(runA, runB).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    [Fact]
    public async Task Failing_renewals_lose_the_lease()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var a = Elector(server, "a");
        var leads = new TaskCompletionSource();
        var lost = new TaskCompletionSource();
        a.OnStartedLeading += () => leads.TrySetResult();
        a.OnStoppedLeading += () => lost.TrySetResult();
        var run = a.RunUntilLeadershipLostAsync(Ct);
        await leads.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        server.Faults.FailNext(1000, 500, resource: "leases");
        await lost.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        await run.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Contains(server.Requests, r => r.Resource == "leases" && r.StatusCode == 500);
    }
}
