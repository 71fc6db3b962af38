using AclOperator.Acl.Users;

namespace AclOperator.Server.AclRuntime;

/// <summary>An immutable published ACL: the user table and the epoch connections compare on every command (E5).</summary>
/// <param name="Users">Never mutated after publication.</param>
/// <param name="Epoch">Increases with every change.</param>
/// <param name="Revision">
/// The revision of the last complete table loaded (the source's, or <c>local-&lt;n&gt;</c>); runtime changes (ACL SETUSER,
/// DELUSER) keep it. Null until a table was loaded (O12: pods report the revision they enforce).
/// </param>
public sealed record AclSnapshot(AclUserTable Users, long Epoch, string? Revision = null);
