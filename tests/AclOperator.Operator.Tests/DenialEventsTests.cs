using AclOperator.Api.Snapshots;
using AclOperator.Api.V1Alpha1;
using AclOperator.Operator.Reconcilers;
using AclOperator.Operator.Runtime;
using AclOperator.Operator.Tests.Support;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AclOperator.Operator.Tests;

/// <summary>
/// ACL LOG denials as Warning events: what grew in the pods' Lease reports, by user, at most one event per user per
/// interval and a cap over all users, on the RedisAclUser that has the username (the server for <c>default</c>).
/// The fake API server and real informers; the clock is the test's.
/// </summary>
public sealed class DenialEventsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static V1Lease Lease(string pod, DenialReport? report) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = pod,
            NamespaceProperty = "default",
            Labels = new Dictionary<string, string>
            {
                [SnapshotNames.NameLabel] = SnapshotNames.AppName,
                [SnapshotNames.InstanceLabel] = "main",
                [SnapshotNames.ManagedByLabel] = SnapshotNames.ManagedBy,
            },
            Annotations = report is null ? null : new Dictionary<string, string> { [SnapshotNames.DenialsAnnotation] = report.Serialize() },
        },
        Spec = new V1LeaseSpec { HolderIdentity = pod },
    };

    private static DenialReport Report(string since, params (string User, DenialCounts Counts)[] users)
    {
        var r = new DenialReport { Since = since };
        foreach (var (u, c) in users)
        {
            r.Users[u] = c;
        }

        return r;
    }

    /// <summary>Flushes until <paramref name="count"/> events were recorded (the informer delivers the Lease change asynchronously).</summary>
    private static async Task<List<string>> EventsAsync(DenialEvents denials, RecordingEvents recorder, int count)
    {
        await Eventually.TrueAsync(async () =>
        {
            await denials.FlushAsync(Ct);
            return recorder.Count >= count;
        }, $"{count} events");
        return recorder.Take();
    }

    private static string Event(string kind, string name, string message) => $"{kind} default/{name} Warning AclDenied: {message}";

    [Fact]
    public async Task Increases_become_one_event_per_user_per_interval_capped_in_total_never_for_unknown_users()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.CreateAsync(new RedisAclServer { Metadata = new V1ObjectMeta { Name = "main", NamespaceProperty = "default" }, Spec = new RedisAclServerSpec() });
        await cluster.CreateAsync(TestCluster.User("alice"));
        await cluster.CreateAsync(TestCluster.User("bob"));
        var carol = TestCluster.User("carol");
        carol.Spec.Username = "carol.ops";
        await cluster.CreateAsync(carol);

        var informers = new SharedInformerFactory(cluster.Resources, Options.Create(new WatchScopeOptions()), Options.Create(new OperatorOptions()), NullLoggerFactory.Instance);
        var time = new ManualTime();
        var recorder = new RecordingEvents();
        var denials = new DenialEvents(informers, recorder, Options.Create(new DenialEventOptions { Interval = TimeSpan.FromMinutes(1), MaxEventsPerInterval = 3 }), NullLogger<DenialEvents>.Instance, time);
        using var stop = new CancellationTokenSource();
        await informers.Start(stop.Token);
        await Eventually.TrueAsync(() => informers.AllSynced, "informers synced");

        // The first report seen of a pod is a baseline: those denials happened before the operator looked.
        await cluster.PutLeaseAsync(Lease("main-0", Report("t1", ("alice", new DenialCounts { Command = 7 }))));
        await Eventually.TrueAsync(() => informers.ForOwned<V1Lease>(ApiResource.Leases).Cache.Count == 1, "lease cached");
        await denials.FlushAsync(Ct);
        Assert.Empty(recorder.Take());

        // Growth for four users and a runtime user: three events now (the cap), none for the runtime user.
        await cluster.PutLeaseAsync(Lease("main-0", Report("t1",
            ("alice", new DenialCounts { Command = 7, Key = 3 }),
            ("bob", new DenialCounts { Auth = 1 }),
            ("carol.ops", new DenialCounts { Channel = 2 }),
            ("default", new DenialCounts { Auth = 4 }),
            ("rt-user", new DenialCounts { Command = 1 }))));
        var first = await EventsAsync(denials, recorder, 3);
        var all = new[]
        {
            Event("RedisAclUser", "alice", "ACL denied 3 request(s) of user alice (key 3) on main-0; ACL LOG on the pod has the details"),
            Event("RedisAclUser", "bob", "ACL denied 1 request(s) of user bob (auth 1) on main-0; ACL LOG on the pod has the details"),
            Event("RedisAclUser", "carol", "ACL denied 2 request(s) of user carol.ops (channel 2) on main-0; ACL LOG on the pod has the details"),
            Event("RedisAclServer", "main", "ACL denied 4 request(s) of user default (auth 4) on main-0; ACL LOG on the pod has the details"),
        };
        Assert.Equal(3, first.Count);
        Assert.All(first, e => Assert.Contains(e, all));

        // More denials within the interval wait, summed over both pods; the capped one waits too.
        await cluster.PutLeaseAsync(Lease("main-1", null));
        await Eventually.TrueAsync(() => informers.ForOwned<V1Lease>(ApiResource.Leases).Cache.Count == 2, "second lease cached");
        await cluster.PutLeaseAsync(Lease("main-0", Report("t1",
            ("alice", new DenialCounts { Command = 8, Key = 4 }),
            ("bob", new DenialCounts { Auth = 1 }),
            ("carol.ops", new DenialCounts { Channel = 2 }),
            ("default", new DenialCounts { Auth = 4 }))));
        await cluster.PutLeaseAsync(Lease("main-1", Report("u1", ("alice", new DenialCounts { Key = 5 }))));
        await Eventually.TrueAsync(() => denials.PendingFor(new ObjectKey("default", "main"), "alice") == new DenialCounts { Command = 1, Key = 6 }, "both pods' growth pending");
        time.Now += TimeSpan.FromSeconds(30);
        await denials.FlushAsync(Ct);
        Assert.Empty(recorder.Take());

        time.Now += TimeSpan.FromSeconds(31);
        var second = await EventsAsync(denials, recorder, 2);
        var missed = all.Except(first).Single();
        Assert.Equal(
            new[] { Event("RedisAclUser", "alice", "ACL denied 7 request(s) of user alice (command 1, key 6) on main-0, main-1; ACL LOG on the pod has the details"), missed }.Order(StringComparer.Ordinal),
            second);

        // A pod that restarted reports from zero: its counts are all new.
        time.Now += TimeSpan.FromMinutes(2);
        await cluster.PutLeaseAsync(Lease("main-0", Report("t2", ("bob", new DenialCounts { Auth = 1 }))));
        Assert.Equal(
            [Event("RedisAclUser", "bob", "ACL denied 1 request(s) of user bob (auth 1) on main-0; ACL LOG on the pod has the details")],
            await EventsAsync(denials, recorder, 1));
        Assert.Equal(6, denials.EventsRecorded);
        await stop.CancelAsync();
        await informers.WhenStoppedAsync();
    }
}
