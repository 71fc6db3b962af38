namespace AclOperator.Server.Hosting;

/// <summary>Server-wide counters for INFO stats (Redis's field names).</summary>
internal sealed class ServerStats
{
    private long _connectionsReceived;
    private long _commandsProcessed;
    private long _rejectedConnections;
    private long _unexpectedErrorReplies;

    public long ConnectionsReceived => Interlocked.Read(ref _connectionsReceived);

    public long CommandsProcessed => Interlocked.Read(ref _commandsProcessed);

    public long RejectedConnections => Interlocked.Read(ref _rejectedConnections);

    public long ErrorReplies => Interlocked.Read(ref _unexpectedErrorReplies);

    public void ConnectionReceived() => Interlocked.Increment(ref _connectionsReceived);

    public void CommandProcessed() => Interlocked.Increment(ref _commandsProcessed);

    public void ConnectionRejected() => Interlocked.Increment(ref _rejectedConnections);

    public void ErrorReplied() => Interlocked.Increment(ref _unexpectedErrorReplies);

    public void Reset()
    {
        Interlocked.Exchange(ref _commandsProcessed, 0);
        Interlocked.Exchange(ref _connectionsReceived, 0);
        Interlocked.Exchange(ref _rejectedConnections, 0);
        Interlocked.Exchange(ref _unexpectedErrorReplies, 0);
    }
}
