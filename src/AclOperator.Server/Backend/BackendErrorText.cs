using System.Buffers;
using System.Collections.Frozen;
using System.Text;
using AclOperator.Server.Protocol;

namespace AclOperator.Server.Backend;

/// <summary>
/// Backend error replies in Redis's wording. Garnet ends many error texts with a period
/// (<c>-ERR value is not an integer or out of range.</c>, <c>-WRONGTYPE … value.</c>) where Redis does not; Redis's
/// data-command errors end with a period only in the few texts listed here. Only top-level error frames (and the
/// elements of an EXEC reply) are touched; every other byte passes through unchanged.
/// </summary>
internal static class BackendErrorText
{
    /// <summary>Redis 7.4 error texts (after the <c>-</c>) that do end with a period.</summary>
    private static readonly FrozenSet<string> RedisTextsWithPeriod = new[]
    {
        "BUSYKEY Target key name already exists.",
        "NOSCRIPT No matching script. Please use EVAL.",
        "EXECABORT Transaction discarded because of previous errors.",
        "OOM command not allowed when used memory > 'maxmemory'.",
        "NOAUTH Authentication required.",
        "NOREPLICAS Not enough good replicas to write.",
        "READONLY You can't write against a read only replica.",
        "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.",
        "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.",
        "ERR BITOP NOT must be called with a single source key.",
        "ERR The bit argument must be 1 or 0.",
        "ERR The LIMIT argument must be >= 0.",
        "ERR The MAXLEN argument must be >= 0.",
        "ERR Insufficient memory, failed allocating transient memory, COUNT too high.",
        "ERR Insufficient memory, failed allocating transient memory, too many args.",
        "ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.",
        "ERR No shutdown in progress.",
        "ERR BY option of SORT denied due to insufficient ACL permissions.",
        "ERR GET option of SORT denied due to insufficient ACL permissions.",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Cheap pre-check: only replies containing <c>.\r\n</c> can need a change.</summary>
    public static bool MayNeedFix(ReadOnlySpan<byte> reply) => reply.IndexOf(".\r\n"u8) >= 0;

    /// <summary>Writes <paramref name="reply"/> (whole frames) to <paramref name="output"/> with error texts fixed.</summary>
    public static void Normalize(ReadOnlySpan<byte> reply, IBufferWriter<byte> output)
    {
        int pos = 0;
        while (pos < reply.Length)
        {
            if (!RespReplyScanner.TryReadFrame(reply[pos..], out int length, out _))
            {
                // Not whole frames (should not happen for a complete batch): pass the rest on untouched.
                output.Write(reply[pos..]);
                return;
            }

            WriteFrame(reply.Slice(pos, length), output);
            pos += length;
        }
    }

    /// <summary>One frame, fixed if it is an error frame.</summary>
    public static void WriteFrame(ReadOnlySpan<byte> frame, IBufferWriter<byte> output)
    {
        if (frame.Length > 4 && frame[0] == (byte)'-' && frame[^3] == (byte)'.' &&
            !RedisTextsWithPeriod.Contains(Encoding.Latin1.GetString(frame[1..^2])))
        {
            output.Write(frame[..^3]);
            output.Write("\r\n"u8);
            return;
        }

        output.Write(frame);
    }
}
