using AclOperator.Api.Snapshots;
using AclOperator.Api.V1Alpha1;
using AclOperator.Operator.Reconcilers;
using AclOperator.Operator.Runtime;
using AclOperator.Operator.Servers;
using AclOperator.Operator.Tests.Support;
using AclOperator.Testing.FakeKube;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AclOperator.Operator.Tests;

/// <summary>
/// O15: a running pod stuck below a revision published over the grace period ago, while another pod enforces it, is
/// taken out of the client Service (label aclop.dev/serving=false) and put back when it catches up; never every pod.
/// The fake API server with its StatefulSet simulator (Running pods), real informers, the test's clock.
/// </summary>
public sealed class StalePodsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly RedisAclServer Main = new() { Metadata = new V1ObjectMeta { Name = "main", NamespaceProperty = "default" }, Spec = new RedisAclServerSpec() };

    private static async Task SetLeaseAsync(TestCluster cluster, string pod, long revision)
    {
        var lease = new V1Lease
        {
            Metadata = new V1ObjectMeta
            {
                Name = pod,
                NamespaceProperty = "default",
                Labels = ServerLabels.For(Main),
                Annotations = new Dictionary<string, string> { [SnapshotNames.EnforcedRevisionAnnotation] = revision.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            },
            Spec = new V1LeaseSpec { HolderIdentity = pod },
        };
        await cluster.PutLeaseAsync(lease);
    }

    private static Task<RedisAclServer> PublishAsync(TestCluster cluster, long revision) =>
        cluster.Resources.PatchAsync<RedisAclServer>(ApiResource.For<RedisAclServer>(), "default", "main",
            "{\"status\":{\"revision\":\"" + revision.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\"}}", "application/merge-patch+json", "status", Ct);

    private static async Task<string?> ServingAsync(TestCluster cluster, string pod) =>
        (await cluster.Client.CoreV1.ReadNamespacedPodAsync(pod, "default", cancellationToken: Ct)).Metadata.Labels.TryGetValue(ServerLabels.Serving, out var v) ? v : null;

    [Fact]
    public async Task A_pod_behind_a_revision_others_enforce_leaves_the_Service_after_the_grace_and_returns_when_it_catches_up()
    {
        await using var cluster = await TestCluster.StartAsync(new FakeKubeOptions
        {
            SimulateStatefulSets = true,
            BookmarkInterval = TimeSpan.FromMilliseconds(200),
            Namespaces = ["default"],
        });
        await cluster.CreateAsync(Main);
        await cluster.Client.AppsV1.CreateNamespacedStatefulSetAsync(new V1StatefulSet
        {
            Metadata = new V1ObjectMeta { Name = "main", NamespaceProperty = "default", Labels = ServerLabels.For(Main) },
            Spec = new V1StatefulSetSpec
            {
                Replicas = 2,
                ServiceName = "main-headless",
                Selector = new V1LabelSelector { MatchLabels = ServerLabels.Selector(Main) },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = ServerLabels.Pod(Main) },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "server", Image = "aclop-server:test" }] },
                },
            },
        }, "default", cancellationToken: Ct);

        var informers = new SharedInformerFactory(cluster.Resources, Options.Create(new WatchScopeOptions()), Options.Create(new OperatorOptions()), NullLoggerFactory.Instance);
        var time = new ManualTime();
        var events = new RecordingEvents();
        var stale = new StalePods(informers, cluster.Resources, events, Options.Create(new ServerReconcilerOptions { StalePodGrace = TimeSpan.FromMinutes(1) }),
            NullLogger<StalePods>.Instance, time);
        using var stop = new CancellationTokenSource();
        await informers.Start(stop.Token);
        var pods = informers.ForOwned<V1Pod>(ServerReconciler.Pods);
        var leases = informers.ForOwned<V1Lease>(ApiResource.Leases);
        var servers = informers.For<RedisAclServer>();

        async Task CheckWhenCachedAsync(long serverRevision, long rev0, long rev1)
        {
            await Eventually.TrueAsync(() =>
                servers.Cache.Get("default", "main")?.Status?.Revision == serverRevision.ToString(System.Globalization.CultureInfo.InvariantCulture) &&
                ServerPods.Running(Main, pods.Cache, leases.Cache).Select(p => (p.Name, p.Revision)).Order().SequenceEqual([("main-0", rev0), ("main-1", rev1)]),
                "caches caught up");
            await stale.CheckAsync(Ct);
        }

        // Revision 5 everywhere, then 6 is published and only main-0 takes it.
        await PublishAsync(cluster, 5);
        await SetLeaseAsync(cluster, "main-0", 5);
        await SetLeaseAsync(cluster, "main-1", 5);
        await CheckWhenCachedAsync(5, 5, 5);
        time.Now += TimeSpan.FromSeconds(1);
        await PublishAsync(cluster, 6);
        await SetLeaseAsync(cluster, "main-0", 6);
        await CheckWhenCachedAsync(6, 6, 5);
        Assert.Equal("true", await ServingAsync(cluster, "main-1"));

        // Within the grace nothing happens; past it main-1 leaves the Service.
        time.Now += TimeSpan.FromSeconds(59);
        await stale.CheckAsync(Ct);
        Assert.Equal("true", await ServingAsync(cluster, "main-1"));
        Assert.Empty(events.Take());
        time.Now += TimeSpan.FromSeconds(1);
        await stale.CheckAsync(Ct);
        Assert.Equal("false", await ServingAsync(cluster, "main-1"));
        Assert.Equal("true", await ServingAsync(cluster, "main-0"));
        Assert.Equal(
            ["RedisAclServer default/main Warning PodRemovedFromService: pod main-1 enforces revision 5 while revision 6 was published over 60s ago and other pods enforce it: taken out of Service main until it catches up"],
            events.Take());

        // It catches up: back in.
        await SetLeaseAsync(cluster, "main-1", 6);
        await CheckWhenCachedAsync(6, 6, 6);
        Assert.Equal("true", await ServingAsync(cluster, "main-1"));
        Assert.Equal(["RedisAclServer default/main Normal PodRestoredToService: pod main-1 enforces revision 6: back in Service main"], events.Take());

        // Revision 7 that no pod loads (a snapshot nobody can apply, an API outage): nobody is taken out.
        await PublishAsync(cluster, 7);
        await CheckWhenCachedAsync(7, 6, 6);
        time.Now += TimeSpan.FromMinutes(5);
        await stale.CheckAsync(Ct);
        Assert.Equal(("true", "true"), (await ServingAsync(cluster, "main-0"), await ServingAsync(cluster, "main-1")));
        Assert.Empty(events.Take());

        await stop.CancelAsync();
        await informers.WhenStoppedAsync();
    }
}
