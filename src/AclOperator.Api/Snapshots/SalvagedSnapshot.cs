namespace AclOperator.Api.Snapshots;

/// <summary>
/// What a writer can still use of a published snapshot that stays torn: the manifest, its resourceVersion (the
/// precondition of the next flip) and, by index, each shard that verifies (null where one does not). Never applied by
/// a reader.
/// </summary>
/// <param name="Manifest">The manifest as stored.</param>
/// <param name="ManifestResourceVersion">The manifest ConfigMap's resourceVersion.</param>
/// <param name="Shards">One per manifest shard index: the verified shard, or null.</param>
/// <param name="Error">Why the snapshot does not verify (the first shard that does not; never a hash).</param>
public sealed record SalvagedSnapshot(ManifestDocument Manifest, string ManifestResourceVersion, IReadOnlyList<SnapshotShard?> Shards, string Error);
