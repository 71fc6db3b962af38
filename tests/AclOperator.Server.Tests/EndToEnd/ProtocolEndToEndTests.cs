using System.Globalization;
using System.Net.Sockets;
using System.Text;
using AclOperator.Acl.Tests.Infrastructure;
using Xunit;
using static AclOperator.Server.Tests.EndToEnd.E2E;

namespace AclOperator.Server.Tests.EndToEnd;

/// <summary>Malformed RESP, inline commands, pipelining and pre-auth limits over raw sockets (E1, E14, spec §11).</summary>
public sealed class ProtocolEndToEndTests(SharedServerFixture shared) : IClassFixture<SharedServerFixture>
{
    public static TheoryData<string, string> MalformedFrames => new()
    {
        { "*03\r\n$4\r\nPING\r\n", "-ERR Protocol error: invalid multibulk length\r\n" },
        { "*1\r\n$+3\r\nfoo\r\n", "-ERR Protocol error: invalid bulk length\r\n" },
        { "*99999999999\r\n", "-ERR Protocol error: invalid multibulk length\r\n" },
        { "*1\r\n$2147483648\r\n", "-ERR Protocol error: invalid bulk length\r\n" },
        { "*1\r\n$-1\r\n", "-ERR Protocol error: invalid bulk length\r\n" },
        { "*1\r\nfoo\r\n", "-ERR Protocol error: expected '$', got 'f'\r\n" },
        { "*2\r\n$4\r\nECHO\r\n:5\r\n", "-ERR Protocol error: expected '$', got ':'\r\n" },
        { "*1x\r\n", "-ERR Protocol error: invalid multibulk length\r\n" },
        { "*1\r\n$4\r\nPINGxx", "-ERR Protocol error: invalid bulk length\r\n" },
        { "SET k \"a b\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n" },
        { "ECHO 'abc\r\n", "-ERR Protocol error: unbalanced quotes in request\r\n" },
    };

    [Theory]
    [MemberData(nameof(MalformedFrames))]
    public async Task MalformedFrame_ExactProtocolError_ThenClosed_ServerStaysUp(string frame, string expected)
    {
        await using var bystander = await shared.ConnectAsync();
        var received = await SendRawAndReadUntilCloseAsync(shared.Port, Encoding.ASCII.GetBytes(frame));
        Assert.Equal(expected, received);
        await AssertOpenAsync(bystander);
        await using var fresh = await shared.ConnectAsync();
        await AssertOpenAsync(fresh);
    }

    [Fact]
    public async Task RepliesBeforeTheMalformedFrame_AreSent()
    {
        var received = await SendRawAndReadUntilCloseAsync(shared.Port, Encoding.ASCII.GetBytes("PING\r\n*1\r\n$4\r\nPING\r\n*-5x\r\n"));
        Assert.Equal("+PONG\r\n+PONG\r\n-ERR Protocol error: invalid multibulk length\r\n", received);
    }

    [Fact]
    public async Task TruncatedFrame_WaitsForTheRest()
    {
        await using var c = await shared.ConnectAsync();
        await c.SendRawAsync(Encoding.ASCII.GetBytes("*2\r\n$4\r\nECHO\r\n$5\r\nhel"), Ct);
        await Task.Delay(200, Ct);
        await c.SendRawAsync(Encoding.ASCII.GetBytes("lo\r\n"), Ct);
        AssertBulk(await c.ReadReplyAsync(Ct), "hello");

        // Byte by byte.
        foreach (byte b in Encoding.ASCII.GetBytes("*1\r\n$4\r\nPING\r\n"))
        {
            await c.SendRawAsync(new[] { b }, Ct);
        }

        AssertSimple(await c.ReadReplyAsync(Ct), "PONG");
    }

