using System.Buffers;
using AclOperator.Server.Protocol;
using Xunit;
using static AclOperator.Server.Tests.Protocol.ProtocolTestUtil;

namespace AclOperator.Server.Tests.Protocol;

public class RequestParserTests
{
    private static readonly RequestParser Parser = new();

    /// <summary>Parses all complete requests; returns (argv list, final status, error).</summary>
    private static (List<string[]> Requests, RequestParseStatus Last, string? Error, long Consumed) ParseAll(
        ReadOnlySequence<byte> input, bool authenticated = true, RequestParser? parser = null)
    {
        parser ??= Parser;
        using var request = new Request();
        var list = new List<string[]>();
        long consumed = 0;
        while (true)
        {
            var status = parser.TryParse(input, authenticated, request, out var to, out var error);
            long used = input.Slice(0, to).Length;
            consumed += used;
            input = input.Slice(to);
            if (status != RequestParseStatus.Complete)
            {
                if (status == RequestParseStatus.SecurityWarning)
                {
                    list.Add(ArgvStrings(request));
                }

                return (list, status, error, consumed);
            }

            list.Add(ArgvStrings(request));
        }
    }

    private static (List<string[]> Requests, RequestParseStatus Last, string? Error, long Consumed) ParseAll(string s, bool authenticated = true) =>
        ParseAll(new ReadOnlySequence<byte>(B(s)), authenticated);

    [Fact]
    public void Pipelined_multibulk_and_inline()
    {
        var r = ParseAll("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\n$4\r\nPING\r\nSET a \"b c\"\r\nping\n*0\r\n*-1\r\n\r\n   \r\n*1\r\n$0\r\n\r\n");
        Assert.Equal(RequestParseStatus.Incomplete, r.Last);
        Assert.Equal(5, r.Requests.Count);
        Assert.Equal(["GET", "k"], r.Requests[0]);
        Assert.Equal(["PING"], r.Requests[1]);
        Assert.Equal(["SET", "a", "b c"], r.Requests[2]);
        Assert.Equal(["ping"], r.Requests[3]);
        Assert.Equal([""], r.Requests[4]);
        Assert.Equal(B("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\n$4\r\nPING\r\nSET a \"b c\"\r\nping\n*0\r\n*-1\r\n\r\n   \r\n*1\r\n$0\r\n\r\n").Length, r.Consumed);
    }

