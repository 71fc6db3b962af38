using System.Buffers;
using System.Buffers.Text;
using AclOperator.Acl.Evaluation;

namespace AclOperator.Server.Commands;

/// <summary>Encodes argv as a RESP multibulk request (for inline commands and queued MULTI commands).</summary>
internal static class RespEncoding
{
    public static void WriteCommand(IBufferWriter<byte> output, CommandArgs argv)
    {
        WriteHeader(output, (byte)'*', argv.Count);
        for (int i = 0; i < argv.Count; i++)
        {
            var a = argv[i];
            WriteHeader(output, (byte)'$', a.Length);
            output.Write(a);
            output.Write("\r\n"u8);
        }
    }

    private static void WriteHeader(IBufferWriter<byte> output, byte prefix, int n)
    {
        var span = output.GetSpan(16);
        span[0] = prefix;
        Utf8Formatter.TryFormat(n, span[1..], out int written);
        span[1 + written] = (byte)'\r';
        span[2 + written] = (byte)'\n';
        output.Advance(3 + written);
    }
}
