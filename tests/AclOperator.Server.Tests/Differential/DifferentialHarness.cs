using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using AclOperator.Acl.Tests.Infrastructure;
using AclOperator.Server.Tests.Infrastructure;
using Xunit;

namespace AclOperator.Server.Tests.Differential;

/// <summary>What one server sent back for a session.</summary>
internal sealed class DiffResult
{
    public required byte[] Stream { get; init; }

    /// <summary>The server closed the connection (EOF or reset) within the session's time limit.</summary>
    public bool Closed { get; init; }

    public bool TimedOut { get; init; }

    public override string ToString() =>
        $"{RespFrames.Render(Stream, 2000)} (closed={Closed}, timedOut={TimedOut})";
}

/// <summary>Runs a <see cref="DiffSession"/> on one server over a raw socket and captures the raw reply stream.</summary>
internal static class DiffRunner
{
    public static async Task<DiffResult> RunAsync(IPEndPoint endPoint, DiffSession session, CancellationToken ct)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(endPoint, ct);
        var reader = new ReplyReader(socket, session.Timeout);
        foreach (DiffChunk chunk in session.Build())
        {
            if (reader.Eof)
            {
                break;
            }

            try
            {
                await socket.SendAsync(chunk.Bytes, SocketFlags.None, ct);
            }
            catch (SocketException)
            {
                // The server already closed the connection; what it sent is still read below.
                break;
            }

            if (chunk.SyncMarker is { } marker && !await reader.ReadUntilAsync(marker, ct))
            {
                break;
            }
        }

        if (session.HalfClose && !reader.Eof)
        {
            try
            {
                socket.Shutdown(SocketShutdown.Send);
            }
            catch (SocketException)
            {
            }
        }

        if (session.ExpectClose)
        {
            await reader.ReadToEndAsync(ct);
        }

        return new DiffResult { Stream = reader.Bytes, Closed = reader.Eof, TimedOut = reader.TimedOut };
    }

    /// <summary>Incremental reader over the reply stream (frames are split for the sync markers only).</summary>
    private sealed class ReplyReader(Socket socket, TimeSpan timeout)
    {
        private readonly List<byte> _bytes = [];
        private readonly byte[] _buffer = new byte[64 * 1024];
        private int _scanned;

        public bool Eof { get; private set; }

        public bool TimedOut { get; private set; }

        public byte[] Bytes => [.. _bytes];

        public async Task<bool> ReadUntilAsync(byte[] marker, CancellationToken ct)
        {
            while (true)
            {
                // Look for a complete frame that carries the marker.
                byte[] all = [.. _bytes];
                while (true)
                {
                    int end = RespFrames.FrameEnd(all, _scanned);
                    if (end < 0)
                    {
                        break;
                    }

                    bool found = all.AsSpan(_scanned, end - _scanned).IndexOf(marker) >= 0;
                    _scanned = end;
                    if (found)
                    {
                        return true;
                    }
                }

                if (!await ReceiveAsync(ct))
                {
                    return false;
                }
            }
        }

        public async Task ReadToEndAsync(CancellationToken ct)
        {
            while (await ReceiveAsync(ct))
            {
            }
        }

        private async Task<bool> ReceiveAsync(CancellationToken ct)
        {
            if (Eof || TimedOut)
            {
                return false;
            }

            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            cts.CancelAfter(timeout);
            try
            {
                int n = await socket.ReceiveAsync(_buffer, SocketFlags.None, cts.Token);
                if (n == 0)
                {
                    Eof = true;
                    return false;
                }

                _bytes.AddRange(_buffer.AsSpan(0, n));
                return true;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                TimedOut = true;
                return false;
            }
            catch (SocketException)
            {
                // Connection reset: the server closed with unread input.
                Eof = true;
                return false;
            }
        }
    }
}

