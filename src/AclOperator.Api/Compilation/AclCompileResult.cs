using AclOperator.Acl.Users;

namespace AclOperator.Api.Compilation;

/// <summary>
/// The compiled ACL of one server: every valid user in <see cref="Table"/>, and for every object that has no effect
/// its diagnostics. An invalid user never removes another user (per-object validity).
/// </summary>
public sealed class AclCompileResult
{
    internal AclCompileResult(AclUserTable table, IReadOnlyList<AclDiagnostic> diagnostics, IReadOnlyList<CompiledUser> users)
    {
        Table = table;
        Diagnostics = diagnostics;
        Users = users;
    }

    /// <summary>The users, with <c>default</c>; publish it as ACL LOAD would.</summary>
    public AclUserTable Table { get; }

    /// <summary>Every problem, in input order (server, RedisAcls, RedisAclUsers).</summary>
    public IReadOnlyList<AclDiagnostic> Diagnostics { get; }

    /// <summary>The compiled users, <c>default</c> first when a server was given, then in input order.</summary>
    public IReadOnlyList<CompiledUser> Users { get; }

    /// <summary>True when every object is valid.</summary>
    public bool Succeeded => Diagnostics.Count == 0;

    /// <summary>ACL LIST / aclfile lines of the table (byte-strings), in Redis's order.</summary>
    public IReadOnlyList<string> AclListLines => Table.ListLines();

    public IReadOnlyList<AclDiagnostic> DiagnosticsFor(ObjectRef subject) =>
        Diagnostics.Where(d => d.Subject == subject).ToList();

    public CompiledUser? UserFor(ObjectRef source) => Users.FirstOrDefault(u => u.Source == source);
}
