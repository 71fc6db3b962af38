namespace AclOperator.Server.Configuration;

/// <summary>Raised after a successful CONFIG SET: the old and new snapshots and the canonical names that changed value.</summary>
public sealed class ConfigChangedEventArgs(ServerConfig previous, ServerConfig current, IReadOnlyList<string> changed) : EventArgs
{
    public ServerConfig Previous { get; } = previous;

    public ServerConfig Current { get; } = current;

    /// <summary>Canonical names whose value changed, in CONFIG SET argument order.</summary>
    public IReadOnlyList<string> Changed { get; } = changed;
}
