using k8s;
using k8s.Models;

namespace AclOperator.Operator.Runtime;

/// <summary>
/// One event of a watch stream. <see cref="Object"/> is set for ADDED, MODIFIED, DELETED and BOOKMARK (a bookmark
/// object carries only <c>metadata.resourceVersion</c>); <see cref="Status"/> is set for ERROR (410 Expired after
/// compaction, for example).
/// </summary>
public sealed record WatchEvent<T>(WatchEventType Type, T? Object, V1Status? Status)
    where T : class;