    [Fact]
    public void Single_segment_frame_points_into_input_and_exposes_frame()
    {
        var data = B("*2\r\n$3\r\nGET\r\n$1\r\nk\r\nXX");
        var mem = new ReadOnlyMemory<byte>(data);
        using var request = new Request();
        Assert.Equal(RequestParseStatus.Complete, Parser.TryParse(new ReadOnlySequence<byte>(mem), true, request, out var to, out _));
        Assert.Equal(20, to.GetInteger());
        Assert.False(request.IsInline);
        Assert.Equal(2, request.Count);
        Assert.Equal("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", S(request.Frame.Span));
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(request.Data, out var seg) && ReferenceEquals(seg.Array, data));
        Assert.True(request.Args.EqualsIgnoreCase(0, "GET"u8));
    }

    [Fact]
    public void Inline_request_has_no_frame()
    {
        using var request = new Request();
        Assert.Equal(RequestParseStatus.Complete, Parser.TryParse(new ReadOnlySequence<byte>(B("get k\r\n")), true, request, out _, out _));
        Assert.True(request.IsInline);
        Assert.True(request.Frame.IsEmpty);
        Assert.Equal(["get", "k"], ArgvStrings(request));
    }

    [Theory]
    [InlineData("set \"a\\x41\\n\" 'it\\'s'\r\n", new[] { "set", "aA\n", "it's" })]
    [InlineData("a\"b c\"d\n", null)]
    [InlineData("a\"b c\" d\n", new[] { "ab c", "d" })]
    [InlineData("\"\\q\\t\\x4g\"\n", new[] { "q\tx4g" })]
    [InlineData("x\vy \t z\r\n", new[] { "x\vy", "z" })]
    [InlineData("'unterminated\n", null)]
    [InlineData("\"unterminated\r\n", null)]
    [InlineData("\"\"\n", new[] { "" })]
    [InlineData("a\rb\r\n", new[] { "a", "b" })]
    [InlineData("  \f\v leading\n", new[] { "leading" })]
    public void Inline_sdssplitargs_rules(string line, string[]? expected)
    {
        var r = ParseAll(line);
        if (expected is null)
        {
            Assert.Equal(RequestParseStatus.Error, r.Last);
            Assert.Equal("Protocol error: unbalanced quotes in request", r.Error);
        }
        else
        {
            Assert.Equal(RequestParseStatus.Incomplete, r.Last);
            Assert.Equal(expected, Assert.Single(r.Requests));
        }
    }

    [Theory]
    [InlineData("*03\r\n", "Protocol error: invalid multibulk length")]
    [InlineData("*+3\r\n", "Protocol error: invalid multibulk length")]
    [InlineData("*\r\n", "Protocol error: invalid multibulk length")]
    [InlineData("*-0\r\n", "Protocol error: invalid multibulk length")]
    [InlineData("*3 \r\n", "Protocol error: invalid multibulk length")]
    [InlineData("*1x\r\n", "Protocol error: invalid multibulk length")]
    [InlineData("*99999999999\r\n", "Protocol error: invalid multibulk length")]
    [InlineData("*2147483648\r\n", "Protocol error: invalid multibulk length")]
    [InlineData("*99999999999999999999\r\n", "Protocol error: invalid multibulk length")]
    [InlineData("*1\rX", "Protocol error: invalid multibulk length")]
    [InlineData("*1\r\nx\r\n", "Protocol error: expected '$', got 'x'")]
    [InlineData("*1\r\n\n\r\n", "Protocol error: expected '$', got ' '")]
    [InlineData("*1\r\n\r\n", "Protocol error: expected '$', got ' '")]
    [InlineData("*1\r\n$+3\r\nfoo\r\n", "Protocol error: invalid bulk length")]
    [InlineData("*1\r\n$03\r\nfoo\r\n", "Protocol error: invalid bulk length")]
    [InlineData("*1\r\n$-1\r\n", "Protocol error: invalid bulk length")]
    [InlineData("*1\r\n$3x\r\nfoo\r\n", "Protocol error: invalid bulk length")]
    [InlineData("*1\r\n$2147483648\r\n", "Protocol error: invalid bulk length")]
    [InlineData("*1\r\n$536870913\r\n", "Protocol error: invalid bulk length")]
    [InlineData("*1\r\n$3\rXfoo\r\n", "Protocol error: invalid bulk length")]
    [InlineData("*1\r\n$3\r\nfooXY", "Protocol error: invalid bulk length")]
    [InlineData("*1\r\n$3\r\nfoo\rX", "Protocol error: invalid bulk length")]
    [InlineData("*2\r\n$3\r\nfoo\r\n*1\r\n", "Protocol error: expected '$', got '*'")]
    public void Protocol_errors_have_redis_texts(string input, string expected)
    {
        var r = ParseAll(input);
        Assert.Equal(RequestParseStatus.Error, r.Last);
        Assert.Equal(expected, r.Error);
    }

    [Fact]
    public void Lenient_crlf_mode_matches_redis_and_drops_the_frame()
    {
        var parser = new RequestParser(new ParserLimits { StrictCrlf = false });
        using var request = new Request();
        var input = new ReadOnlySequence<byte>(B("*1\rX$3\r\nfooXY*1\r\n$1\r\na\r\n"));
        Assert.Equal(RequestParseStatus.Complete, parser.TryParse(input, true, request, out var to, out _));
        Assert.Equal(["foo"], ArgvStrings(request));
        Assert.True(request.Frame.IsEmpty);
        Assert.Equal(RequestParseStatus.Complete, parser.TryParse(input.Slice(to), true, request, out _, out _));
        Assert.Equal("*1\r\n$1\r\na\r\n", S(request.Frame.Span));
    }

    [Fact]
    public void Too_big_count_strings_and_inline()
    {
        string noCr = new('1', 65 * 1024);
        Assert.Equal("Protocol error: too big mbulk count string", ParseAll("*" + noCr).Error);
        Assert.Equal("Protocol error: too big bulk count string", ParseAll("*1\r\n$" + noCr).Error);
        Assert.Equal("Protocol error: too big inline request", ParseAll("PING " + noCr).Error);
        Assert.Equal(RequestParseStatus.Incomplete, ParseAll("PING " + new string('a', 60 * 1024)).Last);

        // A NUL hides the line end from Redis's strchr: wait, then fail past 64 KiB.
        Assert.Equal(RequestParseStatus.Incomplete, ParseAll("PING\0\r\n").Last);
        Assert.Equal(RequestParseStatus.Incomplete, ParseAll("*1\0\r\n$1\r\na\r\n").Last);
        Assert.Equal("Protocol error: too big inline request", ParseAll("PING\0\n" + new string('a', 65 * 1024) + "\n").Error);

        // Inline line of exactly 64 KiB is fine; one byte more is not.
        var ok = ParseAll(new string('a', 64 * 1024) + "\n");
        Assert.Single(ok.Requests);
        Assert.Equal("Protocol error: too big inline request", ParseAll(new string('a', (64 * 1024) + 1) + "\n").Error);
    }

    [Fact]
    public void Unauthenticated_limits()
    {
        Assert.Equal("Protocol error: unauthenticated multibulk length", ParseAll("*11\r\n", authenticated: false).Error);
        Assert.Equal(RequestParseStatus.Incomplete, ParseAll("*10\r\n", authenticated: false).Last);
        Assert.Equal(RequestParseStatus.Incomplete, ParseAll("*11\r\n", authenticated: true).Last);
        Assert.Equal("Protocol error: unauthenticated bulk length", ParseAll("*1\r\n$16385\r\n", authenticated: false).Error);
        Assert.Equal(RequestParseStatus.Incomplete, ParseAll("*1\r\n$16384\r\n", authenticated: false).Last);

        // Invalid beats unauthenticated, as in Redis.
        Assert.Equal("Protocol error: invalid multibulk length", ParseAll("*011\r\n", authenticated: false).Error);
        Assert.Equal("Protocol error: invalid bulk length", ParseAll("*1\r\n$999999999999\r\n", authenticated: false).Error);

        // Inline requests have no pre-auth limit other than 64 KiB.
        var big = ParseAll(string.Join(' ', Enumerable.Repeat("a", 20)) + "\n", authenticated: false);
        Assert.Equal(20, Assert.Single(big.Requests).Length);
    }

    [Fact]
    public void Huge_declared_lengths_do_not_allocate_them()
    {
        using var request = new Request();
        long before = GC.GetAllocatedBytesForCurrentThread();
        var status = Parser.TryParse(new ReadOnlySequence<byte>(B("*2147483647\r\n$536870912\r\nabc")), true, request, out _, out _);
        long after = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(RequestParseStatus.Incomplete, status);
        Assert.True(after - before < 1_000_000, $"allocated {after - before}");
        Assert.Equal("Protocol error: invalid multibulk length", ParseAll("*99999999999\r\n").Error);
        Assert.Equal("Protocol error: invalid bulk length", ParseAll("*1\r\n$2147483648\r\n").Error);
    }

    [Fact]
    public void Frame_larger_than_max_frame_is_too_large()
    {
        var parser = new RequestParser(new ParserLimits { MaxFrameLength = 100 });
        var r = ParseAll(new ReadOnlySequence<byte>(B("*1\r\n$200\r\n")), parser: parser);
        Assert.Equal(RequestParseStatus.TooLarge, r.Last);
    }

    [Theory]
    [InlineData("POST / HTTP/1.1\r\n")]
    [InlineData("Host: example.com\r\n")]
    [InlineData("host: x\n")]
    [InlineData("*1\r\n$4\r\npost\r\n")]
    [InlineData("*2\r\n$5\r\nHOST:\r\n$1\r\nx\r\n")]
    [InlineData("*1\r\n$6\r\nPOST\0x\r\n")]
    public void Post_and_host_are_security_warnings(string input)
    {
        var r = ParseAll("PING\r\n" + input + "PING\r\n");
        Assert.Equal(RequestParseStatus.SecurityWarning, r.Last);
        Assert.Equal(2, r.Requests.Count);
    }

    [Fact]
    public void Posts_and_hosts_lookalikes_are_commands()
    {
        var r = ParseAll("POSTS\r\nHost\r\n");
        Assert.Equal(2, r.Requests.Count);
        Assert.Equal(RequestParseStatus.Incomplete, r.Last);
    }

    private static readonly string[] SplitSamples =
    [
        "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nva\r\nl\r\n",
        "SET k \"v w\"\r\n",
        "*0\r\n*1\r\n$4\r\nPING\r\n",
        "\r\n*2\r\n$4\r\nECHO\r\n$0\r\n\r\n",
    ];

    [Fact]
    public void Frames_split_at_every_byte_boundary_across_segments()
    {
        foreach (var sample in SplitSamples)
        {
            var data = B(sample + sample);
            var expected = ParseAll(new ReadOnlySequence<byte>(data));
            for (int i = 1; i < data.Length; i++)
            {
                for (int j = i; j < data.Length; j += 3)
                {
                    var got = ParseAll(Split(data, i, j));
                    Assert.Equal(expected.Requests, got.Requests);
                    Assert.Equal(expected.Last, got.Last);
                    Assert.Equal(expected.Consumed, got.Consumed);
                }
            }
        }
    }

    [Fact]
    public void Frames_fed_byte_by_byte_resume()
    {
        foreach (var sample in SplitSamples)
        {
            var data = B(sample);
            var expected = ParseAll(new ReadOnlySequence<byte>(data)).Requests;

            // One sequence of one-byte segments, growing: same start each time, so the parser resumes.
            var cuts = Enumerable.Range(1, data.Length).ToArray();
            var full = Split(data, cuts);
            using var request = new Request();
            var got = new List<string[]>();
            var start = full.Start;
            for (int end = 1; end <= data.Length; end++)
            {
                var window = full.Slice(start, full.GetPosition(end));
                var status = Parser.TryParse(window, true, request, out var to, out _);
                if (status == RequestParseStatus.Complete)
                {
                    got.Add(ArgvStrings(request));
                    Assert.True(request.IsInline || request.Frame.Length == request.FrameLength);
                }
                else
                {
                    Assert.Equal(RequestParseStatus.Incomplete, status);
                }

                start = to;
            }

            Assert.Equal(expected, got);
        }
    }

    [Fact]
    public void Large_bulk_in_many_segments_is_copied_once_and_intact()
    {
        var rnd = new Random(7);
        var value = new byte[1_000_000];
        rnd.NextBytes(value);
        var data = EncodeMultibulk([B("SET"), B("k"), value]);
        var cuts = new List<int>();
        for (int c = 4096; c < data.Length; c += 4096)
        {
            cuts.Add(c);
        }

        var full = Split(data, [.. cuts]);
        using var request = new Request();
        RequestParseStatus status = RequestParseStatus.Incomplete;
        for (int end = 4096; ; end = Math.Min(end + 4096, data.Length))
        {
            status = Parser.TryParse(full.Slice(0, end), true, request, out _, out _);
            if (end == data.Length)
            {
                break;
            }

            Assert.Equal(RequestParseStatus.Incomplete, status);
        }

        Assert.Equal(RequestParseStatus.Complete, status);
        Assert.True(request.Args[2].SequenceEqual(value));
        Assert.True(request.Frame.Span.SequenceEqual(data));
        request.ReleaseBuffers();
    }

    [Fact]
    public void Round_trip_random_argv_with_random_splits()
    {
        var rnd = new Random(12345);
        for (int iter = 0; iter < 500; iter++)
        {
            var requests = new List<byte[][]>();
            var stream = new MemoryStream();
            int n = rnd.Next(1, 6);
            for (int k = 0; k < n; k++)
            {
                var argv = new byte[rnd.Next(1, 8)][];
                for (int a = 0; a < argv.Length; a++)
                {
                    argv[a] = new byte[rnd.Next(0, rnd.Next(2) == 0 ? 10 : 300)];
                    rnd.NextBytes(argv[a]);
                }

                requests.Add(argv);
                stream.Write(EncodeMultibulk(argv));
            }

            var data = stream.ToArray();
            var cuts = new int[rnd.Next(0, 6)];
            for (int c = 0; c < cuts.Length; c++)
            {
                cuts[c] = rnd.Next(1, data.Length);
            }

            Array.Sort(cuts);
            var got = ParseAll(Split(data, cuts));
            Assert.Equal(RequestParseStatus.Incomplete, got.Last);
            Assert.Equal(requests.Count, got.Requests.Count);
            for (int k = 0; k < requests.Count; k++)
            {
                Assert.Equal(requests[k].Select(a => S(a)).ToArray(), got.Requests[k]);
            }
        }
    }

    [Fact]
    public void Garbage_fuzz_never_throws()
    {
        var rnd = new Random(4242);
        byte[] alphabet = B("*$\r\n0123456789-+ \"'\\xaPOST:\0");
        using var request = new Request();
        for (int iter = 0; iter < 20_000; iter++)
        {
            var data = new byte[rnd.Next(1, 64)];
            bool structured = rnd.Next(2) == 0;
            for (int i = 0; i < data.Length; i++)
            {
                data[i] = structured ? alphabet[rnd.Next(alphabet.Length)] : (byte)rnd.Next(256);
            }

            var input = Split(data, rnd.Next(1, data.Length + 1), rnd.Next(1, data.Length + 1));
            for (int guard = 0; guard < 100; guard++)
            {
                var status = Parser.TryParse(input, rnd.Next(2) == 0, request, out var to, out var error);
                Assert.True(Enum.IsDefined(status));
                Assert.Equal(status == RequestParseStatus.Error, error is not null);
                if (status is not (RequestParseStatus.Complete or RequestParseStatus.SecurityWarning))
                {
                    break;
                }

                var args = request.Args;
                for (int a = 0; a < args.Count; a++)
                {
                    _ = args[a].Length;
                }

                input = input.Slice(to);
            }
        }
    }

    [Fact]
    public void Request_reuse_does_not_allocate_per_command()
    {
        var data = B(string.Concat(Enumerable.Repeat("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n", 1000)));
        using var request = new Request();
        var input = new ReadOnlySequence<byte>(data);
        Parser.TryParse(input, true, request, out _, out _); // warm up buffers
        long before = GC.GetAllocatedBytesForCurrentThread();
        int count = 0;
        while (Parser.TryParse(input, true, request, out var to, out _) == RequestParseStatus.Complete)
        {
            count++;
            input = input.Slice(to);
        }

        long after = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(1000, count);
        Assert.True(after - before < 2000, $"allocated {after - before} bytes");
    }
}
