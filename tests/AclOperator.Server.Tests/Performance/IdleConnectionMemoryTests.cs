using System.Net.Sockets;
using System.Text;
using AclOperator.Server.Tests.Infrastructure;
using Xunit;

namespace AclOperator.Server.Tests.Performance;

/// <summary>
/// E14: memory per idle connection, measured as managed heap after full collections (the process-wide collection
/// keeps other tests out). Connections that never used the backend hold no backend session; connections that did
/// give theirs back once idle.
/// </summary>
[Collection(nameof(ProcessWideMeasurements))]
public sealed class IdleConnectionMemoryTests
{
    private const int Connections = 500;

    [Fact]
    public async Task Idle_connections_stay_under_32_KiB_of_managed_heap_each()
    {
        await using var server = await InProcessServer.StartAsync();
        long baseline = GC.GetTotalMemory(forceFullCollection: true);
        var sockets = new List<Socket>(Connections);
        try
        {
            for (int i = 0; i < Connections; i++)
            {
                var s = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await s.ConnectAsync(server.EndPoint, TestContext.Current.CancellationToken);
                sockets.Add(s);
            }

            await RoundTripAsync(sockets, "PING\r\n", "+PONG\r\n");
            long idle = (GC.GetTotalMemory(forceFullCollection: true) - baseline) / Connections;

            await RoundTripAsync(sockets, "GET k\r\n", "$-1\r\n");
            long active = (GC.GetTotalMemory(forceFullCollection: true) - baseline) / Connections;

            Assert.Equal(Connections, server.ReleaseIdleBackends());
            long released = (GC.GetTotalMemory(forceFullCollection: true) - baseline) / Connections;

            TestContext.Current.TestOutputHelper?.WriteLine(
                $"managed heap per connection: never used the backend {idle / 1024.0:F1} KiB, with a backend session {active / 1024.0:F1} KiB, after the idle release {released / 1024.0:F1} KiB");
            Assert.True(idle <= 32 * 1024, $"{idle} bytes per idle connection");
            Assert.True(released <= 32 * 1024, $"{released} bytes per idle connection after release");

            // Released sessions come back on demand.
            await RoundTripAsync(sockets, "GET k\r\n", "$-1\r\n");
        }
        finally
        {
            foreach (var s in sockets)
            {
                s.Dispose();
            }
        }
    }

    private static async Task RoundTripAsync(List<Socket> sockets, string command, string expected)
    {
        var request = Encoding.ASCII.GetBytes(command);
        foreach (var s in sockets)
        {
            await s.SendAsync(request, SocketFlags.None, TestContext.Current.CancellationToken);
        }

        var buffer = new byte[64];
        foreach (var s in sockets)
        {
            int got = 0;
            while (got < expected.Length)
            {
                int n = await s.ReceiveAsync(buffer.AsMemory(got), SocketFlags.None, TestContext.Current.CancellationToken);
                Assert.True(n > 0, "connection closed");
                got += n;
            }

            Assert.Equal(expected, Encoding.ASCII.GetString(buffer, 0, got));
        }
    }
}
