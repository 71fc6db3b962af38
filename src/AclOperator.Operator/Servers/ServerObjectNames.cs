using System.Globalization;

namespace AclOperator.Operator.Servers;

/// <summary>
/// The names of the objects a RedisAclServer <c>S</c> owns (issue 7 contract). Every name is derived from the server's
/// name alone, so the pods' Role can name each object it may read (O5) and nothing needs a label selector.
/// </summary>
public static class ServerObjectNames
{
    /// <summary>Rules and hash shards come in this many fixed slot pairs at most (indexes 0..63).</summary>
    public const int MaxShards = AclOperator.Api.Snapshots.SnapshotNames.MaxShards;

    /// <summary>
    /// The longest server name whose objects are all valid: the StatefulSet controller labels each pod with
    /// <c>controller-revision-hash: S-&lt;10 characters&gt;</c>, a label value of at most 63 characters.
    /// </summary>
    public const int MaxServerNameLength = 52;

    /// <summary>The StatefulSet, the client Service, the PodDisruptionBudget and the NetworkPolicy.</summary>
    public static string StatefulSet(string server) => server;

    /// <inheritdoc cref="StatefulSet"/>
    public static string Service(string server) => server;

    /// <inheritdoc cref="StatefulSet"/>
    public static string PodDisruptionBudget(string server) => server;

    /// <inheritdoc cref="StatefulSet"/>
    public static string NetworkPolicy(string server) => server;

    /// <summary>The headless Service that gives the StatefulSet's pods their DNS names.</summary>
    public static string HeadlessService(string server) => server + "-headless";

    /// <summary>The ServiceAccount, Role and RoleBinding of the enforcement pods.</summary>
    public static string ServiceAccount(string server) => server + "-server";

    /// <inheritdoc cref="ServiceAccount"/>
    public static string Role(string server) => server + "-server";

    /// <inheritdoc cref="ServiceAccount"/>
    public static string RoleBinding(string server) => server + "-server";

    /// <summary>Pod <c>S-&lt;ordinal&gt;</c> and the Lease it reports its enforced revision on (O5, O12).</summary>
    public static string Pod(string server, int ordinal) => server + "-" + ordinal.ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc cref="Pod"/>
    public static string Lease(string server, int ordinal) => AclOperator.Api.Snapshots.SnapshotNames.Lease(server, ordinal);

    /// <summary>The manifest ConfigMap of the snapshot protocol (O6).</summary>
    public static string Manifest(string server) => AclOperator.Api.Snapshots.SnapshotNames.Manifest(server);

    /// <summary>A rules shard ConfigMap slot: <c>S-acl-&lt;index&gt;-a</c> or <c>-b</c>.</summary>
    public static string RulesShard(string server, int index, char slot) => AclOperator.Api.Snapshots.SnapshotNames.RulesShard(server, index, slot);

    /// <summary>The Secret with the per-server HMAC key (O4).</summary>
    public static string HashesKey(string server) => AclOperator.Api.Snapshots.SnapshotNames.HashesKeySecret(server);

    /// <summary>A hash shard Secret slot: <c>S-acl-hashes-&lt;index&gt;-a</c> or <c>-b</c>.</summary>
    public static string HashesShard(string server, int index, char slot) => AclOperator.Api.Snapshots.SnapshotNames.HashShard(server, index, slot);

    /// <summary>The runtime users Secret the pods update with compare-and-swap (O9).</summary>
    public static string Runtime(string server) => AclOperator.Api.Snapshots.SnapshotNames.RuntimeSecret(server);

    /// <summary>Why <paramref name="server"/> cannot name a server's objects, or null when it can.</summary>
    public static string? NameProblem(string? server) =>
        string.IsNullOrEmpty(server) ? "the server has no name"
        : server.Length > MaxServerNameLength
            ? string.Create(CultureInfo.InvariantCulture, $"the server name '{server}' is longer than {MaxServerNameLength} characters: its pods' controller-revision-hash label would exceed 63")
            : null;

    private static string Shard(int index, char slot)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, MaxShards);
        if (slot is not ('a' or 'b'))
        {
            throw new ArgumentOutOfRangeException(nameof(slot), slot, "a shard slot is 'a' or 'b'");
        }
        return index.ToString(CultureInfo.InvariantCulture) + "-" + slot;
    }
}
