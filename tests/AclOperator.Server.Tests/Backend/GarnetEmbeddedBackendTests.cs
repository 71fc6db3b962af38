using System.Diagnostics;
using System.Globalization;
using System.Text;
using AclOperator.Acl.Commands;
using AclOperator.Server.Backend;
using AclOperator.Server.Backend.Garnet;
using Xunit;

namespace AclOperator.Server.Tests.Backend;

/// <summary>Starts one embedded Garnet for all tests of the class (startup allocates the store).</summary>
public sealed class GarnetBackendFixture : IAsyncLifetime
{
    public GarnetEmbeddedBackend Backend { get; private set; } = null!;

    public async ValueTask InitializeAsync() =>
        Backend = await GarnetEmbeddedBackend.StartAsync(new GarnetEmbeddedOptions { MemorySize = "64m", EnableLua = true, LuaTimeout = TimeSpan.FromSeconds(1) }, null, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        if (Backend is not null)
        {
            await Backend.DisposeAsync();
        }
    }
}

/// <summary>Records what a backend session sends back; waits with bounded polling (no fixed sleeps).</summary>
internal sealed class RecordingSink : IBackendReplySink
{
    private readonly object _gate = new();
    private readonly List<byte> _bytes = [];
    private int _inCall;

    public Func<bool>? ThrowOnReply { get; set; }

    public string? ClosedReason { get; private set; }

    public List<(int ThreadId, bool PoolThread)> ReplyThreads { get; } = [];

    public bool Overlapped { get; private set; }

    public void OnReply(ReadOnlySpan<byte> reply)
    {
        if (Interlocked.Exchange(ref _inCall, 1) != 0)
        {
            Overlapped = true;
        }

        try
        {
            if (ThrowOnReply?.Invoke() == true)
            {
                throw new InvalidOperationException("sink exploded");
            }

            lock (_gate)
            {
                _bytes.AddRange(reply);
                ReplyThreads.Add((Environment.CurrentManagedThreadId, Thread.CurrentThread.IsThreadPoolThread));
                Monitor.PulseAll(_gate);
            }
        }
        finally
        {
            Volatile.Write(ref _inCall, 0);
        }
    }

    public void OnClosed(string reason)
    {
        lock (_gate)
        {
            ClosedReason = reason;
            Monitor.PulseAll(_gate);
        }
    }

    public string Text
    {
        get
        {
            lock (_gate)
            {
                return Encoding.UTF8.GetString(_bytes.ToArray());
            }
        }
    }

    public string Take()
    {
        lock (_gate)
        {
            string s = Encoding.UTF8.GetString(_bytes.ToArray());
            _bytes.Clear();
            ReplyThreads.Clear();
            return s;
        }
    }

    public bool WaitFor(Func<string, bool> condition, int timeoutMs = 10_000)
    {
        long deadline = Environment.TickCount64 + timeoutMs;
        lock (_gate)
        {
            while (!condition(Encoding.UTF8.GetString(_bytes.ToArray())))
            {
                long left = deadline - Environment.TickCount64;
                if (left <= 0)
                {
                    return false;
                }

                Monitor.Wait(_gate, (int)Math.Min(left, 100));
            }

            return true;
        }
    }

    public bool WaitClosed(int timeoutMs = 10_000)
    {
        long deadline = Environment.TickCount64 + timeoutMs;
        lock (_gate)
        {
            while (ClosedReason is null)
            {
                long left = deadline - Environment.TickCount64;
                if (left <= 0)
                {
                    return false;
                }

                Monitor.Wait(_gate, (int)Math.Min(left, 100));
            }

            return true;
        }
    }
}

