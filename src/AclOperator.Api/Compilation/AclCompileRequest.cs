using AclOperator.Acl;
using AclOperator.Api.V1Alpha1;

namespace AclOperator.Api.Compilation;

/// <summary>Everything one server's ACL is compiled from.</summary>
public sealed record AclCompileRequest
{
    /// <summary>
    /// The server: its <c>defaultUser</c>, namespace and <c>userNamespaces</c> apply. Null (local mode without a
    /// RedisAclServer): the stock default user (<c>on nopass ~* &amp;* +@all</c>, as Redis) and every object in one namespace.
    /// </summary>
    public RedisAclServer? Server { get; init; }

    public IReadOnlyList<RedisAcl> Acls { get; init; } = [];

    /// <summary>The users bound to the server.</summary>
    public IReadOnlyList<RedisAclUser> Users { get; init; } = [];

    public required ISecretResolver Secrets { get; init; }

    /// <summary>The command table and <c>acl-pubsub-default</c> the users are built with.</summary>
    public AclOptions Options { get; init; } = AclOptions.Default;
}
