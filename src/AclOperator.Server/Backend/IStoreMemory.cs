namespace AclOperator.Server.Backend;

/// <summary>
/// E17: the memory accounting of a store whose <c>maxmemory</c> this server enforces itself (the embedded store).
/// Commands Redis flags <c>denyoom</c> are refused with Redis's OOM error before the store would have to evict data.
/// </summary>
public interface IStoreMemory
{
    /// <summary>Bytes the data set occupies now (records, their heap objects, space not yet compacted).</summary>
    long UsedBytes { get; }

    /// <summary>The level above which commands that may grow the data set are refused.</summary>
    long LimitBytes { get; }

    /// <summary>False when a command adding about <paramref name="incomingBytes"/> must be refused with OOM.</summary>
    bool Admits(long incomingBytes);

    /// <summary>
    /// False when selecting database <paramref name="index"/> would create it (each database allocates its own index
    /// and pages) without room for it under the limit.
    /// </summary>
    bool AdmitsDatabase(int index);
}
