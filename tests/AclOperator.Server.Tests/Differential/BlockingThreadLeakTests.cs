using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using AclOperator.Acl.Tests.Infrastructure;
using AclOperator.Server.Backend.Garnet;
using AclOperator.Server.Tests.Infrastructure;
using Xunit;

namespace AclOperator.Server.Tests.Differential;


/// <summary>
/// E12: blocking commands never block a shared thread, and a blocked session is woken when its client disconnects.
/// 2,000 raw clients each block in <c>BLPOP &lt;own key&gt; 0</c>, then disconnect: the process's thread count and the
/// server's client count return near their baselines (bounded polling, no fixed sleeps), and another client keeps
/// being answered throughout.
/// </summary>
[Collection(nameof(ProcessWideMeasurements))]
public sealed class BlockingThreadLeakTests
{
    private const int Clients = 2000;

    private static int ThreadCount()
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                return int.Parse(line.AsSpan(8).Trim(), CultureInfo.InvariantCulture);
            }
        }

        using var p = Process.GetCurrentProcess();
        return p.Threads.Count;
    }

    private static async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > limit)
            {
                return false;
            }

            await Task.Delay(25, TestContext.Current.CancellationToken);
        }

        return true;
    }

    [Fact]
    public async Task BlockedClientsThatDisconnect_ReleaseThreadsAndClientSlots()
    {
        Assert.SkipUnless(File.Exists("/proc/self/status"), "needs /proc/self/status to count threads");
        await using var server = await InProcessServer.StartAsync(["--maxmemory", "32mb", "--maxclients", "10000"]);
        var garnet = (GarnetEmbeddedBackend)server.Context.Backend;
        await using RespClient probe = await server.ConnectAsync();
        probe.Timeout = TimeSpan.FromSeconds(20);
        Assert.Equal("PONG", (await probe.CallAsync("PING")).Text);
        int baseClients = server.Context.Clients.Count;
        int baseSessions = garnet.OpenSessionCount;
        int baseThreads = ThreadCount();

        var sockets = new List<Socket>(Clients);
        var setup = Stopwatch.StartNew();
        try
        {
            for (int start = 0; start < Clients; start += 100)
            {
                var batch = Enumerable.Range(start, Math.Min(100, Clients - start)).Select(async i =>
                {
                    var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    await s.ConnectAsync(server.EndPoint, TestContext.Current.CancellationToken);
                    string key = "e12:" + i.ToString(CultureInfo.InvariantCulture);
                    await s.SendAsync(Encoding.ASCII.GetBytes($"*3\r\n$5\r\nBLPOP\r\n${key.Length}\r\n{key}\r\n$1\r\n0\r\n"), SocketFlags.None, TestContext.Current.CancellationToken);
                    return s;
                });
                sockets.AddRange(await Task.WhenAll(batch));
            }

            TestContext.Current.TestOutputHelper?.WriteLine($"{Clients} clients connected and sent BLPOP in {setup.ElapsedMilliseconds} ms");
            bool allBlocked = await WaitUntilAsync(() => server.Context.Clients.All().Count(c => c.Blocked) >= Clients, TimeSpan.FromSeconds(60));
            int blocked = server.Context.Clients.All().Count(c => c.Blocked);
            int peakThreads = ThreadCount();
            TestContext.Current.TestOutputHelper?.WriteLine($"baseline threads {baseThreads}, with {blocked} blocked clients {peakThreads}");
            Assert.True(allBlocked, $"only {blocked} of {Clients} clients got blocked");

            // Another client is still served while 2,000 are blocked (latency is not asserted, only that it answers).
            Assert.Equal("PONG", (await probe.CallAsync("PING")).Text);
            Assert.Equal("x", (await probe.CallAsync("ECHO", "x")).Text);
        }
        finally
        {
            foreach (Socket s in sockets)
            {
                s.Dispose();
            }
        }

        bool clientsBack = await WaitUntilAsync(() => server.Context.Clients.Count <= baseClients, TimeSpan.FromSeconds(15));
        bool sessionsBack = clientsBack && await WaitUntilAsync(() => garnet.OpenSessionCount <= baseSessions, TimeSpan.FromSeconds(10));
        bool threadsBack = sessionsBack && await WaitUntilAsync(() => ThreadCount() <= baseThreads + 40, TimeSpan.FromSeconds(15));
        string state = $"clients {server.Context.Clients.Count} (baseline {baseClients}), blocked {server.Context.Clients.All().Count(c => c.Blocked)}, " +
                       $"Garnet sessions {garnet.OpenSessionCount} (baseline {baseSessions}), threads {ThreadCount()} (baseline {baseThreads})";
        TestContext.Current.TestOutputHelper?.WriteLine("after disconnect: " + state);
        Assert.True(clientsBack && sessionsBack && threadsBack, "disconnected blocked clients were not released: " + state);
        Assert.Equal("PONG", (await probe.CallAsync("PING")).Text);
    }
}
