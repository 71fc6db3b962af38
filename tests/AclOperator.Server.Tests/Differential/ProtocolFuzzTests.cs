using System.Globalization;
using System.Text;
using Xunit;

namespace AclOperator.Server.Tests.Differential;

/// <summary>
/// E1 (strict parsing, fail closed): seeded differential fuzz of request framing against real redis-server. Frames
/// that both accept must reach the backend with the same argv (checked with RPUSH then LRANGE, which echo what the
/// store received, and with inline commands); malformed input must get Redis's protocol error and a close.
/// </summary>
public sealed class ProtocolFuzzTests(DifferentialFixture fixture) : IClassFixture<DifferentialFixture>
{
    private static byte[] RandomArg(Random rng)
    {
        int len = rng.Next(5) switch
        {
            0 => 0,
            1 => rng.Next(1, 4),
            2 => rng.Next(4, 40),
            3 => rng.Next(40, 300),
            _ => rng.Next(1000, 20000),
        };
        byte[] a = new byte[len];
        rng.NextBytes(a);
        if (rng.Next(3) == 0)
        {
            // Protocol-looking content inside a bulk must stay payload.
            byte[] tricky = "\r\n*1\r\n$4\r\nPING\r\n"u8.ToArray();
            tricky.AsSpan(0, Math.Min(tricky.Length, a.Length)).CopyTo(a);
        }

        return a;
    }

    /// <summary>Valid multibulk frames with binary payloads, written in random chunks: the backend must store exactly
    /// the argv Redis stores.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task ValidMultibulkFrames_InRandomChunks_BackendSeesSameArgv(int seed)
    {
        fixture.RequireRedis();
        var rng = new Random(seed);
        var all = new MemoryStream();
        string key = "e1:mb:" + seed.ToString(CultureInfo.InvariantCulture);
        all.Write(DiffSession.Encode([.. new[] { "DEL", key, key + ":s" }.Select(Encoding.ASCII.GetBytes)]));
        for (int i = 0; i < 40; i++)
        {
            var argv = new List<byte[]> { Encoding.ASCII.GetBytes(rng.Next(2) == 0 ? "RPUSH" : "rpush"), Encoding.ASCII.GetBytes(key) };
            int n = rng.Next(1, 6);
            for (int j = 0; j < n; j++)
            {
                argv.Add(RandomArg(rng));
            }

            all.Write(DiffSession.Encode(argv));
            if (rng.Next(4) == 0)
            {
                byte[] value = RandomArg(rng);
                all.Write(DiffSession.Encode([Encoding.ASCII.GetBytes("SET"), Encoding.ASCII.GetBytes(key + ":s"), value]));
                all.Write(DiffSession.Encode([Encoding.ASCII.GetBytes("GET"), Encoding.ASCII.GetBytes(key + ":s")]));
            }
        }

        all.Write(DiffSession.Encode([.. new[] { "LRANGE", key, "0", "-1" }.Select(Encoding.ASCII.GetBytes)]));
        byte[] bytes = all.ToArray();
        var session = new DiffSession($"e1-multibulk-{seed}");
        int pos = 0;
        while (pos < bytes.Length)
        {
            int len = Math.Min(bytes.Length - pos, rng.Next(1, 3000));
            session.Raw(bytes[pos..(pos + len)]).Flush();
            pos += len;
        }

        await Differential.AssertSameAsync(fixture, session);
    }

    private static readonly string[] InlineTokens =
    [
        "plain", "a", "\"double quoted\"", "'single quoted'", "\"esc\\x41\\n\\t\\\\\"", "'it\\'s'", "\"\"", "''",
        "\"\\xzz\"", "\"q\\\"uote\"", "tab\there", "123", "-1", "\"\\r\\n\"", "\"\\u00e9\"",
    ];

    /// <summary>Inline commands with quotes and escapes are split as sdssplitargs does and re-encoded for the
    /// backend: RPUSH + LRANGE shows the argv the store got.</summary>
    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public async Task InlineCommandsWithQuotes_BackendSeesSameArgv(int seed)
    {
        fixture.RequireRedis();
        var rng = new Random(seed);
        string key = "e1:inl:" + seed.ToString(CultureInfo.InvariantCulture);
        var session = new DiffSession($"e1-inline-{seed}").Cmd("DEL", key);
        for (int i = 0; i < 60; i++)
        {
            var sb = new StringBuilder(rng.Next(2) == 0 ? "RPUSH " : "  rpush\t");
            sb.Append(key);
            int n = rng.Next(1, 5);
            for (int j = 0; j < n; j++)
            {
                sb.Append(rng.Next(4) == 0 ? "  " : " ").Append(InlineTokens[rng.Next(InlineTokens.Length)]);
            }

            session.Raw(Encoding.Latin1.GetBytes(sb.ToString() + (rng.Next(3) == 0 ? "\n" : "\r\n")));
            if (rng.Next(5) == 0)
            {
                session.Inline("ECHO " + InlineTokens[rng.Next(InlineTokens.Length)]);
            }

            if (rng.Next(10) == 0)
            {
                // Empty inline lines are skipped silently by both.
                session.Raw("\r\n");
            }
        }

        session.Inline("LRANGE " + key + " 0 -1");
        await Differential.AssertSameAsync(fixture, session);
    }

