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
    public static List<string>? Split(string line)
    {
        var result = new List<string>();
        int p = 0;
        while (true)
        {
            while (At(line, p) != '\0' && IsSpace(At(line, p)))
            {
                p++;
            }

            if (At(line, p) == '\0')
            {
                return result;
            }

            bool inq = false, insq = false, done = false;
            var current = new StringBuilder();
            while (!done)
            {
                char c = At(line, p);
                if (inq)
                {
                    if (c == '\\' && At(line, p + 1) == 'x' && IsHex(At(line, p + 2)) && IsHex(At(line, p + 3)))
                    {
                        current.Append((char)((HexValue(At(line, p + 2)) * 16) + HexValue(At(line, p + 3))));
                        p += 3;
                    }
                    else if (c == '\\' && At(line, p + 1) != '\0')
                    {
                        p++;
                        current.Append(At(line, p) switch
                        {
                            'n' => '\n',
                            'r' => '\r',
                            't' => '\t',
                            'b' => '\b',
                            'a' => '\a',
                            char other => other,
                        });
                    }
                    else if (c == '"')
                    {
                        if (At(line, p + 1) != '\0' && !IsSpace(At(line, p + 1)))
                        {
                            return null;
                        }

                        done = true;
                    }
                    else if (c == '\0')
                    {
                        return null;
                    }
                    else
                    {
                        current.Append(c);
                    }
                }
                else if (insq)
                {
                    if (c == '\\' && At(line, p + 1) == '\'')
                    {
                        p++;
                        current.Append('\'');
                    }
                    else if (c == '\'')
                    {
                        if (At(line, p + 1) != '\0' && !IsSpace(At(line, p + 1)))
                        {
                            return null;
                        }

                        done = true;
                    }
                    else if (c == '\0')
                    {
                        return null;
                    }
                    else
                    {
                        current.Append(c);
                    }
                }
                else
                {
                    switch (c)
                    {
                        case ' ' or '\n' or '\r' or '\t' or '\0':
                            done = true;
                            break;
                        case '"':
                            inq = true;
                            break;
                        case '\'':
                            insq = true;
                            break;
                        default:
                            current.Append(c);
                            break;
                    }
                }

                if (At(line, p) != '\0')
                {
                    p++;
                }
            }

            result.Add(current.ToString());
        }
    }

    /// <summary><c>sdssplitlen(value, " ")</c>: CONFIG SET's split of a multi-argument value (empty tokens kept, "" → none).</summary>
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