/// <summary>
/// The documented differences that are not enforcement behaviour: connection ids, the HELLO version, and Redis 7.0's
/// older NOPERM texts (7.2 added the user name; the key and channel texts were shortened).
/// </summary>
internal static class DiffNormalizer
{
    private static readonly (Regex Pattern, string Replacement)[] Common =
    [
        (new Regex(@"(\$7\r\nversion\r\n)\$\d+\r\n[0-9.]+\r\n", RegexOptions.CultureInvariant), "${1}$5\r\nx.y.z\r\n"),
        (new Regex(@"(\$2\r\nid\r\n):\d+\r\n", RegexOptions.CultureInvariant), "${1}:0\r\n"),
        (new Regex(@"(\$6\r\n" + DiffSession.IdMarker + @"\r\n):\d+\r\n", RegexOptions.CultureInvariant), "${1}:0\r\n"),
        (new Regex(@"NOPERM this user has no permissions to access one of the keys used as arguments", RegexOptions.CultureInvariant), "NOPERM No permissions to access a key"),
        (new Regex(@"NOPERM this user has no permissions to access one of the channels used as arguments", RegexOptions.CultureInvariant), "NOPERM No permissions to access a channel"),
    ];

    private static readonly Regex Noperm70 = new(@"NOPERM this user has no permissions to run the '([^']*)' command", RegexOptions.CultureInvariant);

    public static string Normalize(byte[] stream, DiffSession session)
    {
        string s = Encoding.Latin1.GetString(stream);
        foreach (var (pattern, replacement) in Common)
        {
            s = pattern.Replace(s, replacement);
        }

        s = Noperm70.Replace(s, m => $"NOPERM User {session.NopermUser} has no permissions to run the '{m.Groups[1].Value}' command");
        foreach (var (pattern, replacement) in session.Normalizations)
        {
            s = pattern.Replace(s, replacement);
        }

        return s;
    }
}

/// <summary>Runs sessions on both servers and compares the normalised reply streams byte for byte.</summary>
internal static class Differential
{
    public static async Task<(DiffResult Redis, DiffResult Ours)> RunBothAsync(DifferentialFixture fixture, DiffSession session)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        ArgumentNullException.ThrowIfNull(session);
        session.Build();
        CancellationToken ct = TestContext.Current.CancellationToken;
        var redis = DiffRunner.RunAsync(fixture.RedisEndPoint, session, ct);
        var ours = DiffRunner.RunAsync(fixture.Ours.EndPoint, session, ct);
        return (await redis, await ours);
    }

    /// <summary>Null when the normalised streams (and the close state) are identical, else a diagnostic.</summary>
    public static string? Compare(DiffSession session, DiffResult redis, DiffResult ours)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(ours);
        string r = DiffNormalizer.Normalize(redis.Stream, session);
        string o = DiffNormalizer.Normalize(ours.Stream, session);
        var sb = new StringBuilder();
        if (redis.TimedOut)
        {
            sb.Append("redis-server timed out (session bug?). ");
        }

        if (ours.TimedOut)
        {
            sb.Append("our server timed out. ");
        }

        if (session.ExpectClose && (redis.Closed != ours.Closed))
        {
            sb.Append($"close differs: redis closed={redis.Closed}, ours closed={ours.Closed}. ");
        }

        if (!string.Equals(r, o, StringComparison.Ordinal))
        {
            sb.Append(DescribeDifference(Encoding.Latin1.GetBytes(r), Encoding.Latin1.GetBytes(o)));
        }

        return sb.Length == 0 ? null : $"[{session.Name}] {sb}";
    }

    /// <summary>
    /// Runs the session on redis-server, on our server + Garnet and on our server + an upstream redis-server (a
    /// second instance, so the runs do not share keys); both of ours must match redis-server.
    /// </summary>
    public static async Task<(DiffResult Redis, DiffResult Ours)> AssertSameAsync(DifferentialFixture fixture, DiffSession session)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        var (redis, ours) = await RunBothAsync(fixture, session);
        if (Compare(session, redis, ours) is { } difference)
        {
            Assert.Fail(difference);
        }

        if (fixture.OursUpstream is { } upstream)
        {
            var viaUpstream = await DiffRunner.RunAsync(upstream.EndPoint, session, TestContext.Current.CancellationToken);
            if (Compare(session, redis, viaUpstream) is { } upstreamDifference)
            {
                Assert.Fail("[through an upstream redis-server] " + upstreamDifference);
            }
        }

        return (redis, ours);
    }

    private static string DescribeDifference(byte[] redis, byte[] ours)
    {
        List<byte[]> rf = SafeSplit(redis, out int rc);
        List<byte[]> of = SafeSplit(ours, out int oc);
        int i = 0;
        while (i < rf.Count && i < of.Count && rf[i].AsSpan().SequenceEqual(of[i]))
        {
            i++;
        }

        var sb = new StringBuilder();
        sb.Append($"reply streams differ at frame #{i} (redis {rf.Count} frames, ours {of.Count} frames).");
        for (int k = Math.Max(0, i - 2); k < Math.Min(i + 4, Math.Max(rf.Count, of.Count)); k++)
        {
            string a = k < rf.Count ? RespFrames.Render(rf[k]) : "<none>";
            string b = k < of.Count ? RespFrames.Render(of[k]) : "<none>";
            sb.Append($"\n  #{k}{(k == i ? " <<<" : string.Empty)}\n    redis: {a}\n    ours : {b}");
        }

        if (rc < redis.Length)
        {
            sb.Append($"\n  redis trailing partial: {RespFrames.Render(redis.AsSpan(rc))}");
        }

        if (oc < ours.Length)
        {
            sb.Append($"\n  ours trailing partial: {RespFrames.Render(ours.AsSpan(oc))}");
        }

        return sb.ToString();
    }

    private static List<byte[]> SafeSplit(byte[] stream, out int consumed)
    {
        try
        {
            return RespFrames.Split(stream, out consumed);
        }
        catch (InvalidDataException)
        {
            consumed = 0;
            return [];
        }
    }
}

