namespace AclOperator.Api.Snapshots;

/// <summary>The JSON inside a hash shard Secret: SHA-256 password hashes only, never cleartext.</summary>
public sealed class HashShardDocument
{
    public long Revision { get; set; }

    public int Index { get; set; }

    public List<HashShardUser> Users { get; set; } = [];
}

/// <summary>A user's password hashes in a hash shard.</summary>
public sealed class HashShardUser
{
    public string Name { get; set; } = "";

    public List<string> Hashes { get; set; } = [];
}
