using AclOperator.Acl.Users;

namespace AclOperator.Api.Compilation;

/// <summary>
/// The compiled ACL of one server: every valid user in <see cref="Table"/>, and for every object that has no effect
/// its diagnostics. An invalid user never removes another user (per-object validity).
/// </summary>
public sealed class AclCompileResult
{
    private readonly Dictionary<ObjectRef, CompiledUser> _usersBySource;
    private readonly Dictionary<ObjectRef, IReadOnlyList<AclDiagnostic>> _diagnosticsBySubject;

    internal AclCompileResult(AclUserTable table, IReadOnlyList<AclDiagnostic> diagnostics, IReadOnlyList<CompiledUser> users)
    {
        Table = table;
        Diagnostics = diagnostics;
        Users = users;

        // Indexed once: the operator asks for every user of the server after each compile (a scan per user was O(n^2)).
        _usersBySource = new Dictionary<ObjectRef, CompiledUser>();
        foreach (var u in users)
        {
            _usersBySource.TryAdd(u.Source, u);
        }

        _diagnosticsBySubject = diagnostics.GroupBy(d => d.Subject).ToDictionary(g => g.Key, g => (IReadOnlyList<AclDiagnostic>)g.ToList());
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

    public IReadOnlyList<AclDiagnostic> DiagnosticsFor(ObjectRef subject) => _diagnosticsBySubject.GetValueOrDefault(subject) ?? [];

    public CompiledUser? UserFor(ObjectRef source) => _usersBySource.GetValueOrDefault(source);
}
