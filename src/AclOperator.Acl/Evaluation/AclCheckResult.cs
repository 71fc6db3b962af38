using AclOperator.Acl.Commands;
using AclOperator.Acl.Users;

namespace AclOperator.Acl.Evaluation;

/// <summary>The outcome of checking one command for one user.</summary>
/// <param name="Outcome">Allowed, or why not.</param>
/// <param name="ArgIndex">For key and channel denials: the argv index of the offending argument; otherwise 0.</param>
/// <param name="Error">For <see cref="AclCheckOutcome.InvalidArguments"/> and <see cref="AclCheckOutcome.DeniedSortPattern"/>: the full Redis error (with its <c>ERR</c> prefix).</param>
public readonly record struct AclCheckResult(AclCheckOutcome Outcome, int ArgIndex, string? Error = null)
{
    public static AclCheckResult Allowed => default;

    public bool IsAllowed => Outcome == AclCheckOutcome.Allowed;

    /// <summary>True for the ACL denials Redis logs and counts (command, key, channel).</summary>
    public bool IsAclDenial => Outcome is AclCheckOutcome.DeniedCommand or AclCheckOutcome.DeniedKey or AclCheckOutcome.DeniedChannel;

    /// <summary>
    /// The reply Redis sends when processCommand denies the command (without the leading <c>-</c>), e.g.
    /// <c>NOPERM User alice has no permissions to run the 'get' command</c>. Byte-string (see <see cref="AclText"/>).
    /// </summary>
    public string ErrorReply(AclUser user, RedisCommand command)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(command);
        return Outcome switch
        {
            AclCheckOutcome.DeniedCommand => $"NOPERM User {user.Name} has no permissions to run the '{command.FullName}' command",
            AclCheckOutcome.DeniedKey => "NOPERM No permissions to access a key",
            AclCheckOutcome.DeniedChannel => "NOPERM No permissions to access a channel",
            AclCheckOutcome.Allowed => throw new InvalidOperationException("The command is allowed."),
            _ => Error!,
        };
    }

    /// <summary>ACL DRYRUN's verbose text (a bulk string in the reply, not an error).</summary>
    public string DryRunText(AclUser user, RedisCommand command, CommandArgs argv)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(command);
        return Outcome switch
        {
            AclCheckOutcome.DeniedCommand => $"User {user.Name} has no permissions to run the '{command.FullName}' command",
            AclCheckOutcome.DeniedKey => $"User {user.Name} has no permissions to access the '{AclText.FromBytes(argv[ArgIndex])}' key",
            AclCheckOutcome.DeniedChannel => $"User {user.Name} has no permissions to access the '{AclText.FromBytes(argv[ArgIndex])}' channel",
            AclCheckOutcome.Allowed => throw new InvalidOperationException("The command is allowed."),
            _ => Error!,
        };
    }

    /// <summary>The reason used when EXEC re-checks a queued command (§6.3).</summary>
    public string ExecRecheckReply() =>
        "NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: " +
        Outcome switch
        {
            AclCheckOutcome.DeniedCommand => "no permission to execute the command or subcommand",
            AclCheckOutcome.DeniedKey => "no permission to touch the specified keys",
            AclCheckOutcome.DeniedChannel => "no permission to access one of the channels used as arguments",
            _ => throw new InvalidOperationException("Only ACL denials have an EXEC re-check reason."),
        };

    /// <summary>The ACL LOG <c>reason</c> field.</summary>
    public string LogReason => Outcome switch
    {
        AclCheckOutcome.DeniedCommand => "command",
        AclCheckOutcome.DeniedKey => "key",
        AclCheckOutcome.DeniedChannel => "channel",
        AclCheckOutcome.DeniedAuth => "auth",
        _ => throw new InvalidOperationException("Not a logged denial."),
    };
}
