using AclOperator.Acl;
using AclOperator.Acl.Users;

namespace AclOperator.Server.AclRuntime;

/// <summary>Where ACL LOAD reads users from and ACL SAVE writes them to: an aclfile, Kubernetes objects, CR files.</summary>
public interface IAclSource
{
    /// <summary>For logs and /status, e.g. <c>aclfile /etc/redis/users.acl</c>.</summary>
    string Description { get; }

    /// <summary>Reads a complete table; on failure the error text after <c>ERR </c>, exactly as Redis replies it.</summary>
    Task<AclSourceResult> LoadAsync(AclOptions options, CancellationToken cancellationToken);

    /// <summary>Persists the table atomically; returns null on success or the error text after <c>ERR </c>.</summary>
    Task<string?> SaveAsync(AclUserTable table, CancellationToken cancellationToken);
}

/// <summary>A loaded table or the reason it could not be loaded.</summary>
/// <param name="Table">The users, including default.</param>
/// <param name="Error">The error after <c>ERR </c>.</param>
/// <param name="Revision">
/// The revision the source names this table by (the Kubernetes source: the manifest revision), published in /status and
/// metrics; null lets the server count <c>local-&lt;n&gt;</c>. Never a raw hash of anything holding password hashes (O4).
/// </param>
public sealed record AclSourceResult(AclUserTable? Table, string? Error, string? Revision = null)
{
    /// <summary>
    /// The source's content is exactly what is enforced now (a watched source re-read it to verify): nothing is swapped,
    /// no connection is touched and no reload is counted. <see cref="Table"/> and <see cref="Error"/> are null.
    /// </summary>
    public bool Unchanged { get; init; }

    /// <summary>
    /// O15 (Kubernetes mode): users whose revoked credentials reach live sessions. Besides ACL LOAD's rule (connections
    /// of deleted users close), connections of these users close when the user was disabled or lost a password (or
    /// <c>nopass</c>), as CLIENT KILL USER would: revoking a credential in a RedisAclUser must not leave sessions open.
    /// Null (Redis's ACL LOAD, and runtime users, which follow ACL SETUSER's rule on every replica) closes none of them.
    /// </summary>
    public IReadOnlySet<string>? RevokeSessionsOf { get; init; }

    /// <summary>Called once <see cref="Table"/> is enforced (ACL LOAD, a watched source or start-up), outside the ACL's locks.</summary>
    public Action? Applied { get; init; }
}
