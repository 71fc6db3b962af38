namespace AclOperator.Api.Snapshots;

/// <summary>One user of a published snapshot.</summary>
/// <param name="Name">The username (byte-string, AclText).</param>
/// <param name="Rules">ACL LIST's description without the <c>#hash</c> entries (byte-string).</param>
/// <param name="Hashes">SHA-256 hex password hashes.</param>
/// <param name="Since">The revision at which this entry last changed.</param>
/// <param name="Fingerprint">HMAC-SHA-256 of the entry under the server's key (O4), for Enforced (O12).</param>
public sealed record SnapshotEntry(string Name, string Rules, IReadOnlyList<string> Hashes, long Since, string Fingerprint)
{
    /// <summary>The object the entry comes from, as <see cref="SnapshotUser.Source"/>.</summary>
    public string? Source { get; init; }
}
