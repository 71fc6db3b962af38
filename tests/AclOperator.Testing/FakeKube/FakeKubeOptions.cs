namespace AclOperator.Testing.FakeKube;

/// <summary>Settings of a <see cref="FakeKubeServer"/>.</summary>
public sealed class FakeKubeOptions
{
    /// <summary>
    /// How many changes (over all resources) are kept for watch replay and consistent continue tokens; a watch or
    /// continue token older than the window gets 410 Expired, as from a compacted etcd.
    /// </summary>
    public int WatchHistorySize { get; init; } = 10_000;

    /// <summary>How often watches that asked for bookmarks (allowWatchBookmarks=true) get a BOOKMARK event.</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the background controllers (garbage collector, namespace and CRD cleanup) run.</summary>
    public TimeSpan ControllerInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Namespaces that exist at start, as in a new cluster.</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = ["default", "kube-system", "kube-public", "kube-node-lease"];

    /// <summary>
    /// Stand in for the StatefulSet controller and kubelets: create the pods of every StatefulSet (Running and Ready at
    /// once, replaced when the template changes) and keep the set's status current. Off by default: without it, as in
    /// an API server with no controllers, StatefulSets get no pods.
    /// </summary>
    public bool SimulateStatefulSets { get; init; }

    /// <summary>Keep every request in <see cref="FakeKubeServer.Requests"/> (turn off for long benchmark runs).</summary>
    public bool RecordRequests { get; init; } = true;

    /// <summary>Clock for timestamps (creationTimestamp, deletionTimestamp, managedFields time).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
