namespace AclOperator.Acl.Users;

/// <summary>Outcome of applying a rule list to a user.</summary>
/// <param name="User">The new user (a fresh object) on success; null on error.</param>
/// <param name="Error">
/// On error, the text after <c>ERR </c> exactly as Redis replies it, e.g.
/// <c>Error in ACL SETUSER modifier '+nosuch': Unknown command or category name in ACL</c> (byte-string, CR/LF mapped to spaces).
/// </param>
public readonly record struct SetUserResult(AclUser? User, string? Error)
{
    public bool Succeeded => Error is null;
}
