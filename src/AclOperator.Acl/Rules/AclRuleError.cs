namespace AclOperator.Acl.Rules;

/// <summary>Why a rule failed (Redis's errno values in <c>ACLSetUser</c>).</summary>
public enum AclRuleError
{
    None = 0,
    /// <summary>EINVAL.</summary>
    SyntaxError,
    /// <summary>ENOENT.</summary>
    UnknownCommandOrCategory,
    /// <summary>EEXIST.</summary>
    PatternAfterAllKeys,
    /// <summary>EISDIR.</summary>
    PatternAfterAllChannels,
    /// <summary>ENODEV.</summary>
    PasswordNotFound,
    /// <summary>EBADMSG.</summary>
    BadPasswordHash,
    /// <summary>EALREADY (redis.conf only).</summary>
    DuplicateUser,
    /// <summary>ECHILD.</summary>
    FirstArgOfSubcommand,
    /// <summary>The fallback text.</summary>
    WrongFormat,
}