    [Fact]
    public async Task TruncatedFrameThenDisconnect_ServerStaysUp()
    {
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync("127.0.0.1", shared.Port, Ct);
            await tcp.GetStream().WriteAsync(Encoding.ASCII.GetBytes("*3\r\n$3\r\nSET\r\n$1\r\nk"), Ct);
        }

        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync("127.0.0.1", shared.Port, Ct);
            var garbage = new byte[4096];
            new Random(42).NextBytes(garbage);
            garbage[0] = (byte)'*';
            await tcp.GetStream().WriteAsync(garbage, Ct);
        }

        await using var c = await shared.ConnectAsync();
        await AssertOpenAsync(c);
    }

    [Fact]
    public async Task GarbageBytes_NeverCrash()
    {
        var garbage = new byte[] { (byte)'$', 0xff, 0x00, 0x13, (byte)'\r', (byte)'\n' };
        // Redis 7.4 answers nothing here (an inline line with a NUL); only require the server to survive.
        _ = await SendRawAndReadUntilCloseAsync(shared.Port, garbage, TimeSpan.FromSeconds(2));
        await using var c = await shared.ConnectAsync();
        await AssertOpenAsync(c);
    }

    [Fact]
    public async Task InlineCommands_QuotesAndEmptyLines()
    {
        await using var c = await shared.ConnectAsync();
        var key = UniqueName("inline");
        await c.SendRawAsync(Encoding.ASCII.GetBytes($"PING\r\n\r\nSET {key} \"a b\"\r\nGET {key}\r\nECHO 'x\\ny'\r\nECHO \"x\\ny\"\n"), Ct);
        AssertSimple(await c.ReadReplyAsync(Ct), "PONG");
        AssertSimple(await c.ReadReplyAsync(Ct), "OK");
        AssertBulk(await c.ReadReplyAsync(Ct), "a b");
        AssertBulk(await c.ReadReplyAsync(Ct), "x\\ny");
        AssertBulk(await c.ReadReplyAsync(Ct), "x\ny");
    }

    [Fact]
    public async Task Pipeline_1000CommandsInOneWrite_RepliesInOrder()
    {
        await using var c = await shared.ConnectAsync();
        var key = UniqueName("pipe");
        var commands = new List<string[]>();
        for (int i = 0; i < 1000; i++)
        {
            string n = i.ToString(CultureInfo.InvariantCulture);
            commands.Add((i % 4) switch
            {
                0 => ["INCR", key],
                1 => ["ECHO", n],
                2 => ["ACL", "WHOAMI"],
                _ => ["GET", key],
            });
        }

        var replies = await c.PipelineAsync(commands, Ct);
        Assert.Equal(1000, replies.Count);
        for (int i = 0; i < 1000; i++)
        {
            string n = i.ToString(CultureInfo.InvariantCulture);
            switch (i % 4)
            {
                case 0:
                    AssertInteger(replies[i], (i / 4) + 1);
                    break;
                case 1:
                    AssertBulk(replies[i], n);
                    break;
                case 2:
                    AssertBulk(replies[i], "default");
                    break;
                default:
                    AssertBulk(replies[i], ((i / 4) + 1).ToString(CultureInfo.InvariantCulture));
                    break;
            }
        }
    }

    [Fact]
    public async Task PreAuthLimits_ExactTexts_AndNormalLimitsAfterAuth()
    {
        await using var s = await Infrastructure.InProcessServer.StartAsync(args: ["--requirepass", "secret"]);
        var eleven = new StringBuilder("*11\r\n");
        for (int i = 0; i < 11; i++)
        {
            eleven.Append("$1\r\na\r\n");
        }

        Assert.Equal(
            "-ERR Protocol error: unauthenticated multibulk length\r\n",
            await SendRawAndReadUntilCloseAsync(s.Port, Encoding.ASCII.GetBytes(eleven.ToString())));
        Assert.Equal(
            "-ERR Protocol error: unauthenticated bulk length\r\n",
            await SendRawAndReadUntilCloseAsync(s.Port, Encoding.ASCII.GetBytes("*2\r\n$4\r\nAUTH\r\n$16385\r\n")));

        // At the limits: 10 arguments and a 16384-byte bulk are fine (NOAUTH / WRONGPASS).
        await using var c = await s.ConnectAsync();
        await c.AssertErr("NOAUTH Authentication required.", ["MSET", "a", "1", "b", "2", "c", "3", "d", "4", "e"]);
        await c.AssertErr(WrongPass, "AUTH", new string('x', 16384));

        // After authentication the normal limits apply.
        await c.AssertOk("AUTH", "secret");
        await c.AssertOk(["MSET", .. Enumerable.Range(0, 20).Select(i => "k" + i.ToString(CultureInfo.InvariantCulture))]);
        await c.AssertOk("SET", "big", new string('y', 100_000));
        Assert.Equal(100_000, (await c.CallAsync("GET", "big")).Text!.Length);
    }

    [Fact]
    public async Task NoRequirePass_LargeRequestsFromTheStart()
    {
        await using var c = await shared.ConnectAsync();
        var key = UniqueName("big");
        await c.AssertOk("SET", key, new string('z', 20_000));
        AssertInteger(await c.CallAsync(["DEL", key, .. Enumerable.Range(0, 15).Select(i => key + i.ToString(CultureInfo.InvariantCulture))]), 1);
    }

    [Fact]
    public async Task Quit_RepliesOkThenCloses()
    {
        await using var c = await shared.ConnectAsync();
        await c.SendRawAsync(Encoding.ASCII.GetBytes("*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nQUIT\r\n*1\r\n$4\r\nPING\r\n"), Ct);
        AssertSimple(await c.ReadReplyAsync(Ct), "PONG");
        AssertSimple(await c.ReadReplyAsync(Ct), "OK");
        await AssertClosedAsync(c);
    }
}
