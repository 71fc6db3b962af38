using AclOperator.Api.Snapshots;
using AclOperator.Api.V1Alpha1;

namespace AclOperator.Operator.Servers;

/// <summary>
/// The labels of everything the operator owns for a server (issue 7 contract). They are built from the server's name
/// only: the CR's own labels (GitOps tracking labels) are never copied onto children (O12).
/// </summary>
public static class ServerLabels
{
    public const string Name = SnapshotNames.NameLabel;
    public const string Instance = SnapshotNames.InstanceLabel;
    public const string ManagedBy = SnapshotNames.ManagedByLabel;
    public const string Server = SnapshotNames.ServerLabel;

    /// <summary>
    /// On enforcement pods: <c>"true"</c> from the template; the operator sets <c>"false"</c> on a pod stuck on an old
    /// revision and back when it catches up (O15). The client Service selects <c>"true"</c>; the headless one selects all.
    /// </summary>
    public const string Serving = "aclop.dev/serving";

    /// <summary>The value of <see cref="Name"/>.</summary>
    public const string NameValue = SnapshotNames.AppName;

    /// <summary>The value of <see cref="ManagedBy"/>.</summary>
    public const string ManagedByValue = SnapshotNames.ManagedBy;

    /// <summary>All four labels of an owned object, as a new dictionary.</summary>
    public static Dictionary<string, string> For(RedisAclServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        return SnapshotNames.ServerLabels(server.Metadata.Name);
    }

    /// <summary>The pod selector labels (StatefulSet, Services, PodDisruptionBudget, NetworkPolicy), as a new dictionary.</summary>
    public static Dictionary<string, string> Selector(RedisAclServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [Name] = NameValue,
            [Instance] = server.Metadata.Name,
        };
    }

    /// <summary>The pod template's labels: <see cref="For"/> plus <see cref="Serving"/> = <c>"true"</c>.</summary>
    public static Dictionary<string, string> Pod(RedisAclServer server)
    {
        var labels = For(server);
        labels[Serving] = "true";
        return labels;
    }

    /// <summary>The client Service's selector: <see cref="Selector"/> plus <see cref="Serving"/> = <c>"true"</c>.</summary>
    public static Dictionary<string, string> ServiceSelector(RedisAclServer server)
    {
        var labels = Selector(server);
        labels[Serving] = "true";
        return labels;
    }

    /// <summary>The label selector that lists the objects the operator owns for a server.</summary>
    public static string OwnedSelector(string server) => $"{ManagedBy}={ManagedByValue},{Server}={server}";
}
