namespace AclOperator.Server.Backend.Garnet;

/// <summary>
/// Checks RESP multibulk framing before bytes reach Garnet. Garnet 2.2.8 trusts the lengths it parses: a negative
/// bulk length (<c>*1\r\n$-5\r\nxx\r\n</c>) crashes the whole process with an AccessViolationException in
/// <c>RespServerSession.MakeUpperCase</c>. So nothing that is not well-formed multibulk is ever passed on.
/// </summary>
internal static class RespFrameValidator
{
    /// <summary>Redis's limit on multibulk arguments.</summary>
    public const int MaxArguments = 1024 * 1024;

    /// <summary>Redis's default proto-max-bulk-len.</summary>
    public const long MaxBulkLength = 512L * 1024 * 1024;

    /// <summary>
    /// Returns the length of the prefix made of complete, well-formed frames. <paramref name="error"/> is set (Redis's
    /// wording) when the bytes after that prefix can never become a valid frame; otherwise they are an incomplete frame.
    /// </summary>
    public static int ValidPrefix(ReadOnlySpan<byte> data, out string? error)
    {
        error = null;
        int pos = 0;
        while (pos < data.Length)
        {
            int frameEnd = ValidateFrame(data, pos, out error);
            if (frameEnd < 0)
            {
                return pos;
            }

            pos = frameEnd;
        }

        return pos;
    }

    /// <summary>End offset of the frame starting at <paramref name="start"/>, or -1 (incomplete, or invalid with an error).</summary>
    private static int ValidateFrame(ReadOnlySpan<byte> data, int start, out string? error)
    {
        error = null;
        if (data[start] != (byte)'*')
        {
            error = "Protocol error: expected '*', got '" + (char)data[start] + "'";
            return -1;
        }

        int pos = start + 1;
        if (!TryReadNumber(data, ref pos, out long count, out bool bad))
        {
            if (bad)
            {
                error = "Protocol error: invalid multibulk length";
            }

            return -1;
        }

        if (count is < 1 or > MaxArguments)
        {
            error = "Protocol error: invalid multibulk length";
            return -1;
        }

        for (long i = 0; i < count; i++)
        {
            if (pos >= data.Length)
            {
                return -1;
            }

            if (data[pos] != (byte)'$')
            {
                error = "Protocol error: expected '$', got '" + (char)data[pos] + "'";
                return -1;
            }

            pos++;
            if (!TryReadNumber(data, ref pos, out long length, out bad))
            {
                if (bad)
                {
                    error = "Protocol error: invalid bulk length";
                }

                return -1;
            }

            if (length is < 0 or > MaxBulkLength)
            {
                error = "Protocol error: invalid bulk length";
                return -1;
            }

            if (data.Length - pos < length + 2)
            {
                return -1;
            }

            pos += (int)length;
            if (data[pos] != (byte)'\r' || data[pos + 1] != (byte)'\n')
            {
                error = "Protocol error: bulk string not terminated by CRLF";
                return -1;
            }

            pos += 2;
        }

        return pos;
    }

    /// <summary>Reads <c>[-]digits\r\n</c>. False with <paramref name="bad"/> unset means "need more bytes".</summary>
    private static bool TryReadNumber(ReadOnlySpan<byte> data, ref int pos, out long value, out bool bad)
    {
        value = 0;
        bad = false;
        bool negative = false;
        int p = pos;
        if (p < data.Length && data[p] == (byte)'-')
        {
            negative = true;
            p++;
        }

        int digits = 0;
        while (p < data.Length && data[p] is >= (byte)'0' and <= (byte)'9')
        {
            if (++digits > 18)
            {
                bad = true;
                return false;
            }

            value = (value * 10) + (data[p] - '0');
            p++;
        }

        if (p >= data.Length)
        {
            return false;
        }

        if (digits == 0 || data[p] != (byte)'\r')
        {
            bad = true;
            return false;
        }

        if (p + 1 >= data.Length)
        {
            return false;
        }

        if (data[p + 1] != (byte)'\n')
        {
            bad = true;
            return false;
        }

        pos = p + 2;
        if (negative)
        {
            value = -value;
        }

        return true;
    }
}
