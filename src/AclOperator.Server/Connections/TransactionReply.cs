using AclOperator.Server.Protocol;

namespace AclOperator.Server.Connections;

/// <summary>
/// Splits the backend's reply to <c>MULTI, cmd×n, EXEC</c> (<c>+OK</c>, n × <c>+QUEUED</c>, then EXEC's reply) into
/// the n result frames, so they can be spliced with the front end's own results (E4).
/// </summary>
internal static class TransactionReply
{
    /// <summary>
    /// True with the n result frames; false when EXEC did not run the commands (WATCH abort → null, or an error such
    /// as EXECABORT), with the reply to pass on in <paramref name="abortReply"/>.
    /// </summary>
    public static bool TrySplit(ReadOnlySpan<byte> reply, int count, out byte[][]? results, out byte[] abortReply)
    {
        results = null;
        abortReply = [];
        int pos = 0;

        // Skip MULTI's +OK and each command's +QUEUED (or its queue-time error).
        for (int i = 0; i < count + 1; i++)
        {
            if (!NextFrame(reply, ref pos, out _))
            {
                abortReply = ErrorFrame("ERR backend returned an incomplete transaction reply");
                return false;
            }
        }

        int execStart = pos;
        if (!NextFrame(reply, ref pos, out var kind))
        {
            abortReply = ErrorFrame("ERR backend returned an incomplete transaction reply");
            return false;
        }

        var exec = reply[execStart..pos];
        if (kind != RespFrameKind.Array || exec.StartsWith("*-1"u8))
        {
            // Null (WATCH abort) or an error: the client gets it as is (same protocol on both sides).
            abortReply = exec.ToArray();
            return false;
        }

        // Inside the array: skip the header line, then one frame per result.
        int p = exec.IndexOf((byte)'\n') + 1;
        var items = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            int start = p;
            if (!NextFrame(exec, ref p, out _))
            {
                abortReply = ErrorFrame("ERR backend returned an incomplete transaction reply");
                return false;
            }

            var fixedItem = new System.Buffers.ArrayBufferWriter<byte>(p - start);
            AclOperator.Server.Backend.BackendErrorText.WriteFrame(exec[start..p], fixedItem);
            items[i] = fixedItem.WrittenSpan.ToArray();
        }

        results = items;
        return true;
    }

    private static bool NextFrame(ReadOnlySpan<byte> data, ref int pos, out RespFrameKind kind)
    {
        while (true)
        {
            if (!RespReplyScanner.TryReadFrame(data[pos..], out int length, out kind))
            {
                return false;
            }

            pos += length;

            // A RESP3 push can be interleaved by the backend; it belongs to no command here.
            if (kind != RespFrameKind.Push)
            {
                return true;
            }
        }
    }

    private static byte[] ErrorFrame(string text) => System.Text.Encoding.ASCII.GetBytes("-" + text + "\r\n");
}
