namespace AclOperator.Api.Snapshots;

/// <summary>One shard slot in the manifest: the object's name and its checksum (SHA-256 for rules, HMAC for hashes).</summary>
public sealed class ShardReference
{
    public string Name { get; set; } = "";

    public string Checksum { get; set; } = "";
}
