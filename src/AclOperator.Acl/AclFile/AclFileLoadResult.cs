using AclOperator.Acl.Users;

namespace AclOperator.Acl.AclFile;

/// <summary>Outcome of reading an aclfile: a complete new user table, or every error and no table.</summary>
public sealed class AclFileLoadResult
{
    public const string NoChangeWarning = "WARNING: ACL errors detected, no change to the previously active ACL rules was performed";

    internal AclFileLoadResult(AclUserTable? table, IReadOnlyList<AclFileError> errors)
    {
        Table = table;
        Errors = errors;
    }

    /// <summary>The loaded users (always with a default user) when there were no errors.</summary>
    public AclUserTable? Table { get; }

    public IReadOnlyList<AclFileError> Errors { get; }

    public bool Succeeded => Table is not null;

    /// <summary>
    /// ACL LOAD's error text after <c>ERR </c>: the fragments concatenated, then <see cref="NoChangeWarning"/>; CR and LF
    /// mapped to spaces (Redis sends them raw, which can break RESP: spec §10.9).
    /// </summary>
    public string? ErrorMessage => Table is not null
        ? null
        : AclUserRules.SanitizeLine(string.Concat(Errors.Select(e => e.Fragment)) + NoChangeWarning);
}
