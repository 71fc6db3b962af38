using AclOperator.Api.Snapshots;

namespace AclOperator.Operator.Tests.Snapshots;

/// <summary>SnapshotEntry equality by value (the record compares its hash list by reference).</summary>
internal sealed class EntryComparer : IEqualityComparer<SnapshotEntry>
{
    public static readonly EntryComparer Instance = new();

    public bool Equals(SnapshotEntry? x, SnapshotEntry? y) =>
        x is not null && y is not null &&
        (x.Name, x.Rules, x.Since, x.Fingerprint) == (y.Name, y.Rules, y.Since, y.Fingerprint) &&
        x.Hashes.SequenceEqual(y.Hashes);

    public int GetHashCode(SnapshotEntry obj) => HashCode.Combine(obj.Name, obj.Rules, obj.Since);
}
