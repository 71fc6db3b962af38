using System.Globalization;
using System.Security.Cryptography;

namespace AclOperator.Acl.Passwords;

/// <summary>Redis <c>ACL GENPASS</c>: random lowercase hex passwords from a CSPRNG.</summary>
public static class PasswordGenerator
{
    /// <summary>Default strength, as in Redis.</summary>
    public const int DefaultBits = 256;

    /// <summary>Largest accepted strength (Redis's GENPASS_MAX_BITS).</summary>
    public const int MaxBits = 4096;

    /// <summary>The exact error Redis replies for a bits argument outside 1..4096.</summary>
    public const string InvalidBitsError =
        "ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096";

    /// <summary>True when <paramref name="bits"/> is accepted by ACL GENPASS (1..4096).</summary>
    public static bool IsValidBits(long bits) => bits is > 0 and <= MaxBits;

    /// <summary>Number of hex characters emitted for <paramref name="bits"/>: (bits + 3) / 4, i.e. ceil(bits / 4).</summary>
    public static int CharCount(int bits)
    {
        ThrowIfInvalid(bits);
        return (bits + 3) / 4;
    }

    /// <summary>A password of ceil(bits / 4) random lowercase hex characters (GENPASS 5 gives 2 characters).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bits"/> is not in 1..4096.</exception>
    public static string Generate(int bits = DefaultBits) =>
        RandomNumberGenerator.GetHexString(CharCount(bits), lowercase: true);

    private static void ThrowIfInvalid(int bits)
    {
        if (!IsValidBits(bits))
        {
            throw new ArgumentOutOfRangeException(
                nameof(bits), bits, string.Create(CultureInfo.InvariantCulture, $"{InvalidBitsError} (got {bits})."));
        }
    }
}
