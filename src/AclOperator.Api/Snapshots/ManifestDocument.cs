namespace AclOperator.Api.Snapshots;

/// <summary><c>manifest.json</c> of the manifest ConfigMap: the revision and every shard with its checksum (O6).</summary>
public sealed class ManifestDocument
{
    public int FormatVersion { get; set; } = 1;

    public long Revision { get; set; }

    public int ShardCount { get; set; }

    /// <summary>Users in the snapshot, <c>default</c> included.</summary>
    public int Users { get; set; }

    /// <summary>Whether clients may create users at runtime (RedisAclServer spec.runtimeAcl Allow, O9).</summary>
    public bool RuntimeAcl { get; set; }

    /// <summary>Rules shards by index: ConfigMap name and SHA-256 of its <c>binaryData.shard</c>.</summary>
    public List<ShardReference> Rules { get; set; } = [];

    /// <summary>Hash shards by index: Secret name and HMAC-SHA-256 of its <c>data.shard</c>.</summary>
    public List<ShardReference> Hashes { get; set; } = [];
}
