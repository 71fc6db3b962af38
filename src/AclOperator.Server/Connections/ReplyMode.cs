namespace AclOperator.Server.Connections;

/// <summary>CLIENT REPLY state (local, E6).</summary>
internal enum ReplyMode
{
    On,
    Off,
    /// <summary>Drop the reply of the next command only.</summary>
    Skip,
    /// <summary>Internal: the command being run is the skipped one.</summary>
    Skipping,
}
