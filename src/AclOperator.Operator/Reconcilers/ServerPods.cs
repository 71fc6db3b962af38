using System.Globalization;
using AclOperator.Api.Snapshots;
using AclOperator.Api.V1Alpha1;
using AclOperator.Operator.Runtime;
using k8s.Models;

namespace AclOperator.Operator.Reconcilers;

/// <summary>A running enforcement pod and the ACL revision its Lease says it enforces (0 when it has not said yet).</summary>
public sealed record RunningPod(V1Pod Pod, long Revision)
{
    public string Name => Pod.Metadata.Name;
}

/// <summary>The running enforcement pods of a server, from the owned pod and Lease caches (O12, O15).</summary>
public static class ServerPods
{
    public static IReadOnlyList<RunningPod> Running(RedisAclServer server, InformerCache<V1Pod> pods, InformerCache<V1Lease> leases)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(pods);
        ArgumentNullException.ThrowIfNull(leases);
        var ns = server.Metadata.NamespaceProperty ?? "";
        var running = new List<RunningPod>();
        foreach (var pod in pods.List(ns))
        {
            var labels = pod.Metadata.Labels;
            if (labels is null || !labels.TryGetValue(SnapshotNames.InstanceLabel, out var instance) || instance != server.Metadata.Name ||
                !labels.TryGetValue(SnapshotNames.NameLabel, out var app) || app != SnapshotNames.AppName ||
                pod.Metadata.DeletionTimestamp is not null || pod.Status?.Phase != "Running")
            {
                continue;
            }

            running.Add(new RunningPod(pod, EnforcedRevision(leases.Get(ns, pod.Metadata.Name))));
        }

        return running;
    }

    /// <summary>The revision in a Lease's <c>aclop.dev/enforced-revision</c> annotation, 0 when absent or malformed.</summary>
    public static long EnforcedRevision(V1Lease? lease) =>
        lease?.Metadata.Annotations is { } annotations && annotations.TryGetValue(SnapshotNames.EnforcedRevisionAnnotation, out var text) &&
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var r) ? r : 0;
}
