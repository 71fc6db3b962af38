namespace AclOperator.Server.Protocol;

/// <summary>
/// Span port of Redis's <c>sdssplitargs</c> (sds.c) for inline requests, splitting in place: every output byte
/// consumes at least one input byte, so tokens are written over the line they come from, and no memory is allocated.
/// </summary>
/// <remarks>
/// Quirks kept: blanks between tokens are C <c>isspace</c> (space \t \n \v \f \r) but an unquoted token only ends at
/// space \t \n \r or the end (<c>a\vb</c> is one token); a quote may open mid-token (<c>a"b c"</c> is <c>ab c</c>); a
/// closing quote must be followed by a blank or the end, else the whole line fails; in "..." <c>\xHH</c> and
/// <c>\n \r \t \b \a</c> are escapes and <c>\c</c> gives c; in '...' only <c>\'</c> is an escape.
/// </remarks>
public static class InlineSplitter
{
    /// <summary>Callback-free splitting: token ranges are appended to <paramref name="request"/>.</summary>
    /// <returns>False on unbalanced quotes or a closing quote followed by a non-blank.</returns>
    internal static bool SplitInPlace(Span<byte> s, Request request)
    {
        int n = s.Length;
        int p = 0;
        int w = 0;
        while (true)
        {
            while (p < n && IsSpace(s[p]))
            {
                p++;
            }

            if (p >= n)
            {
                return true;
            }

            bool inq = false;
            bool insq = false;
            bool done = false;
            int start = w;
            while (!done)
            {
                byte c = At(s, p);
                if (inq)
                {
                    if (c == (byte)'\\' && At(s, p + 1) == (byte)'x' && IsHexDigit(At(s, p + 2)) && IsHexDigit(At(s, p + 3)))
                    {
                        s[w++] = (byte)((HexValue(At(s, p + 2)) * 16) + HexValue(At(s, p + 3)));
                        p += 3;
                    }
                    else if (c == (byte)'\\' && At(s, p + 1) != 0)
                    {
                        p++;
                        s[w++] = s[p] switch
                        {
                            (byte)'n' => (byte)'\n',
                            (byte)'r' => (byte)'\r',
                            (byte)'t' => (byte)'\t',
                            (byte)'b' => (byte)'\b',
                            (byte)'a' => (byte)'\a',
                            var other => other,
                        };
                    }
                    else if (c == (byte)'"')
                    {
                        if (At(s, p + 1) != 0 && !IsSpace(At(s, p + 1)))
                        {
                            return false;
                        }

                        done = true;
                    }
                    else if (c == 0)
                    {
                        return false;
                    }
                    else
                    {
                        s[w++] = c;
                    }
                }
                else if (insq)
                {
                    if (c == (byte)'\\' && At(s, p + 1) == (byte)'\'')
                    {
                        p++;
                        s[w++] = (byte)'\'';
                    }
                    else if (c == (byte)'\'')
                    {
                        if (At(s, p + 1) != 0 && !IsSpace(At(s, p + 1)))
                        {
                            return false;
                        }

                        done = true;
                    }
                    else if (c == 0)
                    {
                        return false;
                    }
                    else
                    {
                        s[w++] = c;
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
                            s[w++] = c;
                            break;
                    }
                }

                // C: if (*p) p++;  (the terminating NUL is the end of the span here)
                if (p < n)
                {
                    p++;
                }
            }

            request.AddRange(start, w - start);
        }
    }

    /// <summary>C <c>isspace</c> in the C locale.</summary>
    internal static bool IsSpace(byte c) => c == (byte)' ' || (c >= (byte)'\t' && c <= (byte)'\r');

    private static byte At(Span<byte> s, int i) => i < s.Length ? s[i] : (byte)0;

    private static bool IsHexDigit(byte c) =>
        (c >= (byte)'0' && c <= (byte)'9') || (c >= (byte)'a' && c <= (byte)'f') || (c >= (byte)'A' && c <= (byte)'F');

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => 0,
    };
}
