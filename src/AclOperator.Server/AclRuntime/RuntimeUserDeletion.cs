namespace AclOperator.Server.AclRuntime;

/// <summary>The outcome of a persisted ACL DELUSER: the names the store held and no longer holds, or the error after <c>ERR </c>.</summary>
public sealed record RuntimeUserDeletion(IReadOnlyCollection<string> Deleted, string? Error);
