namespace AclOperator.Api.Snapshots;

/// <summary>What a publish did.</summary>
/// <param name="Revision">The revision now published (unchanged when nothing changed).</param>
/// <param name="Changed">False when the snapshot already held exactly these users: nothing was written.</param>
/// <param name="ShardsWritten">Rules and hash shard objects written (each counts once).</param>
/// <param name="Entries">The published entries by username.</param>
/// <param name="ChangedUsers">Users added, changed or removed by this publish.</param>
public sealed record PublishOutcome(long Revision, bool Changed, int ShardsWritten, IReadOnlyDictionary<string, SnapshotEntry> Entries, IReadOnlyCollection<string> ChangedUsers);
