namespace AclOperator.Server.AclRuntime;

/// <summary>What the ACL runtime needs to know about a live connection to apply Redis's kill rules (§7.4).</summary>
public interface IAclClient
{
    /// <summary>The name of the user the connection is bound to.</summary>
    string UserName { get; }

    /// <summary>True in pub/sub mode (at least one subscription).</summary>
    bool IsPubSub { get; }

    /// <summary>Snapshot of the channel, pattern and shard-channel subscriptions.</summary>
    void GetSubscriptions(List<byte[]> channels, List<byte[]> patterns, List<byte[]> shardChannels);

    /// <summary>Sets the client back to the default user, unauthenticated, and closes it after pending replies.</summary>
    void DeauthenticateAndClose();

    /// <summary>
    /// A new ACL was published. Live connections re-resolve their user on their next command (E5); a client blocked in
    /// a command (BLPOP…) is re-checked now, as Redis re-processes an unblocked client's command.
    /// </summary>
    void AclPublished(AclSnapshot snapshot);
}
