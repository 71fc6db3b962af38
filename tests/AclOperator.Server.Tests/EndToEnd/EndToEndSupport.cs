using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using AclOperator.Acl.Tests.Infrastructure;
using AclOperator.Server.Tests.Infrastructure;
using Xunit;

namespace AclOperator.Server.Tests.EndToEnd;

/// <summary>One in-process server shared by the tests of a class (tests there must not change global ACL state).</summary>
public sealed class SharedServerFixture : IAsyncLifetime
{
    private InProcessServer? _server;

    internal InProcessServer Server => _server ?? throw new InvalidOperationException("not started");

    public int Port => Server.Port;

    public async ValueTask InitializeAsync() =>
        _server = await E2E.StartAsync().ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }
    }

    internal Task<RespClient> ConnectAsync() => Server.ConnectAsync();
}

/// <summary>Helpers for the end-to-end tests: servers, exact-reply assertions, connection-close detection, redis-cli.</summary>
internal static class E2E
{
    /// <summary>The test's cancellation token.</summary>
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public const string DefaultAcl = "user default on nopass ~* &* +@all\n";

    public const string NoAclFileError =
        "ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.";

    public const string WrongPass = "WRONGPASS invalid username-password pair or user is disabled.";

    public const string NoPermKey = "NOPERM No permissions to access a key";

    public const string NoPermChannel = "NOPERM No permissions to access a channel";

    /// <summary>Starts a server with an aclfile <c>users.acl</c> holding <paramref name="acl"/> plus extra directives.</summary>
    public static Task<InProcessServer> StartAsync(string acl = DefaultAcl, params string[] extraArgs) =>
        InProcessServer.StartAsync(
            args: ["--aclfile", "users.acl", .. extraArgs],
            files: new Dictionary<string, string> { ["users.acl"] = acl });

    /// <summary>A unique user name, so tests sharing a server never collide.</summary>
    public static string UniqueName(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    public static async Task<RespReply> Call(this RespClient c, params string[] argv) => await c.CallAsync(argv);

    public static async Task AssertOk(this RespClient c, params string[] argv) => AssertSimple(await c.CallAsync(argv), "OK");

    public static async Task AssertErr(this RespClient c, string error, params string[] argv) =>
        AssertError(await c.CallAsync(argv), error);

    public static void AssertSimple(RespReply r, string text)
    {
        Assert.True(r.Type == RespReplyType.SimpleString, $"expected +{text}, got {r}");
        Assert.Equal(text, r.Text);
    }

    public static void AssertError(RespReply r, string error)
    {
        Assert.True(r.Type == RespReplyType.Error, $"expected -{error}, got {r}");
        Assert.Equal(error, r.Text);
    }

    public static void AssertBulk(RespReply r, string text)
    {
        Assert.True(r.Type == RespReplyType.BulkString, $"expected \"{text}\", got {r}");
        Assert.Equal(text, r.Text);
    }

    public static void AssertInteger(RespReply r, long value)
    {
        Assert.True(r.Type == RespReplyType.Integer, $"expected (integer) {value}, got {r}");
        Assert.Equal(value, r.Integer);
    }

    public static void AssertStrings(RespReply r, params string[] expected)
    {
        Assert.True(r.Type == RespReplyType.Array, $"expected an array, got {r}");
        Assert.Equal(expected, r.Items.Select(i => i.Text).ToArray());
    }

    /// <summary>Map (RESP3) or flat array (RESP2) to a dictionary keyed by the field names.</summary>
    public static Dictionary<string, RespReply> Fields(RespReply r)
    {
        Assert.True(r.Type is RespReplyType.Map or RespReplyType.Array, $"expected a map, got {r}");
        var d = new Dictionary<string, RespReply>(StringComparer.Ordinal);
        for (int i = 0; i + 1 < r.Items.Count; i += 2)
        {
            d[r.Items[i].Text!] = r.Items[i + 1];
        }

        return d;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test after 20 s.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached within 20 s");
            await Task.Delay(20, Ct);
        }
    }

