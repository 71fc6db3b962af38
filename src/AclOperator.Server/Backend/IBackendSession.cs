namespace AclOperator.Server.Backend;

/// <summary>
/// One backend session per client connection, so db, MULTI, WATCH, blocking and pub/sub state keep their meaning.
/// Not thread-safe: one call at a time.
/// </summary>
public interface IBackendSession : IDisposable
{
    /// <summary>
    /// Runs complete RESP request frames (one or more, multibulk only). For the embedded backend every reply for these
    /// requests has been delivered to the sink when this returns. Must not be used for commands that can block.
    /// </summary>
    void Execute(ReadOnlySpan<byte> requests);

    /// <summary>
    /// As <see cref="Execute"/>, for the hot path: a backend whose replies arrive asynchronously (an upstream server)
    /// completes the task once every reply was delivered through <see cref="IBackendReplySink.OnBatchReply"/>, without
    /// holding a thread meanwhile. The embedded backend replies synchronously.
    /// </summary>
    ValueTask ExecuteAsync(ReadOnlyMemory<byte> requests)
    {
        Execute(requests.Span);
        return default;
    }

    /// <summary>
    /// True for a placeholder session standing in for a backend that could not be reached: it held no state, so the
    /// connection may open a new session for its next command (unlike a lost session, E13).
    /// </summary>
    bool CanReopen => false;

    /// <summary>
    /// Runs one request that may block (BLPOP, WAIT, XREAD BLOCK, …) without holding a thread-pool thread: the call
    /// runs on a dedicated thread and completes when its reply was delivered to the sink. <see cref="Unblock"/> or
    /// disposing the session wakes it.
    /// </summary>
    Task ExecuteBlockingAsync(ReadOnlyMemory<byte> request, CancellationToken cancellationToken);

    /// <summary>Wakes a blocked call as CLIENT UNBLOCK would (it replies its timeout reply). Returns false if nothing was blocked.</summary>
    bool Unblock(bool withError);

    /// <summary>True once the backend closed the session.</summary>
    bool IsClosed { get; }
}
