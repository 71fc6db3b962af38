using System.Text;

namespace AclOperator.Server.Backend;

/// <summary>Reads the names out of any backend's RESP2 <c>COMMAND</c> reply (Garnet, an upstream Redis/Valkey): top-level names and subcommands as <c>parent|sub</c>.</summary>
internal static class CommandListReply
{
    public static IReadOnlySet<string> Parse(ReadOnlySpan<byte> reply)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        int pos = 0;
        int count = ReadArrayHeader(reply, ref pos);
        for (int i = 0; i < count; i++)
        {
            ReadCommand(reply, ref pos, names);
        }

        return names;
    }

    private static void ReadCommand(ReadOnlySpan<byte> reply, ref int pos, HashSet<string> names)
    {
        int fields = ReadArrayHeader(reply, ref pos);
        string? name = null;
        for (int f = 0; f < fields; f++)
        {
            if (f == 0)
            {
                name = ReadString(reply, ref pos).ToLowerInvariant();
                names.Add(name);
            }
            else if (f == 9 && reply[pos] == (byte)'*')
            {
                int subs = ReadArrayHeader(reply, ref pos);
                for (int s = 0; s < subs; s++)
                {
                    ReadCommand(reply, ref pos, names);
                }
            }
            else
            {
                Skip(reply, ref pos);
            }
        }
    }

    private static int ReadArrayHeader(ReadOnlySpan<byte> reply, ref int pos)
    {
        if (reply[pos] != (byte)'*')
        {
            throw new FormatException($"Expected a RESP array at offset {pos} of the COMMAND reply.");
        }

        return (int)ReadLineNumber(reply, ref pos);
    }

    private static string ReadString(ReadOnlySpan<byte> reply, ref int pos)
    {
        byte type = reply[pos];
        if (type == (byte)'+')
        {
            int end = reply[pos..].IndexOf("\r\n"u8) + pos;
            string simple = Encoding.UTF8.GetString(reply[(pos + 1)..end]);
            pos = end + 2;
            return simple;
        }

        if (type != (byte)'$')
        {
            throw new FormatException($"Expected a RESP string at offset {pos} of the COMMAND reply.");
        }

        int length = (int)ReadLineNumber(reply, ref pos);
        string value = Encoding.UTF8.GetString(reply.Slice(pos, length));
        pos += length + 2;
        return value;
    }

    private static long ReadLineNumber(ReadOnlySpan<byte> reply, ref int pos)
    {
        int end = reply[pos..].IndexOf("\r\n"u8) + pos;
        long value = long.Parse(reply[(pos + 1)..end], provider: System.Globalization.CultureInfo.InvariantCulture);
        pos = end + 2;
        return value;
    }

    private static void Skip(ReadOnlySpan<byte> reply, ref int pos)
    {
        switch (reply[pos])
        {
            case (byte)'*':
            case (byte)'~':
            case (byte)'>':
                {
                    long n = ReadLineNumber(reply, ref pos);
                    for (long i = 0; i < n; i++)
                    {
                        Skip(reply, ref pos);
                    }

                    return;
                }
            case (byte)'%':
                {
                    long n = ReadLineNumber(reply, ref pos);
                    for (long i = 0; i < n * 2; i++)
                    {
                        Skip(reply, ref pos);
                    }

                    return;
                }
            case (byte)'$':
            case (byte)'=':
            case (byte)'!':
                {
                    long n = ReadLineNumber(reply, ref pos);
                    if (n >= 0)
                    {
                        pos += (int)n + 2;
                    }

                    return;
                }
            default:
                {
                    // Simple string, error, integer, null, double, boolean, big number.
                    int end = reply[pos..].IndexOf("\r\n"u8) + pos;
                    pos = end + 2;
                    return;
                }
        }
    }
}
