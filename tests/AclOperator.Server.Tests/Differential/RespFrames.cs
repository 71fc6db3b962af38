using System.Globalization;
using System.Text;

namespace AclOperator.Server.Tests.Differential;

/// <summary>
/// Splits a raw reply byte stream into top-level RESP2/RESP3 frames (nesting, maps, sets, attributes, pushes) without
/// interpreting them, and renders frames for diagnostics.
/// </summary>
internal static class RespFrames
{
    /// <summary>The end offset of the frame that starts at <paramref name="pos"/>, or -1 when it is incomplete.</summary>
    /// <exception cref="InvalidDataException">The bytes are not RESP.</exception>
    public static int FrameEnd(ReadOnlySpan<byte> buffer, int pos)
    {
        if (pos >= buffer.Length)
        {
            return -1;
        }

        int crlf = buffer[pos..].IndexOf("\r\n"u8);
        if (crlf < 0)
        {
            return -1;
        }

        int lineEnd = pos + crlf;
        int next = lineEnd + 2;
        byte type = buffer[pos];
        switch (type)
        {
            case (byte)'+' or (byte)'-' or (byte)':' or (byte)',' or (byte)'(' or (byte)'_' or (byte)'#':
                return next;
            case (byte)'$' or (byte)'!' or (byte)'=':
            {
                long n = ParseLength(buffer[(pos + 1)..lineEnd]);
                if (n < 0)
                {
                    return next;
                }

                long end = next + n + 2;
                return end <= buffer.Length ? (int)end : -1;
            }

            case (byte)'*' or (byte)'~' or (byte)'>' or (byte)'%' or (byte)'|':
            {
                long n = ParseLength(buffer[(pos + 1)..lineEnd]);
                if (n < 0)
                {
                    return next;
                }

                long items = type is (byte)'%' or (byte)'|' ? n * 2 : n;
                int p = next;
                for (long i = 0; i < items; i++)
                {
                    p = FrameEnd(buffer, p);
                    if (p < 0)
                    {
                        return -1;
                    }
                }

                // An attribute decorates the frame that follows it: both are one reply.
                return type == (byte)'|' ? FrameEnd(buffer, p) : p;
            }

            default:
                throw new InvalidDataException($"Not RESP at offset {pos}: {Render(buffer[pos..Math.Min(buffer.Length, pos + 40)])}");
        }
    }

    /// <summary>Splits complete frames; <paramref name="consumed"/> is where the first incomplete frame starts.</summary>
    public static List<byte[]> Split(ReadOnlySpan<byte> buffer, out int consumed)
    {
        var frames = new List<byte[]>();
        int pos = 0;
        while (pos < buffer.Length)
        {
            int end = FrameEnd(buffer, pos);
            if (end < 0)
            {
                break;
            }

            frames.Add(buffer[pos..end].ToArray());
            pos = end;
        }

        consumed = pos;
        return frames;
    }

    /// <summary>Bytes as printable text: CR and LF as <c>\r</c> <c>\n</c>, other non-printables as <c>\xHH</c>.</summary>
    public static string Render(ReadOnlySpan<byte> bytes, int max = 400)
    {
        var sb = new StringBuilder();
        foreach (byte b in bytes)
        {
            if (sb.Length >= max)
            {
                sb.Append("...");
                break;
            }

            switch (b)
            {
                case (byte)'\r':
                    sb.Append("\\r");
                    break;
                case (byte)'\n':
                    sb.Append("\\n");
                    break;
                case (byte)'\\':
                    sb.Append("\\\\");
                    break;
                case >= 0x20 and < 0x7F:
                    sb.Append((char)b);
                    break;
                default:
                    sb.Append(CultureInfo.InvariantCulture, $"\\x{b:x2}");
                    break;
            }
        }

        return sb.ToString();
    }

    private static long ParseLength(ReadOnlySpan<byte> digits) =>
        long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value)
            ? value
            : throw new InvalidDataException($"Bad RESP length '{Render(digits)}'.");
}
