namespace AclOperator.Acl.Rules;

/// <summary>The exact reason texts Redis 7.4 prints for each <see cref="AclRuleError"/> (<c>ACLSetUserStringError</c>).</summary>
public static class AclRuleErrors
{
    public static string Message(AclRuleError error) => error switch
    {
        AclRuleError.UnknownCommandOrCategory => "Unknown command or category name in ACL",
        AclRuleError.SyntaxError => "Syntax error",
        AclRuleError.PatternAfterAllKeys =>
            "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns",
        AclRuleError.PatternAfterAllChannels =>
            "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels",
        AclRuleError.PasswordNotFound => "The password you are trying to remove from the user does not exist",
        AclRuleError.BadPasswordHash =>
            "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters",
        AclRuleError.DuplicateUser => "Duplicate user found. A user can only be defined once in config files",
        AclRuleError.FirstArgOfSubcommand => "Allowing first-arg of a subcommand is not supported",
        _ => "Wrong format",
    };
}
