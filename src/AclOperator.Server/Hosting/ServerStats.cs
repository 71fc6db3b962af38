namespace AclOperator.Server.Hosting;

/// <summary>
/// Server-wide counters for INFO stats (Redis's field names). CONFIG RESETSTAT moves a baseline instead of clearing the
/// connection counters, so metrics keep their totals since start.
/// </summary>
internal sealed class ServerStats
{
    private long _connectionsReceived;
    private long _commandsProcessed;
    private long _rejectedConnections;
    private long _unexpectedErrorReplies;
    private long _connectionsReceivedBase;
    private long _rejectedConnectionsBase;

    public long ConnectionsReceived => SinceReset(ref _connectionsReceived, ref _connectionsReceivedBase);

    public long CommandsProcessed => Interlocked.Read(ref _commandsProcessed);

    public long RejectedConnections => SinceReset(ref _rejectedConnections, ref _rejectedConnectionsBase);

    public long ErrorReplies => Interlocked.Read(ref _unexpectedErrorReplies);

    /// <summary>Connections accepted since start, including those then refused (maxclients, protected mode).</summary>
    public long TotalConnectionsReceived => Interlocked.Read(ref _connectionsReceived);

    /// <summary>Connections refused since start (maxclients, protected mode).</summary>
    public long TotalRejectedConnections => Interlocked.Read(ref _rejectedConnections);

    public void ConnectionReceived() => Interlocked.Increment(ref _connectionsReceived);

    public void CommandProcessed() => Interlocked.Increment(ref _commandsProcessed);

    public void ConnectionRejected() => Interlocked.Increment(ref _rejectedConnections);

    public void ErrorReplied() => Interlocked.Increment(ref _unexpectedErrorReplies);

    public void Reset()
    {
        Interlocked.Exchange(ref _commandsProcessed, 0);
        Interlocked.Exchange(ref _connectionsReceivedBase, Interlocked.Read(ref _connectionsReceived));
        Interlocked.Exchange(ref _rejectedConnectionsBase, Interlocked.Read(ref _rejectedConnections));
        Interlocked.Exchange(ref _unexpectedErrorReplies, 0);
    }

    // The baseline is read first: it only ever takes earlier values of the total, so the difference is never negative.
    private static long SinceReset(ref long total, ref long baseline)
    {
        long b = Interlocked.Read(ref baseline);
        return Interlocked.Read(ref total) - b;
    }
}
