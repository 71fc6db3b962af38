using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AclOperator.Acl.Passwords;
using AclOperator.Acl.Rendering;
using AclOperator.Acl.Users;

namespace AclOperator.Api.Snapshots;

/// <summary>
/// The wire format of snapshot shards (gzip over JSON) and the keyed fingerprints (O4, O6). Names and rules are
/// byte-strings; JSON carries them as U+0000–U+00FF text, so every Redis name round-trips exactly.
/// </summary>
public static class SnapshotCodec
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>ACL LIST's description of <paramref name="user"/> without the <c>#hash</c> entries (byte-string).</summary>
    public static string RulesWithoutHashes(AclUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var description = AclUserRenderer.Describe(user);
        int flagsLength = AclUserRenderer.Flags(user).Sum(f => f.Length + 1);
        int hashesLength = user.PasswordHashes.Count * (PasswordHasher.HashHexLength + 2);
        return description[..flagsLength] + description[(flagsLength + hashesLength)..];
    }

    /// <summary>HMAC-SHA-256 of one entry (name, rules, hashes) under the server's key, hex.</summary>
    public static string Fingerprint(ReadOnlySpan<byte> key, string name, string rules, IReadOnlyList<string> hashes)
    {
        ArgumentNullException.ThrowIfNull(hashes);
        var text = new StringBuilder(name.Length + rules.Length + 2 + hashes.Count * 65)
            .Append(name).Append('\0').Append(rules).Append('\0');
        foreach (var h in hashes.Order(StringComparer.Ordinal))
        {
            text.Append(h).Append(',');
        }

        return Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.Latin1.GetBytes(text.ToString())));
    }

    /// <summary>Plain SHA-256 (hex) of a rules shard's bytes: rules hold no secret.</summary>
    public static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>HMAC-SHA-256 (hex) of a hash shard's bytes: a plain digest would be an offline-guessing target (O4).</summary>
    public static string Hmac(ReadOnlySpan<byte> key, ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(HMACSHA256.HashData(key, bytes));

    public static byte[] EncodeRulesShard(RulesShardDocument shard) => Gzip(JsonSerializer.SerializeToUtf8Bytes(shard, Json));

    public static byte[] EncodeHashShard(HashShardDocument shard) => Gzip(JsonSerializer.SerializeToUtf8Bytes(shard, Json));

    public static RulesShardDocument DecodeRulesShard(byte[] bytes) =>
        JsonSerializer.Deserialize<RulesShardDocument>(Gunzip(bytes), Json) ?? throw new InvalidDataException("empty rules shard");

    public static HashShardDocument DecodeHashShard(byte[] bytes) =>
        JsonSerializer.Deserialize<HashShardDocument>(Gunzip(bytes), Json) ?? throw new InvalidDataException("empty hash shard");

    public static string EncodeManifest(ManifestDocument manifest) => JsonSerializer.Serialize(manifest, Json);

    public static ManifestDocument DecodeManifest(string json) =>
        JsonSerializer.Deserialize<ManifestDocument>(json, Json) ?? throw new InvalidDataException("empty manifest");

    public static byte[] EncodeRuntimeUsers(RuntimeUsersDocument users) => JsonSerializer.SerializeToUtf8Bytes(users, Json);

    public static RuntimeUsersDocument DecodeRuntimeUsers(byte[]? bytes) =>
        bytes is null || bytes.Length == 0
            ? new RuntimeUsersDocument()
            : JsonSerializer.Deserialize<RuntimeUsersDocument>(bytes, Json) ?? new RuntimeUsersDocument();

    private static byte[] Gzip(byte[] raw)
    {
        using var output = new MemoryStream();
        using (var gz = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            gz.Write(raw);
        }

        return output.ToArray();
    }

    private static byte[] Gunzip(byte[] compressed)
    {
        using var input = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}
