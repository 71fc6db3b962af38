using System.Buffers;
using System.Text;

namespace AclOperator.Server.Tests.Protocol;

internal sealed class TestSegment : ReadOnlySequenceSegment<byte>
{
    public TestSegment(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    public TestSegment Append(ReadOnlyMemory<byte> memory)
    {
        var next = new TestSegment(memory, RunningIndex + Memory.Length);
        Next = next;
        return next;
    }
}

internal static class ProtocolTestUtil
{
    public static byte[] B(string latin1) => Encoding.Latin1.GetBytes(latin1);

    public static string S(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);

    /// <summary>A sequence of the bytes cut at the given offsets (each piece copied to its own array).</summary>
    public static ReadOnlySequence<byte> Split(byte[] data, params int[] cuts)
    {
        var points = new List<int> { 0 };
        foreach (var c in cuts)
        {
            if (c > points[^1] && c < data.Length)
            {
                points.Add(c);
            }
        }

        points.Add(data.Length);
        if (points.Count == 2)
        {
            return new ReadOnlySequence<byte>(data.ToArray());
        }

        var first = new TestSegment(data.AsSpan(points[0], points[1] - points[0]).ToArray(), 0);
        var last = first;
        for (int i = 1; i < points.Count - 1; i++)
        {
            last = last.Append(data.AsSpan(points[i], points[i + 1] - points[i]).ToArray());
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    public static byte[] EncodeMultibulk(IReadOnlyList<byte[]> argv)
    {
        var ms = new MemoryStream();
        ms.Write(B($"*{argv.Count}\r\n"));
        foreach (var a in argv)
        {
            ms.Write(B($"${a.Length}\r\n"));
            ms.Write(a);
            ms.Write("\r\n"u8);
        }

        return ms.ToArray();
    }

    public static string[] ArgvStrings(AclOperator.Server.Protocol.Request r)
    {
        var result = new string[r.Count];
        var args = r.Args;
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = S(args[i]);
        }

        return result;
    }
}
