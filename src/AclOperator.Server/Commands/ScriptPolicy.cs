using AclOperator.Acl.Commands;
using AclOperator.Acl.Evaluation;
using AclOperator.Acl.Users;

namespace AclOperator.Server.Commands;

/// <summary>
/// E8: scripts and functions run commands the enforcement layer cannot see, so EVAL, EVALSHA, EVAL_RO, EVALSHA_RO,
/// FCALL, FCALL_RO, SCRIPT LOAD and FUNCTION LOAD are allowed only for a user with one selector that has every
/// command, all keys read-write (allkeys or <c>~*</c>, never <c>%R~*</c>) and all channels — or when the server's
/// <c>trust-scripts</c> option is on. Enforcement, EXEC re-checks and ACL DRYRUN all go through <see cref="Check"/>.
/// </summary>
internal static class ScriptPolicy
{
    public static bool IsScriptCommand(RedisCommand cmd) => cmd.FullName is
        "eval" or "evalsha" or "eval_ro" or "evalsha_ro" or "fcall" or "fcall_ro" or "script|load" or "function|load";

    /// <summary>The ACL check, with the script rule applied to the commands above.</summary>
    public static AclCheckResult Check(AclUser user, RedisCommand cmd, CommandArgs argv, bool trustScripts)
    {
        var r = AclEvaluator.Check(user, cmd, argv);
        if (r.IsAllowed && IsScriptCommand(cmd) && !trustScripts && !IsUnrestricted(user))
        {
            return new AclCheckResult(AclCheckOutcome.DeniedCommand, 0);
        }

        return r;
    }

    /// <summary>True when the denial came from the script rule rather than the user's command rules.</summary>
    public static bool IsScriptDenial(AclCheckResult r, RedisCommand cmd, AclUser user, bool trustScripts) =>
        r.Outcome == AclCheckOutcome.DeniedCommand && IsScriptCommand(cmd) && !trustScripts &&
        user.Selectors.Any(s => s.AllCommands || s.HasCommandBit(cmd.Id));

    public static string DenialText(AclUser user, RedisCommand cmd) =>
        $"NOPERM User {user.Name} has no permissions to run the '{cmd.FullName}' command: scripts and functions are allowed only for users with a selector granting all commands, all keys read-write and all channels (or with the server's trust-scripts option)";

    /// <summary>One selector with every command, all keys read-write and all channels.</summary>
    public static bool IsUnrestricted(AclUser user)
    {
        foreach (var s in user.Selectors)
        {
            bool allKeys = s.AllKeys || s.KeyPatterns.Any(p => p.Permission == KeyPermission.ReadWrite && p.Pattern is [(byte)'*']);
            if (!allKeys || !s.AllChannels)
            {
                continue;
            }

            if (s.AllCommands || HasEveryCommand(s))
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasEveryCommand(AclSelector s)
    {
        var table = CommandTable.Redis74;
        for (int id = 0; id < table.Count; id++)
        {
            if (!s.HasCommandBit(id))
            {
                return false;
            }
        }

        return true;
    }
}
