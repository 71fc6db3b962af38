namespace AclOperator.Api.Snapshots;

/// <summary>A complete, verified snapshot: every shard's checksum matched the manifest of <see cref="Revision"/>.</summary>
public sealed record SnapshotContent(long Revision, ManifestDocument Manifest, IReadOnlyList<SnapshotShard> Shards, string ManifestResourceVersion)
{
    /// <summary>Every entry, shard by shard.</summary>
    public IEnumerable<SnapshotEntry> Entries => Shards.SelectMany(s => s.Entries);

    public int UserCount => Shards.Sum(s => s.Entries.Count);
}

/// <summary>One verified shard pair (rules + hashes) with its decoded entries.</summary>
public sealed record SnapshotShard(int Index, ShardReference Rules, ShardReference Hashes, IReadOnlyList<SnapshotEntry> Entries);
