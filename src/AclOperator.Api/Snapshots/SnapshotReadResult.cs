namespace AclOperator.Api.Snapshots;

/// <summary>Why a snapshot could not be read.</summary>
public enum SnapshotReadStatus
{
    Loaded,

    /// <summary>No manifest exists yet: nothing was ever published.</summary>
    NotPublished,

    /// <summary>The API could not be reached or answered an error; the cause is in the message.</summary>
    Unavailable,

    /// <summary>Shards kept changing under the reader (or went missing) through every retry.</summary>
    Torn,

    /// <summary>The manifest or a shard is malformed, or has an unknown format version.</summary>
    Invalid,
}

/// <summary>A verified snapshot, or why there is none. Messages never contain a hash.</summary>
public sealed record SnapshotReadResult(SnapshotReadStatus Status, SnapshotContent? Content, string? Error)
{
    public static SnapshotReadResult Loaded(SnapshotContent content) => new(SnapshotReadStatus.Loaded, content, null);

    public static SnapshotReadResult Failed(SnapshotReadStatus status, string error) => new(status, null, error);
}
