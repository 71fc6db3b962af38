namespace AclOperator.Server.Backend;

/// <summary>The data store behind the enforcement server (embedded Garnet, or an upstream Redis-protocol server).</summary>
public interface IBackend : IAsyncDisposable
{
    /// <summary>Short name for INFO, logs and /status (e.g. <c>embedded-garnet</c>).</summary>
    string Name { get; }

    /// <summary>
    /// Full lowercase command names (<c>get</c>, <c>config|get</c>) the backend implements, from its own COMMAND
    /// reply, so commands the ACL allows but the backend lacks are answered with a Redis-shaped error (E18).
    /// </summary>
    IReadOnlySet<string> SupportedCommands { get; }

    /// <summary>True when the backend can take new sessions.</summary>
    bool IsHealthy { get; }

    /// <summary>False when the backend cannot speak RESP3: HELLO 3 is then refused (E7).</summary>
    bool SupportsResp3 => true;

    /// <summary>
    /// True when the backend's error texts differ from Redis's wording and are rewritten
    /// (<see cref="BackendErrorText"/>); an upstream Redis/Valkey already speaks Redis's words.
    /// </summary>
    bool RewritesErrorTexts => false;

    /// <summary>
    /// The store's memory when this server enforces <c>maxmemory</c> itself (E17); null when the backend enforces its
    /// own limit (an upstream Redis answers OOM itself, and that reply passes through).
    /// </summary>
    IStoreMemory? Memory => null;

    /// <summary>Opens a session for one client connection.</summary>
    IBackendSession OpenSession(IBackendReplySink sink);
}
