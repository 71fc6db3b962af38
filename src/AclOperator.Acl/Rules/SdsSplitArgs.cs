namespace AclOperator.Acl.Rules;

/// <summary>
/// Exact port of Redis's <c>sdssplitargs</c> (src/sds.c): selector bodies, inline requests and redis.conf lines.
/// The core splits in place and allocates nothing (each output byte consumes at least one input byte).
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
public static class SdsSplitArgs
{
    /// <summary>Splits <paramref name="line"/>; null on unbalanced quotes or a closing quote not followed by a blank.</summary>
    public static List<byte[]>? Split(ReadOnlySpan<byte> line)
    {
        var buffer = line.ToArray();
        var sink = new ListSink();
        if (!SplitInPlace(buffer, ref sink))
        {
            return null;
        }

        var result = new List<byte[]>(sink.Ranges.Count);
        foreach (var (offset, length) in sink.Ranges)
        {
            result.Add(buffer.AsSpan(offset, length).ToArray());
        }

        return result;
    }

    /// <summary>
    /// Splits <paramref name="line"/> in place: unescaped tokens overwrite the line and their ranges go to
    /// <paramref name="sink"/>. Returns false on unbalanced quotes or a closing quote followed by a non-blank.
    /// </summary>
    public static bool SplitInPlace<TSink>(Span<byte> line, ref TSink sink)
        where TSink : IArgRangeSink, allows ref struct
    {
        // A C string: a NUL byte ends the input.
        int nul = line.IndexOf((byte)0);
        var s = nul < 0 ? line : line[..nul];
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

            sink.Add(start, w - start);
        }
    }

    /// <summary>C <c>isspace</c> in the C locale (space, \t, \n, \v, \f, \r).</summary>
    public static bool IsSpace(byte c) => c == (byte)' ' || (c >= (byte)'\t' && c <= (byte)'\r');

    private static byte At(Span<byte> s, int i) => i < s.Length ? s[i] : (byte)0;

    private static bool IsHexDigit(byte c) =>
        (c >= (byte)'0' && c <= (byte)'9') || (c >= (byte)'a' && c <= (byte)'f') || (c >= (byte)'A' && c <= (byte)'F');

    private static int HexValue(byte c) => c <= (byte)'9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private struct ListSink : IArgRangeSink
    {
        public ListSink()
        {
        }

        public List<(int Offset, int Length)> Ranges { get; } = [];

        public readonly void Add(int offset, int length) => Ranges.Add((offset, length));
    }
}