    /// <summary>Asserts that the server closes the connection (possibly after replies already sent).</summary>
    public static async Task AssertClosedAsync(RespClient c, TimeSpan? within = null)
    {
        c.Timeout = within ?? TimeSpan.FromSeconds(10);
        var ex = await Record.ExceptionAsync(async () =>
        {
            // Keep reading: any replies still in flight are consumed until the end of the stream.
            for (int i = 0; i < 1000; i++)
            {
                await c.ReadReplyAsync();
            }
        });
        Assert.True(ex is EndOfStreamException or IOException or SocketException, $"expected the connection to be closed, got {ex?.GetType().Name}: {ex?.Message}");
    }

    /// <summary>Asserts that the connection still works.</summary>
    public static async Task AssertOpenAsync(RespClient c) => AssertSimple(await c.CallAsync("PING"), "PONG");

    /// <summary>Connects StackExchange.Redis as a user, failing fast when the connection or AUTH fails.</summary>
    public static Task<StackExchange.Redis.ConnectionMultiplexer> ConnectLibraryAsync(int port, string user, string password, bool resp3AndAdmin = false) =>
        StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(new StackExchange.Redis.ConfigurationOptions
        {
            EndPoints = { { "127.0.0.1", port } },
            User = user,
            Password = password,
            AllowAdmin = resp3AndAdmin,
            Protocol = resp3AndAdmin ? StackExchange.Redis.RedisProtocol.Resp3 : null,
            AbortOnConnectFail = true,
            ConnectTimeout = 10_000,
            SyncTimeout = 10_000,
        });

    /// <summary>Connects and authenticates as a user.</summary>
    public static async Task<RespClient> ConnectAsAsync(this InProcessServer s, string user, string password)
    {
        var c = await s.ConnectAsync();
        AssertSimple(await c.CallAsync("AUTH", user, password), "OK");
        return c;
    }

    public static async Task<RespClient> ConnectAsAsync(this SharedServerFixture s, string user, string password)
    {
        var c = await s.ConnectAsync();
        AssertSimple(await c.CallAsync("AUTH", user, password), "OK");
        return c;
    }

    /// <summary>Reads one raw reply line set from a bare socket until the server closes it.</summary>
    public static async Task<string> SendRawAndReadUntilCloseAsync(int port, byte[] payload, TimeSpan? timeout = null)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(payload);
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        var all = new MemoryStream();
        var buf = new byte[4096];
        while (true)
        {
            int n;
            try
            {
                n = await stream.ReadAsync(buf, cts.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
                break;
            }

            if (n == 0)
            {
                break;
            }

            all.Write(buf, 0, n);
        }

        return Encoding.UTF8.GetString(all.ToArray());
    }

    public static int Info(string info, string field)
    {
        foreach (var line in info.Split("\r\n"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return int.Parse(line[(field.Length + 1)..], CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"INFO has no field {field}:\n{info}");
    }

    /// <summary>Runs redis-cli (raw output); null when redis-cli is not installed.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)?> RedisCliAsync(int port, params string[] args)
    {
        var psi = new ProcessStartInfo("redis-cli")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("-h");
        psi.ArgumentList.Add("127.0.0.1");
        psi.ArgumentList.Add("-p");
        psi.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));
        psi.ArgumentList.Add("--raw");
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        Process? p;
        try
        {
            p = Process.Start(psi);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }

        if (p is null)
        {
            return null;
        }

        using (p)
        {
            p.StandardInput.Close();
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            await p.WaitForExitAsync(cts.Token);
            return (p.ExitCode, await stdout, await stderr);
        }
    }

    public static async Task<string> RedisCliOrSkipAsync(int port, params string[] args)
    {
        var r = await RedisCliAsync(port, args);
        if (r is null)
        {
            Assert.Skip("redis-cli is not installed (Debian package redis-tools)");
        }

        return r.Value.Stdout.TrimEnd('\n');
    }
}
