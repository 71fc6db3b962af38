using System.Text;

namespace AclOperator.Acl;

/// <summary>
/// Redis names, patterns and rule tokens are binary strings. The engine keeps them as .NET strings in which every
/// char is one byte (Latin-1 mapping), so any byte sequence round-trips exactly and ordinal string order equals
/// Redis's memcmp order. Encode with <see cref="GetBytes(string)"/> before writing to the wire or a file.
/// </summary>
public static class AclText
{
    /// <summary>Bytes → byte-string (one char per byte).</summary>
    public static string FromBytes(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);

    /// <summary>Byte-string → bytes.</summary>
    public static byte[] GetBytes(string byteString) => Encoding.Latin1.GetBytes(byteString);

    /// <summary>A UTF-8 text (as users type it in YAML or a CLI) → its byte-string.</summary>
    public static string FromUtf8(string text) => Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(text));

    /// <summary>A byte-string → the UTF-8 text it encodes (invalid sequences replaced).</summary>
    public static string ToUtf8(string byteString) => Encoding.UTF8.GetString(GetBytes(byteString));

    /// <summary>Redis's C-string view of a binary argument (what <c>%s</c> and <c>strcasecmp</c> see): the bytes before the first NUL.</summary>
    public static ReadOnlySpan<byte> CStringOf(ReadOnlySpan<byte> token) => CString(token);

    /// <summary>Redis's C-string view of a binary token: everything before the first NUL.</summary>
    internal static ReadOnlySpan<byte> CString(ReadOnlySpan<byte> token)
    {
        int nul = token.IndexOf((byte)0);
        return nul < 0 ? token : token[..nul];
    }

    /// <summary>True when the bytes contain NUL or a C <c>isspace</c> character (space, \t, \n, \v, \f, \r).</summary>
    internal static bool HasSpaceOrNul(ReadOnlySpan<byte> s) => s.IndexOfAny(SpaceOrNul) >= 0;

    private static ReadOnlySpan<byte> SpaceOrNul => [0, (byte)' ', (byte)'\t', (byte)'\n', 0x0b, 0x0c, (byte)'\r'];
}
