using AclOperator.Acl;

namespace AclOperator.Server.AclRuntime;

/// <summary>
/// A source that persists client changes of the ACL (ACL SETUSER / DELUSER) before the server applies them, so every
/// replica converges on them (Kubernetes mode, O9). <see cref="AclManager"/> calls it with its load gate held, so
/// a persisted change and a reload never interleave.
/// </summary>
public interface IWriteThroughAclSource : IAclSource
{
    /// <summary>
    /// Computes the user that <paramref name="rules"/> make of <paramref name="name"/> and stores it; returns that user
    /// to apply locally, or the error after <c>ERR </c> with nothing stored.
    /// </summary>
    Task<RuntimeUserChange> SetUserAsync(string name, IReadOnlyList<byte[]> rules, AclOptions options, CancellationToken cancellationToken);

    /// <summary>Removes <paramref name="names"/> from the store; returns the names it held, or the error after <c>ERR </c> with nothing removed.</summary>
    Task<RuntimeUserDeletion> DeleteUsersAsync(IReadOnlyList<string> names, CancellationToken cancellationToken);
}
