using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AclOperator.Api.Snapshots;

/// <summary>
/// Names and labels of the Kubernetes objects that make up one server's published ACL (O6) and its runtime users (O9).
/// Fixed names, so the pods' Role can grant access by name only (O5).
/// </summary>
public static class SnapshotNames
{
    /// <summary>Upper bound of the shard count; the pods' Role lists every slot of every possible shard.</summary>
    public const int MaxShards = 64;

    /// <summary>The shard count a first publish starts with.</summary>
    public const int InitialShards = 4;

    /// <summary>Largest compressed shard before the shard count doubles (below the 256 KiB of O6).</summary>
    public const int ShardSoftLimitBytes = 192 * 1024;

    public const string FormatVersion = "1";

    /// <summary>Manifest ConfigMap keys.</summary>
    public const string FormatVersionKey = "formatVersion";
    public const string RevisionKey = "revision";
    public const string ManifestKey = "manifest.json";

    /// <summary>binaryData key of a rules shard and data key of a hash shard.</summary>
    public const string ShardKey = "shard";

    /// <summary>The HMAC key in <see cref="HashesKeySecret"/>.</summary>
    public const string HmacKeyKey = "hmacKey";

    /// <summary>data key of the runtime users Secret.</summary>
    public const string RuntimeUsersKey = "users";

    /// <summary>Lease annotation with the revision a pod enforces (O12).</summary>
    public const string EnforcedRevisionAnnotation = "aclop.dev/enforced-revision";

    /// <summary>Lease annotation with the pod's ACL denials by user (<see cref="DenialReport"/>).</summary>
    public const string DenialsAnnotation = "aclop.dev/acl-denials";

    public const string ServerLabel = "aclop.dev/server";
    public const string SnapshotLabel = "aclop.dev/snapshot";
    public const string NameLabel = "app.kubernetes.io/name";
    public const string InstanceLabel = "app.kubernetes.io/instance";
    public const string ManagedByLabel = "app.kubernetes.io/managed-by";
    public const string AppName = "aclop-server";
    public const string ManagedBy = "aclop-operator";

    public static string Manifest(string server) => server + "-acl";

    public static string RulesShard(string server, int index, char slot) =>
        string.Create(CultureInfo.InvariantCulture, $"{server}-acl-{index}-{slot}");

    public static string HashesKeySecret(string server) => server + "-acl-hashes";

    public static string HashShard(string server, int index, char slot) =>
        string.Create(CultureInfo.InvariantCulture, $"{server}-acl-hashes-{index}-{slot}");

    public static string RuntimeSecret(string server) => server + "-acl-runtime";

    /// <summary>The Lease of pod <c>&lt;server&gt;-&lt;ordinal&gt;</c> (same name as the pod).</summary>
    public static string Lease(string server, int ordinal) =>
        string.Create(CultureInfo.InvariantCulture, $"{server}-{ordinal}");

    /// <summary>Stable username → shard: the first four bytes of SHA-256(name bytes) modulo the shard count.</summary>
    public static int ShardOf(string username, int shardCount)
    {
        ArgumentNullException.ThrowIfNull(username);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.Latin1.GetBytes(username), hash);
        return (int)(BinaryPrimitives.ReadUInt32BigEndian(hash) % (uint)shardCount);
    }

    /// <summary>The labels of everything the operator owns for <paramref name="server"/>, as a new dictionary.</summary>
    public static Dictionary<string, string> ServerLabels(string server) => new(StringComparer.Ordinal)
    {
        [NameLabel] = AppName,
        [InstanceLabel] = server,
        [ManagedByLabel] = ManagedBy,
        [ServerLabel] = server,
    };

    /// <summary>The labels every snapshot object of <paramref name="server"/> carries.</summary>
    public static Dictionary<string, string> Labels(string server, string snapshotKind)
    {
        var labels = ServerLabels(server);
        labels[SnapshotLabel] = snapshotKind;
        return labels;
    }
}
