namespace AclOperator.Api.Snapshots;

/// <summary>
/// The manifest changed under the publisher (another writer, e.g. a stale leader) or an object it must own belongs to
/// someone else. The publisher forgets its state; the caller retries after re-reading.
/// </summary>
public sealed class SnapshotConflictException : Exception
{
    public SnapshotConflictException()
    {
    }

    public SnapshotConflictException(string message)
        : base(message)
    {
    }

    public SnapshotConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