/// <summary>
/// A real redis-server (Debian 7.0.15 on PATH, or <c>$REDIS_SERVER</c>) and our server with embedded Garnet, side by
/// side, for one test class. Tests call <see cref="RequireRedis"/> first (skipped, not passed, without redis-server).
/// </summary>
public sealed class DifferentialFixture : IAsyncLifetime
{
    private readonly RedisServerFixture _redis = new();
    private readonly RedisServerFixture _upstreamRedis = new();
    private InProcessServer? _ours;

    internal InProcessServer Ours => _ours ?? throw new InvalidOperationException("not started");

    /// <summary>Our server in front of a second redis-server as its upstream (null when redis-server is missing).</summary>
    internal InProcessServer? OursUpstream { get; private set; }

    internal IPEndPoint RedisEndPoint => new(IPAddress.Loopback, _redis.Port);

    internal RedisServerFixture Redis => _redis;

    public void RequireRedis() => Assert.SkipUnless(_redis.IsAvailable, _redis.SkipReason ?? "redis-server unavailable");

    public async ValueTask InitializeAsync()
    {
        var ours = InProcessServer.StartAsync(["--maxmemory", "64mb"]);
        await Task.WhenAll(_redis.InitializeAsync().AsTask(), _upstreamRedis.InitializeAsync().AsTask());
        _ours = await ours;
        if (_upstreamRedis.IsAvailable)
        {
            OursUpstream = await InProcessServer.StartAsync(["--upstream", $"127.0.0.1:{_upstreamRedis.Port}"]);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _redis.DisposeAsync();
        if (OursUpstream is not null)
        {
            await OursUpstream.DisposeAsync();
        }

        await _upstreamRedis.DisposeAsync();
        if (_ours is not null)
        {
            await _ours.DisposeAsync();
        }
    }
}
