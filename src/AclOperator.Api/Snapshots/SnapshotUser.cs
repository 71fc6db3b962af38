namespace AclOperator.Api.Snapshots;

/// <summary>A user to publish: name and rules as byte-strings (AclText), password hashes as SHA-256 hex.</summary>
public sealed record SnapshotUser(string Name, string Rules, IReadOnlyList<string> Hashes)
{
    /// <summary>The object the entry comes from (<c>RedisAclUser ns/name</c>), so a restarted operator can keep it (O8).</summary>
    public string? Source { get; init; }

    /// <summary>The user as the compiler built it: ACL LIST's description with the hashes taken out.</summary>
    public static SnapshotUser From(AclOperator.Acl.Users.AclUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return new SnapshotUser(user.Name, SnapshotCodec.RulesWithoutHashes(user), user.PasswordHashes.ToArray());
    }
}
