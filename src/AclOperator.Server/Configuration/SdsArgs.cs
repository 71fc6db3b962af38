using System.Globalization;
using System.Text;

namespace AclOperator.Server.Configuration;

/// <summary>
/// Redis's config-line string helpers: <c>sdssplitargs</c>, <c>sdssplitlen</c> on one space, and <c>sdscatrepr</c>
/// (src/sds.c), over text where each char stands for one byte.
/// </summary>
/// <remarks>
/// A NUL char ends the input as it ends a C string. An unquoted token ends at space, \t, \n, \r (not \v or \f), while
/// blanks between tokens are the full C <c>isspace</c> set. A closing quote must be followed by a blank or the end.
/// </remarks>
internal static class SdsArgs
{
    /// <summary>Splits <paramref name="line"/> like <c>sdssplitargs</c>; null on unbalanced quotes.</summary>
    public static List<string>? Split(string line) =>
        AclOperator.Acl.Rules.SdsSplitArgs.Split(Encoding.Latin1.GetBytes(line))?.ConvertAll(t => Encoding.Latin1.GetString(t));

    public static string[] SplitOnSpace(string value) => value.Length == 0 ? [] : value.Split(' ');

    /// <summary><c>sdscatrepr</c>: a double-quoted, escaped rendering (how command-line values are appended).</summary>
    public static string Repr(string value)
    {
        var sb = new StringBuilder(value.Length + 2).Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '\\' or '"':
                    sb.Append('\\').Append(c);
                    break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\a': sb.Append("\\a"); break;
                case '\b': sb.Append("\\b"); break;
                default:
                    if (c >= 0x20 && c < 0x7f)
                    {
                        sb.Append(c);
                    }
                    else
                    {
                        foreach (byte b in c < 0x100 ? [(byte)c] : Encoding.UTF8.GetBytes(c.ToString()))
                        {
                            sb.Append("\\x").Append(b.ToString("x2", CultureInfo.InvariantCulture));
                        }
                    }

                    break;
            }
        }

        return sb.Append('"').ToString();
    }

    /// <summary>C <c>isspace</c> in the C locale.</summary>
    public static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';

    private static char At(string s, int i) => i < s.Length ? s[i] : '\0';

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (char.ToLowerInvariant(c) - 'a') + 10;
}