    /// <summary>Malformed framing: Redis's exact protocol error, then the connection is closed (nothing after it is
    /// answered, and the earlier pipelined commands are answered first).</summary>
    [Theory]
    [InlineData("*03\r\n$4\r\nPING\r\n")]
    [InlineData("*1\r\n$+4\r\nPING\r\n")]
    [InlineData("*1\r\n$04\r\nPING\r\n")]
    [InlineData("*1\r\n$-1\r\n")]
    [InlineData("*1\r\n$4x\r\nPING\r\n")]
    [InlineData("*x\r\n")]
    [InlineData("*1x\r\n$4\r\nPING\r\n")]
    [InlineData("*1\r\n+PING\r\n")]
    [InlineData("*1\r\n:4\r\nPING\r\n")]
    [InlineData("*1\r\n\r\n")]
    [InlineData("*2147483648\r\n")]
    [InlineData("*1\r\n$2147483648\r\n")]
    [InlineData("*1\r\n$536870913\r\n")]
    [InlineData("*-\r\n")]
    [InlineData("*1\r\n$\r\n")]
    [InlineData("ECHO \"unbalanced\r\n")]
    [InlineData("ECHO 'unbalanced\r\n")]
    [InlineData("ECHO \"closed\"x\r\n")]
    [InlineData("*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$x\r\n*1\r\n$4\r\nPING\r\n")]
    public async Task MalformedFrame_SameProtocolErrorAndClose(string frame)
    {
        fixture.RequireRedis();
        var session = new DiffSession("e1-malformed " + RespFrames.Render(Encoding.Latin1.GetBytes(frame)))
            .Cmd("PING", "before")
            .Raw(Encoding.Latin1.GetBytes(frame))
            .Cmd("PING", "after")
            .ThenClose();
        var (_, ours) = await Differential.AssertSameAsync(fixture, session);
        Assert.True(ours.Closed, "our server must close the connection");
        Assert.Contains("-ERR Protocol error", Encoding.Latin1.GetString(ours.Stream), StringComparison.Ordinal);
    }

    /// <summary>Count lines longer than 64 KiB without CRLF: "too big mbulk/bulk count string", then close.</summary>
    [Theory]
    [InlineData("*")]
    [InlineData("*1\r\n$")]
    public async Task OverlongCountLine_SameErrorAndClose(string prefix)
    {
        fixture.RequireRedis();
        var session = new DiffSession("e1-overlong-" + prefix.Length.ToString(CultureInfo.InvariantCulture))
            .Raw(prefix + new string('1', 70_000))
            .ThenClose();
        await Differential.AssertSameAsync(fixture, session);
    }

    /// <summary>A frame cut anywhere and then half-closed is never executed: no reply, connection closed (as Redis);
    /// huge but valid counts just wait for more data.</summary>
    [Fact]
    public async Task TruncatedFrames_AreNeverExecuted()
    {
        fixture.RequireRedis();
        var rng = new Random(5);
        byte[] frame = DiffSession.Encode([.. new[] { "SET", "e1:trunc", "value-that-must-not-be-set" }.Select(Encoding.ASCII.GetBytes)]);
        var cuts = Enumerable.Range(0, 12).Select(_ => rng.Next(1, frame.Length)).Distinct().ToList();
        cuts.Add(frame.Length - 1);
        foreach (int cut in cuts)
        {
            var session = new DiffSession($"e1-truncated-at-{cut}").Cmd("PING").Raw(frame[..cut]).ThenClose(halfClose: true);
            await Differential.AssertSameAsync(fixture, session);
        }

        await Differential.AssertSameAsync(fixture, new DiffSession("e1-huge-count").Raw("*1000000\r\n$3\r\nSET\r\n").ThenClose(halfClose: true));
        await Differential.AssertSameAsync(fixture, new DiffSession("e1-huge-bulk").Raw("*3\r\n$3\r\nSET\r\n$8\r\ne1:trunc\r\n$100000000\r\nabc").ThenClose(halfClose: true));
        await Differential.AssertSameAsync(fixture, new DiffSession("e1-trunc-check").Cmd("EXISTS", "e1:trunc"));
    }

