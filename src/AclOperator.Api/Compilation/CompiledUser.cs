using AclOperator.Acl.Users;

namespace AclOperator.Api.Compilation;

/// <summary>A user that compiled and is part of the table, with what its status shows.</summary>
/// <param name="Source">The RedisAclUser (or the RedisAclServer for <c>default</c>).</param>
/// <param name="Username">The Redis user name (UTF-8 text), prefix included.</param>
/// <param name="User">The engine's user, with its password hashes.</param>
/// <param name="RequestedRules">The rules applied, in order, without passwords (RedisAcl rules expanded).</param>
/// <param name="CanonicalRules">ACL LIST's description of the user without the <c>#hash</c> entries.</param>
/// <param name="PasswordCount">How many distinct password hashes the user has.</param>
public sealed record CompiledUser(
    ObjectRef Source,
    string Username,
    AclUser User,
    IReadOnlyList<string> RequestedRules,
    string CanonicalRules,
    int PasswordCount);
