using System.Buffers;
using AclOperator.Server.Protocol;
using Xunit;
using static AclOperator.Server.Tests.Protocol.ProtocolTestUtil;

namespace AclOperator.Server.Tests.Protocol;

public class RespReplyScannerTests
{
    public static TheoryData<string, RespFrameKind> Frames => new()
    {
        { "+OK\r\n", RespFrameKind.SimpleString },
        { "-ERR x\r\n", RespFrameKind.Error },
        { ":-12\r\n", RespFrameKind.Integer },
        { "$3\r\nf\r\n\r\n", RespFrameKind.BulkString },
        { "$0\r\n\r\n", RespFrameKind.BulkString },
        { "$-1\r\n", RespFrameKind.Null },
        { "*-1\r\n", RespFrameKind.Null },
        { "_\r\n", RespFrameKind.Null },
        { "*0\r\n", RespFrameKind.Array },
        { "*2\r\n$1\r\na\r\n*2\r\n:1\r\n_\r\n", RespFrameKind.Array },
        { "%2\r\n+a\r\n:1\r\n+b\r\n~2\r\n#t\r\n,1.5\r\n", RespFrameKind.Map },
        { "~1\r\n(12345678901234567890\r\n", RespFrameKind.Set },
        { ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$1\r\nx\r\n", RespFrameKind.Push },
        { "=8\r\ntxt:abcd\r\n", RespFrameKind.VerbatimString },
        { "!5\r\nERR x\r\n", RespFrameKind.BlobError },
        { "#f\r\n", RespFrameKind.Boolean },
        { ",inf\r\n", RespFrameKind.Double },
        { "|1\r\n+ttl\r\n:3\r\n$1\r\nv\r\n", RespFrameKind.BulkString },
        { "|1\r\n+a\r\n*1\r\n:1\r\n*2\r\n|1\r\n+b\r\n:2\r\n:3\r\n:4\r\n", RespFrameKind.Array },
        { "*1\r\n*1\r\n*1\r\n*1\r\n*0\r\n", RespFrameKind.Array },
    };

    [Theory]
    [MemberData(nameof(Frames))]
    public void Whole_frames_and_every_split(string frame, RespFrameKind kind)
    {
        var data = B(frame + "+NEXT\r\n");
        Assert.True(RespReplyScanner.TryReadFrame(data, out int length, out var k, out bool attr));
        Assert.Equal(frame.Length, length);
        Assert.Equal(kind, k);
        Assert.Equal(frame.StartsWith('|'), attr);

        for (int cut = 0; cut < frame.Length; cut++)
        {
            Assert.False(RespReplyScanner.TryReadFrame(data.AsSpan(0, cut), out _, out _));
        }

        // Incremental: feed in chunks, keep unconsumed bytes.
        for (int chunk = 1; chunk <= 5; chunk++)
        {
            var scanner = new RespReplyScanner();
            var pending = new List<byte>();
            int total = 0;
            RespScanStatus status = RespScanStatus.NeedMore;
            for (int i = 0; i < data.Length && status == RespScanStatus.NeedMore; i += chunk)
            {
                pending.AddRange(data.AsSpan(i, Math.Min(chunk, data.Length - i)).ToArray());
                status = scanner.Scan(pending.ToArray(), out int used);
                total += used;
                pending.RemoveRange(0, used);
            }

            Assert.Equal(RespScanStatus.Complete, status);
            Assert.Equal(frame.Length, total);
            Assert.Equal(kind, scanner.Kind);
        }

        // Sequence with every two-way split.
        for (int cut = 1; cut < data.Length; cut++)
        {
            var scanner = new RespReplyScanner();
            Assert.Equal(RespScanStatus.Complete, scanner.Scan(Split(data, cut), out long used));
            Assert.Equal(frame.Length, used);
            Assert.Equal(kind, scanner.Kind);
        }
    }

    [Fact]
    public void Large_bulk_is_skipped_without_buffering()
    {
        var scanner = new RespReplyScanner();
        Assert.Equal(RespScanStatus.NeedMore, scanner.Scan(B("$1000000\r\nabc"), out int used));
        Assert.Equal(13, used);
        Assert.Equal(1_000_000 - 3 + 2, scanner.BytesToSkip);
        var chunk = new byte[100_000];
        for (int i = 0; i < 9; i++)
        {
            Assert.Equal(RespScanStatus.NeedMore, scanner.Scan(chunk, out used));
            Assert.Equal(chunk.Length, used);
        }

        Assert.Equal(RespScanStatus.Complete, scanner.Scan(new byte[99_999], out used));
        Assert.Equal(99_999, used);
        Assert.False(scanner.InFrame);
    }

    [Theory]
    [InlineData("?3\r\n")]
    [InlineData("+OK\n")]
    [InlineData("*x\r\n")]
    [InlineData("$-2\r\n")]
    [InlineData("|-1\r\n")]
    [InlineData("*03\r\n")]
    public void Invalid_streams(string s)
    {
        var scanner = new RespReplyScanner();
        Assert.Equal(RespScanStatus.Invalid, scanner.Scan(B(s), out _));
    }

    [Fact]
    public void Exec_reply_helpers()
    {
        Assert.True(RespReplyScanner.IsSimpleString(B("+QUEUED\r\n"), "QUEUED"u8));
        Assert.False(RespReplyScanner.IsSimpleString(B("+OK\r\n"), "QUEUED"u8));
        Assert.True(RespReplyScanner.IsError(B("-EXECABORT x\r\n")));
        Assert.True(RespReplyScanner.TryReadSimpleLine(B("-ERR a b\r\n"), out var text));
        Assert.Equal("ERR a b", S(text));
        Assert.True(RespReplyScanner.TryReadInteger(B(":-5\r\n"), out long v));
        Assert.Equal(-5, v);

        var exec = B("*3\r\n+OK\r\n$1\r\nv\r\n:2\r\n");
        Assert.True(RespReplyScanner.TryReadAggregateHeader(exec, out var kind, out long count, out int header));
        Assert.Equal((RespFrameKind.Array, 3L, 4), (kind, count, header));
        var rest = exec.AsSpan(header);
        var lengths = new List<int>();
        for (int i = 0; i < count; i++)
        {
            Assert.True(RespReplyScanner.TryReadFrame(rest, out int len, out _));
            lengths.Add(len);
            rest = rest[len..];
        }

        Assert.Equal([5, 7, 4], lengths);
        Assert.True(RespReplyScanner.TryReadAggregateHeader(B("*-1\r\n"), out kind, out count, out _));
        Assert.Equal((RespFrameKind.Null, -1L), (kind, count));
        Assert.True(RespReplyScanner.TryReadAggregateHeader(B("_\r\n"), out kind, out count, out _));
        Assert.Equal((RespFrameKind.Null, -1L), (kind, count));
        Assert.True(RespReplyScanner.TryReadAggregateHeader(B("%2\r\n"), out kind, out count, out _));
        Assert.Equal((RespFrameKind.Map, 4L), (kind, count));
        Assert.True(RespReplyScanner.TryReadBulkString(B("$3\r\nabc\r\n"), out var bulk, out bool isNull));
        Assert.Equal("abc", S(bulk));
        Assert.False(isNull);
        Assert.True(RespReplyScanner.TryReadBulkString(B("$-1\r\n"), out _, out isNull));
        Assert.True(isNull);
    }

    [Fact]
    public void Pipelined_stream_with_pushes()
    {
        var data = B(">3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n+OK\r\n>2\r\n+a\r\n+b\r\n:1\r\n");
        var kinds = new List<RespFrameKind>();
        var span = data.AsSpan();
        while (RespReplyScanner.TryReadFrame(span, out int len, out var kind))
        {
            kinds.Add(kind);
            span = span[len..];
        }

        Assert.Equal([RespFrameKind.Push, RespFrameKind.SimpleString, RespFrameKind.Push, RespFrameKind.Integer], kinds);
    }

    [Fact]
    public void Fuzz_never_throws()
    {
        var rnd = new Random(99);
        byte[] alphabet = B("+-:$*%~>|,#_(=!\r\n0123-1ab");
        for (int iter = 0; iter < 20_000; iter++)
        {
            var data = new byte[rnd.Next(0, 40)];
            for (int i = 0; i < data.Length; i++)
            {
                data[i] = alphabet[rnd.Next(alphabet.Length)];
            }

            RespReplyScanner.TryReadFrame(data, out int len, out _);
            Assert.InRange(len, 0, data.Length);
            var scanner = new RespReplyScanner();
            scanner.Scan(Split(data, rnd.Next(0, data.Length + 1)), out long used);
            Assert.InRange(used, 0, data.Length);
        }
    }
}
