using AclOperator.Acl.Users;

namespace AclOperator.Server.AclRuntime;

/// <summary>An immutable published ACL: the user table and the epoch connections compare on every command (E5).</summary>
/// <param name="Users">Never mutated after publication.</param>
/// <param name="Epoch">Increases with every change.</param>
public sealed record AclSnapshot(AclUserTable Users, long Epoch);
