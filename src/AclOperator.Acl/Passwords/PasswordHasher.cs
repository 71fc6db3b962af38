using System.Buffers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace AclOperator.Acl.Passwords;

/// <summary>Redis ACL password hashing: SHA-256 rendered as 64 lowercase hex characters.</summary>
public static class PasswordHasher
{
    /// <summary>Length of a hash in hex characters (Redis's HASH_PASSWORD_LEN).</summary>
    public const int HashHexLength = SHA256.HashSizeInBytes * 2;

    private static readonly SearchValues<char> LowerHexChars = SearchValues.Create("0123456789abcdef");
    private static readonly SearchValues<byte> LowerHexBytes = SearchValues.Create("0123456789abcdef"u8);

    /// <summary>The lowercase hex SHA-256 of the (binary-safe) password.</summary>
    public static string Hash(ReadOnlySpan<byte> password)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(password, digest);
        return Convert.ToHexStringLower(digest);
    }

    /// <summary>Writes the 64 lowercase hex characters of the SHA-256 of the password; no allocation.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 64.</exception>
    public static void Hash(ReadOnlySpan<byte> password, Span<char> destination)
    {
        if (destination.Length < HashHexLength)
        {
            throw new ArgumentException($"The destination must hold at least {HashHexLength} characters.", nameof(destination));
        }

        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(password, digest);
        _ = Convert.TryToHexStringLower(digest, destination, out _);
    }

    /// <summary>Writes the 64 lowercase hex characters of the SHA-256 of the password as ASCII bytes; no allocation.</summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 64.</exception>
    public static void HashToUtf8(ReadOnlySpan<byte> password, Span<byte> destination)
    {
        if (destination.Length < HashHexLength)
        {
            throw new ArgumentException($"The destination must hold at least {HashHexLength} bytes.", nameof(destination));
        }

        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(password, digest);
        ReadOnlySpan<byte> hex = "0123456789abcdef"u8;
        for (int i = 0; i < digest.Length; i++)
        {
            destination[2 * i] = hex[digest[i] >> 4];
            destination[(2 * i) + 1] = hex[digest[i] & 0x0F];
        }
    }

    /// <summary>The raw 32-byte SHA-256 digest of the password.</summary>
    public static byte[] HashToBytes(ReadOnlySpan<byte> password) => SHA256.HashData(password);

    /// <summary>
    /// The <c>#hash</c> / <c>!hash</c> check: exactly 64 characters of <c>[0-9a-f]</c>; uppercase hex is rejected.
    /// </summary>
    public static bool IsValidHash(ReadOnlySpan<char> hex) =>
        hex.Length == HashHexLength && !hex.ContainsAnyExcept(LowerHexChars);

    /// <inheritdoc cref="IsValidHash(ReadOnlySpan{char})"/>
    public static bool IsValidHash(ReadOnlySpan<byte> hex) =>
        hex.Length == HashHexLength && !hex.ContainsAnyExcept(LowerHexBytes);

    /// <summary>Constant-time comparison (for equal lengths) of two hash strings, like Redis's time_independent_strcmp.</summary>
    public static bool FixedTimeEquals(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return FixedTimeEquals(a.AsSpan(), b.AsSpan());
    }

    /// <inheritdoc cref="FixedTimeEquals(string, string)"/>
    public static bool FixedTimeEquals(ReadOnlySpan<char> a, ReadOnlySpan<char> b) =>
        CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(a), MemoryMarshal.AsBytes(b));
}
