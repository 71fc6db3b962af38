namespace AclOperator.Api.Compilation;

/// <summary>The <c>reason</c> of a <c>Valid=False</c> condition.</summary>
public static class DiagnosticReasons
{
    /// <summary>A rule fails as ACL SETUSER would; the message is Redis's error.</summary>
    public const string InvalidRules = "InvalidRules";

    /// <summary>A password, hash, nopass or on/off inside rules (they have their own fields).</summary>
    public const string ForbiddenRule = "ForbiddenRule";

    /// <summary>A required field is missing or a value is out of the schema.</summary>
    public const string InvalidSpec = "InvalidSpec";

    /// <summary><c>acls</c> names neither a RedisAcl in the namespace nor a built-in rule set.</summary>
    public const string UnknownAcl = "UnknownAcl";

    /// <summary>A referenced RedisAcl is itself invalid.</summary>
    public const string AclInvalid = "AclInvalid";

    /// <summary>The username is <c>default</c> or starts with <c>_aclop</c>, or a RedisAcl takes a built-in name (O1).</summary>
    public const string ReservedName = "ReservedName";

    /// <summary>The username contains a space or NUL (Redis's own rule).</summary>
    public const string InvalidUsername = "InvalidUsername";

    /// <summary>An older object claims the same username (O1).</summary>
    public const string UsernameConflict = "UsernameConflict";

    /// <summary><c>noPassword</c> together with passwords, hashes or a generated password.</summary>
    public const string PasswordConflict = "PasswordConflict";

    /// <summary>A referenced Secret or key does not exist (authoritative: fail closed, O8).</summary>
    public const string SecretNotFound = "SecretNotFound";

    /// <summary>A Secret the operator would write exists without its ownerReference: never adopted (O3, fail closed).</summary>
    public const string SecretConflict = "SecretConflict";

    /// <summary>A Secret could not be read now (transient: keep the last published entry, O8).</summary>
    public const string SecretUnavailable = "SecretUnavailable";

    /// <summary>A <c>passwordHashes</c> value is not 64 lowercase hex characters.</summary>
    public const string InvalidPasswordHash = "InvalidPasswordHash";

    /// <summary>The user's namespace is not in the server's <c>userNamespaces</c>.</summary>
    public const string NamespaceNotAdmitted = "NamespaceNotAdmitted";

    /// <summary>The user's effective permissions exceed its namespace's ceiling (O2).</summary>
    public const string CeilingExceeded = "CeilingExceeded";

    /// <summary>A <c>userNamespaces[].ceiling</c> is not one valid selector-free rule.</summary>
    public const string InvalidCeiling = "InvalidCeiling";

    /// <summary>The user's <c>serverRef</c> names another server than the one compiled.</summary>
    public const string ServerRefMismatch = "ServerRefMismatch";

    /// <summary>Two objects of one kind with the same namespace and name.</summary>
    public const string DuplicateObject = "DuplicateObject";
}
