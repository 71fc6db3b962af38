namespace AclOperator.Server.Backend;

/// <summary>Receives what a backend session sends back to its client connection.</summary>
public interface IBackendReplySink
{
    /// <summary>
    /// RESP reply bytes, in order. Called on the calling thread during <see cref="IBackendSession.Execute"/> for the
    /// replies to that call, and from backend threads at any other time for pub/sub messages (pushes). Calls never
    /// overlap: the backend serialises them. The span is only valid during the call.
    /// </summary>
    void OnReply(ReadOnlySpan<byte> reply);

    /// <summary>
    /// Reply bytes of the <see cref="IBackendSession.Execute"/> / <see cref="IBackendSession.ExecuteAsync"/> call in
    /// progress, delivered by a backend that reads replies on its own thread (an upstream server). The caller of that
    /// call is waiting, so these bytes join its reply exactly as if delivered on its own thread.
    /// </summary>
    void OnBatchReply(ReadOnlySpan<byte> reply) => OnReply(reply);

    /// <summary>The backend ended the session (protocol error, backend shutdown, lost connection).</summary>
    void OnClosed(string reason);
}
