using AclOperator.Acl.Evaluation;

namespace AclOperator.Server.Backend.Upstream;

/// <summary>Walks RESP multibulk request frames (as our parser validated or our encoder wrote them).</summary>
internal static class RequestFrames
{
    /// <summary>Reads one frame at <paramref name="pos"/>: its argument count and command name; advances past it.</summary>
    public static bool TryRead(ReadOnlySpan<byte> requests, ref int pos, out int argc, out ReadOnlySpan<byte> name)
    {
        name = default;
        argc = 0;
        int p = pos;
        if (!TryHeader(requests, ref p, (byte)'*', out long count) || count < 1)
        {
            return false;
        }

        argc = (int)count;
        for (int i = 0; i < argc; i++)
        {
            if (!TryHeader(requests, ref p, (byte)'$', out long len) || len < 0 || requests.Length - p < len + 2)
            {
                return false;
            }

            if (i == 0)
            {
                name = requests.Slice(p, (int)len);
            }

            p += (int)len + 2;
        }

        pos = p;
        return true;
    }

    /// <summary>How many frames <paramref name="requests"/> holds.</summary>
    public static int Count(ReadOnlySpan<byte> requests)
    {
        int pos = 0;
        int n = 0;
        while (pos < requests.Length && TryRead(requests, ref pos, out _, out _))
        {
            n++;
        }

        return n;
    }

    private static bool TryHeader(ReadOnlySpan<byte> s, ref int p, byte type, out long value)
    {
        value = 0;
        if (p >= s.Length || s[p] != type)
        {
            return false;
        }

        int nl = s[p..].IndexOf((byte)'\n');
        if (nl < 2 || s[p + nl - 1] != (byte)'\r' || !RedisInteger.TryParse(s.Slice(p + 1, nl - 2), out value))
        {
            return false;
        }

        p += nl + 1;
        return true;
    }
}