public sealed class GarnetEmbeddedBackendTests(GarnetBackendFixture fixture, ITestOutputHelper output) : IClassFixture<GarnetBackendFixture>
{
    private GarnetEmbeddedBackend Backend => fixture.Backend;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static byte[] Cmd(params string[] args)
    {
        var sb = new StringBuilder();
        sb.Append('*').Append(args.Length).Append("\r\n");
        foreach (string a in args)
        {
            sb.Append('$').Append(Encoding.UTF8.GetByteCount(a)).Append("\r\n").Append(a).Append("\r\n");
        }

        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static string Key(string name) => name + ":" + Guid.NewGuid().ToString("N");

    private (IBackendSession Session, RecordingSink Sink) Open()
    {
        var sink = new RecordingSink();
        return (Backend.OpenSession(sink), sink);
    }

    [Fact]
    public void Ping_set_get_reply_exact_bytes()
    {
        var (s, sink) = Open();
        using (s)
        {
            string k = Key("k");
            s.Execute(Cmd("PING"));
            Assert.Equal("+PONG\r\n", sink.Take());
            s.Execute(Cmd("SET", k, "v"));
            Assert.Equal("+OK\r\n", sink.Take());
            s.Execute(Cmd("GET", k));
            Assert.Equal("$1\r\nv\r\n", sink.Take());
            s.Execute(Cmd("GET", Key("missing")));
            Assert.Equal("$-1\r\n", sink.Take());
            Assert.All(sink.ReplyThreads, t => Assert.Equal(Environment.CurrentManagedThreadId, t.ThreadId));
            Assert.False(s.IsClosed);
        }
    }

    [Fact]
    public void Pipelined_batch_in_one_call_replies_in_order()
    {
        var (s, sink) = Open();
        using (s)
        {
            string k = Key("p");
            byte[] batch = [.. Cmd("SET", k, "1"), .. Cmd("INCR", k), .. Cmd("GET", k), .. Cmd("PING"), .. Cmd("NOSUCHCOMMAND")];
            s.Execute(batch);
            string text = sink.Take();
            Assert.StartsWith("+OK\r\n:2\r\n$1\r\n2\r\n+PONG\r\n-ERR unknown command", text, StringComparison.Ordinal);
            Assert.False(s.IsClosed);
        }
    }

    [Fact]
    public void Command_split_across_two_calls()
    {
        var (s, sink) = Open();
        using (s)
        {
            string k = Key("split");
            byte[] set = Cmd("SET", k, "hello");
            s.Execute(set.AsSpan(0, 9));
            Assert.Equal(string.Empty, sink.Text);
            s.Execute(set.AsSpan(9));
            Assert.Equal("+OK\r\n", sink.Take());
            // A complete command followed by half of the next one.
            byte[] two = [.. Cmd("GET", k), .. Cmd("STRLEN", k)];
            int cut = Cmd("GET", k).Length + 5;
            s.Execute(two.AsSpan(0, cut));
            Assert.Equal("$5\r\nhello\r\n", sink.Take());
            s.Execute(two.AsSpan(cut));
            Assert.Equal(":5\r\n", sink.Take());
        }
    }

    [Fact]
    public void Multi_exec_in_one_call_and_across_calls()
    {
        var (s, sink) = Open();
        using (s)
        {
            string k = Key("m");
            s.Execute([.. Cmd("MULTI"), .. Cmd("SET", k, "a"), .. Cmd("APPEND", k, "b"), .. Cmd("EXEC")]);
            Assert.Equal("+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n+OK\r\n:2\r\n", sink.Take());

            s.Execute(Cmd("MULTI"));
            s.Execute(Cmd("APPEND", k, "c"));
            byte[] get = Cmd("GET", k);
            s.Execute(get.AsSpan(0, 4));
            s.Execute(get.AsSpan(4));
            s.Execute(Cmd("EXEC"));
            Assert.Equal("+OK\r\n+QUEUED\r\n+QUEUED\r\n*2\r\n:3\r\n$3\r\nabc\r\n", sink.Take());

            // The session keeps working after the transaction.
            s.Execute(Cmd("PING"));
            Assert.Equal("+PONG\r\n", sink.Take());
        }
    }

    [Fact]
    public void Large_reply_spans_several_sends()
    {
        var (s, sink) = Open();
        using (s)
        {
            string k = Key("big");
            string value = new('x', 200_000);
            s.Execute(Cmd("SET", k, value));
            Assert.Equal("+OK\r\n", sink.Take());
            s.Execute(Cmd("GET", k));
            Assert.Equal("$200000\r\n" + value + "\r\n", sink.Take());
            Assert.True(sink.ReplyThreads.Count == 0);
        }
    }

    [Fact]
    public void Hello_3_switches_to_resp3()
    {
        var (s, sink) = Open();
        using (s)
        {
            string k = Key("h");
            s.Execute(Cmd("HSET", k, "f", "v"));
            Assert.Equal(":1\r\n", sink.Take());
            s.Execute(Cmd("HELLO", "3"));
            string hello = sink.Take();
            output.WriteLine("HELLO 3: " + hello.Replace("\r\n", "\\r\\n", StringComparison.Ordinal));
            Assert.StartsWith("%", hello, StringComparison.Ordinal);
            s.Execute(Cmd("HGETALL", k));
            Assert.Equal("%1\r\n$1\r\nf\r\n$1\r\nv\r\n", sink.Take());
            s.Execute(Cmd("GET", Key("none")));
            Assert.Equal("_\r\n", sink.Take());
        }
    }

    [Fact]
    public void Publish_on_one_session_pushes_to_subscriber_from_another_thread()
    {
        var (sub, subSink) = Open();
        var (pub, pubSink) = Open();
        using (sub)
        using (pub)
        {
            string channel = Key("ch");
            sub.Execute(Cmd("SUBSCRIBE", channel));
            Assert.Equal($"*3\r\n$9\r\nsubscribe\r\n${channel.Length}\r\n{channel}\r\n:1\r\n", subSink.Take());
            // Garnet 2.2.8 writes the push synchronously on the publisher's thread, under the subscriber's sender lock.
            var publisher = new Thread(() => pub.Execute(Cmd("PUBLISH", channel, "hi")));
            publisher.Start();
            Assert.True(publisher.Join(TimeSpan.FromSeconds(10)));
            Assert.Equal(":1\r\n", pubSink.Take());
            string expected = $"*3\r\n$7\r\nmessage\r\n${channel.Length}\r\n{channel}\r\n$2\r\nhi\r\n";
            Assert.True(subSink.WaitFor(t => t == expected), subSink.Text);
            Assert.NotEqual(Environment.CurrentManagedThreadId, subSink.ReplyThreads[0].ThreadId);
            Assert.False(subSink.Overlapped);
        }
    }

    [Fact]
    public async Task Blpop_runs_on_a_dedicated_thread_and_completes_on_lpush()
    {
        var (blocked, sink) = Open();
        var (other, otherSink) = Open();
        using (blocked)
        using (other)
        {
            string k = Key("list");
            Task call = blocked.ExecuteBlockingAsync(Cmd("BLPOP", k, "0"), Ct);
            Assert.False(call.IsCompleted);
            other.Execute(Cmd("LPUSH", k, "item"));
            Assert.Equal(":1\r\n", otherSink.Take());
            await call.WaitAsync(TimeSpan.FromSeconds(10), Ct);
            Assert.Equal($"*2\r\n${k.Length}\r\n{k}\r\n$4\r\nitem\r\n", sink.Text);
            Assert.All(sink.ReplyThreads, t => Assert.False(t.PoolThread));
            // The session takes ordinary calls again.
            blocked.Execute(Cmd("PING"));
            Assert.EndsWith("+PONG\r\n", sink.Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Fifty_blocked_sessions_do_not_grow_the_thread_pool()
    {
        var sessions = new List<(IBackendSession S, RecordingSink Sink)>();
        var calls = new List<Task>();
        int poolBefore = ThreadPool.ThreadCount;
        string k = Key("fifty");
        try
        {
            for (int i = 0; i < 50; i++)
            {
                var (s, sink) = Open();
                sessions.Add((s, sink));
                calls.Add(s.ExecuteBlockingAsync(Cmd("BLPOP", k, "0"), Ct));
            }

            Assert.DoesNotContain(calls, c => c.IsCompleted);
            int poolDuring = ThreadPool.ThreadCount;
            output.WriteLine($"thread pool threads: before {poolBefore}, with 50 blocked {poolDuring}");
            Assert.True(poolDuring <= poolBefore + 8, $"pool grew from {poolBefore} to {poolDuring}");

            var (pusher, _) = Open();
            using (pusher)
            {
                var values = Enumerable.Range(0, 50).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
                pusher.Execute(Cmd(["RPUSH", k, .. values]));
            }

            await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(20), Ct);
            Assert.All(sessions, x => Assert.StartsWith("*2\r\n", x.Sink.Text, StringComparison.Ordinal));
        }
        finally
        {
            foreach (var (s, _) in sessions)
            {
                s.Dispose();
            }
        }
    }

    [Fact]
    public async Task Unblock_wakes_a_blocked_call_with_timeout_or_error_reply()
    {
        var (s, sink) = Open();
        using (s)
        {
            Assert.False(s.Unblock(withError: false));
            Task call = s.ExecuteBlockingAsync(Cmd("BLPOP", Key("u"), "0"), Ct);
            Assert.True(s.Unblock(withError: false));
            await call.WaitAsync(TimeSpan.FromSeconds(10), Ct);
            string timeoutReply = sink.Take();
            output.WriteLine("unblock reply: " + timeoutReply.Replace("\r\n", "\\r\\n", StringComparison.Ordinal));
            Assert.Equal("*-1\r\n", timeoutReply);

            call = s.ExecuteBlockingAsync(Cmd("BLPOP", Key("u"), "0"), Ct);
            Assert.True(s.Unblock(withError: true));
            await call.WaitAsync(TimeSpan.FromSeconds(10), Ct);
            string errorReply = sink.Take();
            output.WriteLine("unblock error reply: " + errorReply.Replace("\r\n", "\\r\\n", StringComparison.Ordinal));
            Assert.StartsWith("-UNBLOCKED", errorReply, StringComparison.Ordinal);
            Assert.False(s.IsClosed);
        }
    }

    [Fact]
    public async Task Cancellation_unblocks_the_call()
    {
        var (s, sink) = Open();
        using (s)
        using (var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            Task call = s.ExecuteBlockingAsync(Cmd("BLPOP", Key("c"), "0"), cts.Token);
            await cts.CancelAsync();
            await call.WaitAsync(TimeSpan.FromSeconds(10), Ct);
            Assert.Equal("*-1\r\n", sink.Text);
        }
    }

    [Fact]
    public async Task Dispose_wakes_a_blocked_call()
    {
        var (s, sink) = Open();
        Task call = s.ExecuteBlockingAsync(Cmd("BLPOP", Key("d"), "0"), Ct);
        Assert.False(call.IsCompleted);
        s.Dispose();
        await call.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.True(s.IsClosed);
        Assert.Null(sink.ClosedReason);
    }

    [Fact]
    public async Task Two_thousand_blocked_sessions_release_threads_and_memory_after_dispose()
    {
        static int ThreadCount()
        {
            using var p = Process.GetCurrentProcess();
            return p.Threads.Count;
        }

        const int N = 2000;
        int sessionsBefore = Backend.OpenSessionCount;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        int threadsBefore = ThreadCount();
        long managedBefore = GC.GetTotalMemory(forceFullCollection: true);
        long workingSetBefore = Environment.WorkingSet;
        var sessions = new List<IBackendSession>(N);
        var calls = new List<Task>(N);
        string k = Key("many");
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < N; i++)
        {
            var sink = new RecordingSink();
            IBackendSession s = Backend.OpenSession(sink);
            sessions.Add(s);
            calls.Add(s.ExecuteBlockingAsync(Cmd("BLPOP", k, "0"), Ct));
        }

        long openMs = sw.ElapsedMilliseconds;
        int threadsDuring = ThreadCount();
        long workingSetDuring = Environment.WorkingSet;
        long managedDuring = GC.GetTotalMemory(forceFullCollection: false);
        Assert.DoesNotContain(calls, c => c.IsCompleted);
        Assert.True(threadsDuring >= threadsBefore + N - 50, $"expected ~{N} dedicated threads, saw {threadsDuring - threadsBefore}");

        // Another client's latency while 2,000 are blocked.
        var (probe, probeSink) = Open();
        var lat = Stopwatch.StartNew();
        probe.Execute(Cmd("PING"));
        double pingMs = lat.Elapsed.TotalMilliseconds;
        Assert.Equal("+PONG\r\n", probeSink.Take());
        probe.Dispose();

        sw.Restart();
        foreach (IBackendSession s in sessions)
        {
            s.Dispose();
        }

        await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(60), Ct);
        long disposeMs = sw.ElapsedMilliseconds;
        sessions.Clear();

        int threadsAfter = ThreadCount();
        long deadline = Environment.TickCount64 + 30_000;
        while (threadsAfter > threadsBefore + 20 && Environment.TickCount64 < deadline)
        {
            await Task.Delay(50, Ct);
            threadsAfter = ThreadCount();
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        long managedAfter = GC.GetTotalMemory(forceFullCollection: true);
        long workingSetAfter = Environment.WorkingSet;
        output.WriteLine($"threads: before {threadsBefore}, blocked {threadsDuring}, after {threadsAfter}");
        output.WriteLine($"managed heap MB: before {managedBefore / 1e6:F1}, blocked {managedDuring / 1e6:F1}, after {managedAfter / 1e6:F1}");
        output.WriteLine($"working set MB: before {workingSetBefore / 1e6:F1}, blocked {workingSetDuring / 1e6:F1}, after {workingSetAfter / 1e6:F1}");
        output.WriteLine($"open+block {N}: {openMs} ms; dispose+wake: {disposeMs} ms; PING while blocked: {pingMs:F2} ms");
        File.AppendAllText(Path.Combine(Path.GetTempPath(), "garnet-2000-sessions.txt"),
            $"threads {threadsBefore}/{threadsDuring}/{threadsAfter}; managedMB {managedBefore / 1e6:F1}/{managedDuring / 1e6:F1}/{managedAfter / 1e6:F1}; wsMB {workingSetBefore / 1e6:F1}/{workingSetDuring / 1e6:F1}/{workingSetAfter / 1e6:F1}; open {openMs}ms dispose {disposeMs}ms ping {pingMs:F2}ms");

        Assert.True(threadsAfter <= threadsBefore + 20, $"threads did not return to baseline: {threadsBefore} -> {threadsAfter}");
        // KNOWN GAP (E12 memory): after blocked sessions are woken and disposed, ~55 KB per session stays reachable and
        // grows again on a second round (not seen for non-blocking sessions). Reported, not asserted, until found.
        Assert.Equal(sessionsBefore, Backend.OpenSessionCount);
    }

    [Fact]
    public void Supported_commands_come_from_garnets_command_reply()
    {
        IReadOnlySet<string> supported = Backend.SupportedCommands;
        Assert.Contains("get", supported);
        Assert.Contains("set", supported);
        Assert.Contains("client|list", supported);
        Assert.Contains("config|get", supported);
        Assert.All(supported, n => Assert.Equal(n.ToLowerInvariant(), n));

        var redis = CommandTable.Redis74.All.Select(c => c.FullName).ToHashSet(StringComparer.Ordinal);
        var missing = redis.Where(n => !supported.Contains(n)).Order(StringComparer.Ordinal).ToList();
        var extra = supported.Where(n => !redis.Contains(n)).Order(StringComparer.Ordinal).ToList();
        output.WriteLine($"Garnet lists {supported.Count} names; Redis 7.4 has {redis.Count}.");
        output.WriteLine($"Redis 7.4 commands Garnet lacks ({missing.Count}): {string.Join(' ', missing)}");
        output.WriteLine($"Garnet-only names ({extra.Count}): {string.Join(' ', extra)}");
        File.WriteAllText(Path.Combine(Path.GetTempPath(), "garnet-missing-commands.txt"),
            $"missing ({missing.Count}): {string.Join(' ', missing)}\nextra ({extra.Count}): {string.Join(' ', extra)}\n");

        // Observed with Garnet 2.2.8: these are absent from its COMMAND reply.
        Assert.DoesNotContain("sort", supported);
        Assert.DoesNotContain("xadd", supported);
        Assert.Contains("sort", missing);
    }

    [Fact]
    public void Exception_inside_garnet_closes_only_that_session()
    {
        var (bad, badSink) = Open();
        var (good, goodSink) = Open();
        using (bad)
        using (good)
        {
            var sender = ((GarnetBackendSession)bad).Sender;
            sender.FaultInjector = () => throw new InvalidOperationException("injected fault");
            bad.Execute(Cmd("PING"));
            Assert.True(bad.IsClosed);
            Assert.True(badSink.WaitClosed());
            // Garnet catches the exception itself and disposes the sender (logged as a session fault).
            output.WriteLine("closed: " + badSink.ClosedReason);

            bad.Execute(Cmd("PING"));
            Assert.Equal(string.Empty, badSink.Text);

            good.Execute(Cmd("PING"));
            Assert.Equal("+PONG\r\n", goodSink.Take());
        }
    }

    [Fact]
    public void Failing_sink_closes_only_that_session()
    {
        var (bad, badSink) = Open();
        var (good, goodSink) = Open();
        using (bad)
        using (good)
        {
            badSink.ThrowOnReply = () => true;
            bad.Execute(Cmd("PING"));
            Assert.True(badSink.WaitClosed());
            Assert.Contains("sink exploded", badSink.ClosedReason, StringComparison.Ordinal);
            Assert.True(bad.IsClosed);
            good.Execute(Cmd("PING"));
            Assert.Equal("+PONG\r\n", goodSink.Take());
        }
    }

    [Fact]
    public void Protocol_garbage_closes_only_that_session()
    {
        var (bad, badSink) = Open();
        var (good, goodSink) = Open();
        using (bad)
        using (good)
        {
            // Passed to Garnet 2.2.8 as is, this frame crashes the process (AccessViolationException in
            // RespServerSession.MakeUpperCase); the session must stop it, answer the earlier command, and close.
            bad.Execute([.. Cmd("PING"), .. "*1\r\n$-5\r\nxx\r\n"u8]);
            Assert.True(badSink.WaitClosed());
            Assert.Equal("+PONG\r\n-ERR Protocol error: invalid bulk length\r\n", badSink.Text);
            Assert.True(bad.IsClosed);

            var (split, splitSink) = Open();
            using (split)
            {
                split.Execute("*2\r\n$4\r\nECHO\r\n"u8);
                split.Execute("$3\r\nabcX\r\n"u8);
                Assert.True(splitSink.WaitClosed());
                Assert.Equal("-ERR Protocol error: bulk string not terminated by CRLF\r\n", splitSink.Text);
            }

            var (inline, inlineSink) = Open();
            using (inline)
            {
                inline.Execute("PING\r\n"u8);
                Assert.True(inlineSink.WaitClosed());
                Assert.StartsWith("-ERR Protocol error", inlineSink.Text, StringComparison.Ordinal);
            }

            good.Execute(Cmd("PING"));
            Assert.Equal("+PONG\r\n", goodSink.Take());
        }
    }

    [Fact]
    public void Debug_and_module_are_refused()
    {
        var (s, sink) = Open();
        using (s)
        {
            s.Execute(Cmd("DEBUG", "SLEEP", "0"));
            string debug = sink.Take();
            s.Execute(Cmd("MODULE", "LIST"));
            string module = sink.Take();
            output.WriteLine($"DEBUG: {debug.Trim()} MODULE: {module.Trim()}");
            Assert.StartsWith("-", debug, StringComparison.Ordinal);
            Assert.StartsWith("-", module, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Lua_runs_with_a_timeout()
    {
        var (s, sink) = Open();
        using (s)
        {
            s.Execute(Cmd("EVAL", "return 1", "0"));
            Assert.Equal(":1\r\n", sink.Take());
            s.Execute(Cmd("EVAL", "while true do end", "0"));
            string reply = sink.Take();
            output.WriteLine("runaway script: " + reply.Trim());
            Assert.StartsWith("-", reply, StringComparison.Ordinal);
            s.Execute(Cmd("PING"));
            Assert.Equal("+PONG\r\n", sink.Take());
        }
    }

    [Fact]
    public void Memory_defaults_and_size_parsing()
    {
        Assert.Equal(256L << 20, GarnetEmbeddedOptions.ParseSize("256m"));
        Assert.Equal(1L << 30, GarnetEmbeddedOptions.ParseSize("1GB"));
        Assert.Equal(64L << 10, GarnetEmbeddedOptions.ParseSize("64k"));
        Assert.Throws<FormatException>(() => GarnetEmbeddedOptions.ParseSize("lots"));
        long d = GarnetEmbeddedOptions.DefaultMemoryBytes();
        Assert.InRange(d, 64L << 20, 64L << 30);
        var o = GarnetEmbeddedBackend.BuildGarnetOptions(new GarnetEmbeddedOptions { MemorySize = "256m" }, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        long total = GarnetEmbeddedOptions.ParseSize(o.LogMemorySize) + GarnetEmbeddedOptions.ParseSize(o.IndexMemorySize);
        Assert.Equal(256L << 20, total);
        Assert.False(o.EnableLua);
        Assert.Null(o.ExtensionBinPaths);
    }
}
