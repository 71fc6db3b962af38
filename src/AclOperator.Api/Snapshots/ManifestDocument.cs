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

    /// <summary>
    /// The admitted tenant namespaces (spec.userNamespaces): a runtime ACL SETUSER of a name with a tenant's prefix is
    /// that tenant's user and must stay within its ceiling and the tenant floor (O2). Absent when there are none.
    /// </summary>
    public List<TenantCeiling>? Tenants { get; set; }

    /// <summary>Rules shards by index: ConfigMap name and SHA-256 of its <c>binaryData.shard</c>.</summary>
    public List<ShardReference> Rules { get; set; } = [];

    /// <summary>Hash shards by index: Secret name and HMAC-SHA-256 of its <c>data.shard</c>.</summary>
    public List<ShardReference> Hashes { get; set; } = [];
}

/// <summary>One admitted tenant namespace as the pods need it: its username prefix and ceiling rules (the floor is implied).</summary>
public sealed record TenantCeiling
{
    public string Namespace { get; init; } = "";

    public string Prefix { get; init; } = "";

    /// <summary>The ceiling rules (spec.userNamespaces[].ceiling; <c>+@all ~* &amp;*</c> when unset).</summary>
    public IReadOnlyList<string> Ceiling { get; init; } = [];

    public bool Equals(TenantCeiling? other) =>
        other is not null && Namespace == other.Namespace && Prefix == other.Prefix && Ceiling.SequenceEqual(other.Ceiling, StringComparer.Ordinal);

    public override int GetHashCode() => HashCode.Combine(Namespace, Prefix, Ceiling.Count);
}
