using System.Net.Sockets;
using System.Text;
using AclOperator.Server.Tests.Infrastructure;
using Xunit;

namespace AclOperator.Server.Tests.Performance;

/// <summary>
/// E15: the forward path allocates nothing per command. Measured as process-wide allocated bytes over many pipelined
/// GETs from a raw socket, so the figure includes the connection loop, the ACL check, batching and the embedded store
/// (other threads' background allocations are included too, hence a budget rather than exactly zero). It runs in the
/// non-parallel collection so no other test allocates meanwhile.
/// </summary>
[Collection(nameof(ProcessWideMeasurements))]
public sealed class ForwardPathAllocationTests
{
    [Fact]
    public async Task Pipelined_forwarded_commands_allocate_almost_nothing_per_command()
    {
#if DEBUG
        // Debug builds compile async state machines as classes: one allocation per awaited call by design.
        Assert.Skip("allocation figures are meaningful in Release builds only (.ci/test runs Release)");
#endif
        await using var server = await InProcessServer.StartAsync(["--aclfile", "users.acl"], new Dictionary<string, string>
        {
            ["users.acl"] = "user default on nopass ~* &* +@all\nuser app on nopass ~app:* +@read +@write\n",
        });
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(server.EndPoint, TestContext.Current.CancellationToken);
        await Send(socket, "AUTH app x\r\nSET app:k v\r\n");
        await Drain(socket, "+OK\r\n+OK\r\n".Length);

        const int Batch = 500;
        var batch = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("*2\r\n$3\r\nGET\r\n$5\r\napp:k\r\n", Batch)));
        int replyBytes = "$1\r\nv\r\n".Length * Batch;

        // Warm up (JIT, pools, buffers), then measure.
        for (int i = 0; i < 40; i++)
        {
            await socket.SendAsync(batch.AsMemory(), SocketFlags.None, TestContext.Current.CancellationToken);
            await Drain(socket, replyBytes);
        }

        const int Rounds = 400;
        long before = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < Rounds; i++)
        {
            await socket.SendAsync(batch.AsMemory(), SocketFlags.None, TestContext.Current.CancellationToken);
            await Drain(socket, replyBytes);
        }

        long perCommand = (GC.GetTotalAllocatedBytes(precise: true) - before) / (Rounds * Batch);

        TestContext.Current.TestOutputHelper?.WriteLine($"{perCommand} bytes allocated per forwarded GET (process-wide)");
        Assert.True(perCommand <= 8, $"{perCommand} bytes allocated per forwarded command");
    }

    private static async Task Send(Socket s, string text) =>
        await s.SendAsync(Encoding.ASCII.GetBytes(text), SocketFlags.None, TestContext.Current.CancellationToken);

    private static readonly byte[] ReceiveBuffer = new byte[64 * 1024];

    private static async Task Drain(Socket s, int bytes)
    {
        var buf = ReceiveBuffer;
        while (bytes > 0)
        {
            int n = await s.ReceiveAsync(buf.AsMemory(), SocketFlags.None, TestContext.Current.CancellationToken);
            Assert.True(n > 0, "connection closed");
            bytes -= n;
        }
    }
}