    /// <summary>
    /// Random single-byte mutations of a valid pipeline. Allowed outcomes: the same reply stream as Redis, or (E1:
    /// "at least as strict") our server stopping earlier with a protocol error and a close where Redis went on —
    /// never the reverse, and never a different reply for a frame both accepted.
    /// </summary>
    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    public async Task MutatedFrames_OursIsIdenticalOrStricter(int seed)
    {
        fixture.RequireRedis();
        var rng = new Random(seed);
        int stricter = 0;
        for (int c = 0; c < 40; c++)
        {
            string key = $"e1:mut:{seed}:{c}";
            var pipe = new MemoryStream();
            pipe.Write(DiffSession.Encode([.. new[] { "RPUSH", key, "alpha", "b\r\nc", "12345678901" }.Select(Encoding.ASCII.GetBytes)]));
            pipe.Write(DiffSession.Encode([.. new[] { "ECHO", "mid" }.Select(Encoding.ASCII.GetBytes)]));
            pipe.Write(DiffSession.Encode([.. new[] { "LRANGE", key, "0", "-1" }.Select(Encoding.ASCII.GetBytes)]));
            byte[] bytes = pipe.ToArray();
            int at = rng.Next(bytes.Length);
            bytes[at] = (byte)(rng.Next(3) switch
            {
                0 => "0123456789"[rng.Next(10)],
                1 => "\r\n*$+-: x"[rng.Next(9)],
                _ => rng.Next(256),
            });
            var session = new DiffSession($"e1-mutated-{seed}-{c}-at-{at}")
            {
                Timeout = TimeSpan.FromSeconds(2),
            };
            session.Raw(bytes).Cmd("DEL", key).ThenClose(halfClose: true);
            var (redis, ours) = await Differential.RunBothAsync(fixture, session);
            if (Differential.Compare(session, redis, ours) is not { } difference)
            {
                continue;
            }

            // Stricter is fine: ours answered a prefix of Redis's replies, then a protocol error, then closed.
            List<byte[]> rf = RespFrames.Split(redis.Stream, out _);
            List<byte[]> of = RespFrames.Split(ours.Stream, out _);
            bool prefix = of.Count >= 1 && of.Count - 1 <= rf.Count &&
                          of.Take(of.Count - 1).Zip(rf).All(p => p.First.AsSpan().SequenceEqual(p.Second));
            bool protocolError = of.Count >= 1 && Encoding.Latin1.GetString(of[^1]).StartsWith("-ERR Protocol error", StringComparison.Ordinal);
            // Redis may reject the same frame later with another protocol error: a bulk not followed by CRLF is
            // caught by us at once ("invalid bulk length"), by Redis only when it misreads the next header.
            bool redisRejectedThere = of.Count - 1 < rf.Count && Encoding.Latin1.GetString(rf[of.Count - 1]).StartsWith("-ERR Protocol error", StringComparison.Ordinal);
            bool earlierCrlfCheck = Encoding.Latin1.GetString(of[^1]) == "-ERR Protocol error: invalid bulk length\r\n";
            Assert.True(prefix && protocolError && ours.Closed && (!redisRejectedThere || earlierCrlfCheck), difference);
            stricter++;
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{stricter} mutated pipelines were rejected earlier by our server (stricter than Redis).");
    }

    /// <summary>A bulk not followed by CRLF: Redis 7 skips the two bytes unchecked; we are stricter (E1) and answer
    /// Redis's bulk-length protocol error, then close.</summary>
    [Fact]
    public async Task BulkNotFollowedByCrlf_IsRejectedByUsOnly()
    {
        fixture.RequireRedis();
        var session = new DiffSession("e1-bulk-no-crlf").Cmd("PING", "before").Raw("*2\r\n$4\r\nECHO\r\n$2\r\nokXX*1\r\n$4\r\nPING\r\n").ThenClose(halfClose: true);
        var (redis, ours) = await Differential.RunBothAsync(fixture, session);
        Assert.Equal("$6\r\nbefore\r\n$2\r\nok\r\n+PONG\r\n", Encoding.Latin1.GetString(redis.Stream));
        Assert.Equal("$6\r\nbefore\r\n-ERR Protocol error: invalid bulk length\r\n", Encoding.Latin1.GetString(ours.Stream));
        Assert.True(ours.Closed);
    }
}
