using AclOperator.Acl.Commands;

namespace AclOperator.Acl;

/// <summary>What rule application depends on besides the rules: the command table and <c>acl-pubsub-default</c>.</summary>
/// <param name="Commands">The command table (Redis 7.4 by default).</param>
/// <param name="PubsubDefaultAllChannels">True when <c>acl-pubsub-default</c> is <c>allchannels</c>.</param>
public sealed record AclOptions(CommandTable Commands, bool PubsubDefaultAllChannels = false)
{
    /// <summary>Redis 7.4 commands, <c>acl-pubsub-default resetchannels</c> (Redis's default since 7.0).</summary>
    public static AclOptions Default { get; } = new(CommandTable.Redis74);
}
