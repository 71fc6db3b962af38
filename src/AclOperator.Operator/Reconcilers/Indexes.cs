using AclOperator.Api.V1Alpha1;
using AclOperator.Operator.Runtime;

namespace AclOperator.Operator.Reconcilers;

/// <summary>
/// Cache indexes that link objects across kinds and namespaces (O10: cross-namespace links are indexes, never
/// ownerReferences): users by server, by referenced Secret and by referenced RedisAcl.
/// </summary>
public static class Indexes
{
    /// <summary>RedisAclUser → <c>ns/name</c> of its RedisAclServer.</summary>
    public const string UserServer = "server";

    /// <summary>RedisAclUser → <c>ns/name</c> of every Secret it references (generated one included).</summary>
    public const string UserSecret = "secret";

    /// <summary>RedisAclUser → <c>ns/name</c> of every RedisAcl it names.</summary>
    public const string UserAcl = "acl";

    /// <summary>RedisAclServer → <c>ns/name</c> of every Secret its default user references.</summary>
    public const string ServerSecret = "secret";

    /// <summary>Adds the user indexes to the shared user informer once, whoever asks first (before the informers start).</summary>
    public static void AddUserIndexes(SharedInformer<RedisAclUser> users)
    {
        ArgumentNullException.ThrowIfNull(users);
        lock (users)
        {
            if (!users.Cache.HasIndex(UserServer))
            {
                users.Cache.AddIndex(UserServer, UserServerIndex);
                users.Cache.AddIndex(UserSecret, UserSecretIndex);
                users.Cache.AddIndex(UserAcl, UserAclIndex);
            }
        }
    }

    public static ObjectKey ServerOf(RedisAclUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var ns = user.Metadata.NamespaceProperty ?? "";
        return new ObjectKey(user.Spec?.ServerRef?.Namespace ?? ns, user.Spec?.ServerRef?.Name ?? "");
    }

    public static IEnumerable<string> UserServerIndex(RedisAclUser user) => [ServerOf(user).ToString()];

    public static IEnumerable<string> UserSecretIndex(RedisAclUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var ns = user.Metadata.NamespaceProperty ?? "";
        foreach (var p in (user.Spec?.Passwords ?? []).Concat(user.Spec?.PasswordHashes ?? []))
        {
            if (p?.SecretKeyRef?.Name is { Length: > 0 } name)
            {
                yield return ns + "/" + name;
            }
        }

        if (user.Spec?.GeneratePassword == true)
        {
            yield return ns + "/" + RedisAclUser.GeneratedSecretName(user.Metadata.Name);
        }
    }

    public static IEnumerable<string> UserAclIndex(RedisAclUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var ns = user.Metadata.NamespaceProperty ?? "";
        return (user.Spec?.Acls ?? []).Where(a => !string.IsNullOrEmpty(a)).Select(a => ns + "/" + a).Distinct(StringComparer.Ordinal);
    }

    public static IEnumerable<string> ServerSecretIndex(RedisAclServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var ns = server.Metadata.NamespaceProperty ?? "";
        var d = server.Spec?.DefaultUser;
        foreach (var p in (d?.Passwords ?? []).Concat(d?.PasswordHashes ?? []))
        {
            if (p?.SecretKeyRef?.Name is { Length: > 0 } name)
            {
                yield return ns + "/" + name;
            }
        }
    }

    public static ObjectKey ParseKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        int slash = key.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? new ObjectKey("", key) : new ObjectKey(key[..slash], key[(slash + 1)..]);
    }
}
