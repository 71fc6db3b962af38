namespace AclOperator.Server.Configuration;

/// <summary>What aclop-server does with a directive (E3: security directives are never silently ignored).</summary>
public enum DirectiveSupport
{
    /// <summary>Parsed, validated, stored and acted on.</summary>
    Implemented,

    /// <summary>Parsed and validated, but only the values aclop-server can honour are accepted; others fail start-up.</summary>
    RestrictedValues,

    /// <summary>Any use fails start-up with a Redis-style error.</summary>
    Refused,

    /// <summary>Cosmetic: accepted and ignored with a warning.</summary>
    IgnoredWithWarning,
}
