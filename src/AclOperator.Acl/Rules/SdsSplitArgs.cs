namespace AclOperator.Acl.Rules;

/// <summary>
/// Exact port of Redis's <c>sdssplitargs</c> (src/sds.c), used to split the body of a <c>(...)</c> selector.
/// </summary>
/// <remarks>
/// <para>The input is handled as a C string: a NUL byte (or the end of the span) ends it and the rest is dropped.</para>
/// <para>Quirks kept from Redis:</para>
/// <list type="bullet">
/// <item>Blanks between tokens are the C <c>isspace</c> set (space, \t, \n, \v, \f, \r), but an unquoted token only
/// ends at space, \t, \n, \r or NUL, so <c>a\vb</c> is one token while a leading <c>\v</c> is skipped.</item>
/// <item>A quote may start in the middle of a token (<c>~"a\x41"</c> is <c>~aA</c>); the closing quote must be
/// followed by an <c>isspace</c> byte or the end, otherwise the whole split fails.</item>
/// <item>In <c>"..."</c>: <c>\xHH</c> (either case), <c>\n \r \t \b \a</c>, and <c>\c</c> for any other c gives c.
/// In <c>'...'</c> only <c>\'</c> is an escape.</item>
/// </list>
/// </remarks>
internal static class SdsSplitArgs
{
    /// <summary>Splits <paramref name="line"/>; null on unbalanced quotes or a closing quote not followed by a blank.</summary>
    public static List<byte[]>? Split(ReadOnlySpan<byte> line)
    {
        var result = new List<byte[]>();
        var current = new List<byte>();
        int p = 0;
        while (true)
        {
            // Skip blanks.
            while (At(line, p) != 0 && IsSpace(At(line, p)))
            {
                p++;
            }

            if (At(line, p) == 0)
            {
                // Even on empty input return something not null.
                return result;
            }

            bool inq = false;  // in "double quotes"
            bool insq = false; // in 'single quotes'
            bool done = false;
            current.Clear();
            while (!done)
            {
                byte c = At(line, p);
                if (inq)
                {
                    if (c == '\\' && At(line, p + 1) == 'x' && IsHexDigit(At(line, p + 2)) && IsHexDigit(At(line, p + 3)))
                    {
                        current.Add((byte)((HexDigitToInt(At(line, p + 2)) * 16) + HexDigitToInt(At(line, p + 3))));
                        p += 3;
                    }
                    else if (c == '\\' && At(line, p + 1) != 0)
                    {
                        p++;
                        current.Add(At(line, p) switch
                        {
                            (byte)'n' => (byte)'\n',
                            (byte)'r' => (byte)'\r',
                            (byte)'t' => (byte)'\t',
                            (byte)'b' => (byte)'\b',
                            (byte)'a' => (byte)'\a',
                            var other => other,
                        });
                    }
                    else if (c == '"')
                    {
                        // The closing quote must be followed by a space or nothing at all.
                        if (At(line, p + 1) != 0 && !IsSpace(At(line, p + 1)))
                        {
                            return null;
                        }

                        done = true;
                    }
                    else if (c == 0)
                    {
                        // Unterminated quotes.
                        return null;
                    }
                    else
                    {
                        current.Add(c);
                    }
                }
                else if (insq)
                {
                    if (c == '\\' && At(line, p + 1) == '\'')
                    {
                        p++;
                        current.Add((byte)'\'');
                    }
                    else if (c == '\'')
                    {
                        // The closing quote must be followed by a space or nothing at all.
                        if (At(line, p + 1) != 0 && !IsSpace(At(line, p + 1)))
                        {
                            return null;
                        }

                        done = true;
                    }
                    else if (c == 0)
                    {
                        // Unterminated quotes.
                        return null;
                    }
                    else
                    {
                        current.Add(c);
                    }
                }
                else
                {
                    switch (c)
                    {
                        case (byte)' ':
                        case (byte)'\n':
                        case (byte)'\r':
                        case (byte)'\t':
                        case 0:
                            done = true;
                            break;
                        case (byte)'"':
                            inq = true;
                            break;
                        case (byte)'\'':
                            insq = true;
                            break;
                        default:
                            current.Add(c);
                            break;
                    }
                }

                if (At(line, p) != 0)
                {
                    p++;
                }
            }

            result.Add([.. current]);
        }
    }

    /// <summary>The byte at <paramref name="index"/>, or 0 (the C terminator) past the end.</summary>
    private static byte At(ReadOnlySpan<byte> s, int index) => (uint)index < (uint)s.Length ? s[index] : (byte)0;

    /// <summary>C-locale <c>isspace</c>.</summary>
    private static bool IsSpace(byte c) => c is (byte)' ' or (byte)'\t' or (byte)'\n' or 0x0B or 0x0C or (byte)'\r';

    private static bool IsHexDigit(byte c) => c is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F';

    private static int HexDigitToInt(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        _ => c - 'A' + 10,
    };
}
