using AclOperator.Acl.Users;

namespace AclOperator.Server.AclRuntime;

/// <summary>The outcome of a persisted ACL SETUSER: the stored user, or the error after <c>ERR </c>.</summary>
public sealed record RuntimeUserChange(AclUser? User, string? Error);
