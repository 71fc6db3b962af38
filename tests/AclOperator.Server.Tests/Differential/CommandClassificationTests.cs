using System.Text;
using AclOperator.Acl.Commands;
using AclOperator.Acl.Tests.Infrastructure;
using AclOperator.Server.Backend.Garnet;
using AclOperator.Server.Tests.Commands;
using AclOperator.Server.Tests.Infrastructure;
using Xunit;

namespace AclOperator.Server.Tests.Differential;

/// <summary>
/// E2 (every command has a class: local, forward or refuse) and E18 (backend gaps are reported, not faked): the
/// backend's own COMMAND (Garnet, through the internal control session) and real Redis's COMMAND are listed; every
/// name must be a Redis 7.4 command or get Redis's unknown-command error from our server without reaching the
/// backend; the always-refused commands get their fixed replies whatever the ACL says.
/// </summary>
public sealed class CommandClassificationTests(DifferentialFixture fixture) : IClassFixture<DifferentialFixture>
{
    /// <summary>Commands our dispatcher answers itself (ClientConnection.Execute) — never forwarded.</summary>
    private static readonly HashSet<string> LocalTopLevel = new(StringComparer.Ordinal)
    {
        "auth", "hello", "quit", "reset", "ping", "echo", "select", "multi", "exec", "discard", "watch", "unwatch",
        "shutdown", "monitor", "replicaof", "slaveof", "sync", "psync", "replconf", "failover", "asking", "readonly",
        "readwrite", "migrate", "info", "command", "debug",
    };

    private static readonly HashSet<string> LocalContainers = new(StringComparer.Ordinal)
    {
        "acl", "client", "cluster", "module", "config", "command", "slowlog", "latency",
    };

    /// <summary>Garnet extensions named in E2 that must never reach the backend, whether or not Garnet's COMMAND lists them.</summary>
    private static readonly string[] KnownGarnetExtras =
    [
        "REGISTERCS", "RUNTXP", "SETIFMATCH", "SETIFGREATER", "GETWITHETAG", "GETIFNOTMATCH", "DELIFGREATER",
        "SECONDARYOF", "FORCEGC", "PURGEBP", "COSCAN", "ASYNC", "HCOLLECT", "ZCOLLECT", "DELIFEXPIM", "EXPDELSCAN",
        "WATCHMS", "WATCHOS", "RI.CREATE", "VADD",
    ];

    private static bool IsLocal(RedisCommand cmd) =>
        LocalTopLevel.Contains(cmd.FullName) || cmd.Parent is { } p && LocalContainers.Contains(p.Name) || cmd.FullName == "command";

    private static IEnumerable<string> Names(RespReply commandReply)
    {
        foreach (RespReply entry in commandReply.Items)
        {
            string name = entry.Items[0].GetString().ToLowerInvariant();
            yield return name;
            if (entry.Items.Count > 9 && entry.Items[9].Type == RespReplyType.Array)
            {
                foreach (RespReply sub in entry.Items[9].Items)
                {
                    yield return sub.Items[0].GetString().ToLowerInvariant();
                }
            }
        }
    }

    private GarnetEmbeddedBackend Garnet => (GarnetEmbeddedBackend)fixture.Ours.Context.Backend;

    private long BackendDbSize()
    {
        byte[] reply = Garnet.ExecuteControl("*1\r\n$6\r\nDBSIZE\r\n"u8);
        return RespParser.Parse(reply).Integer;
    }

    private static byte[][] Argv(params string[] args) => [.. args.Select(Encoding.UTF8.GetBytes)];

    private static string Unknown(string name, params string[] args) =>
        $"ERR unknown command '{name}', with args beginning with: {string.Concat(args.Select(a => $"'{a}' "))}";

    [Fact]
    public async Task EveryBackendAndRedisCommandName_IsClassifiedOrUnknown_AndBackendOnlyNamesNeverReachTheBackend()
    {
        fixture.RequireRedis();
        CommandTable table = fixture.Ours.Context.Commands;

        // Garnet's own COMMAND, read through the internal control session (not through our front end).
        RespReply garnetCommand = RespParser.Parse(Garnet.ExecuteControl("*1\r\n$7\r\nCOMMAND\r\n"u8));
        var garnetNames = Names(garnetCommand).ToHashSet(StringComparer.Ordinal);
        Assert.True(garnetNames.Count > 100, $"Garnet COMMAND listed only {garnetNames.Count} names");
        var supported = fixture.Ours.Context.Backend.SupportedCommands;
        Assert.True(garnetNames.SetEquals(supported), "SupportedCommands differs from Garnet's COMMAND: " +
            string.Join(" ", garnetNames.Except(supported)) + " / " + string.Join(" ", supported.Except(garnetNames)));

        await using RespClient redis = await fixture.Redis.ConnectAsync(TestContext.Current.CancellationToken);
        var redisNames = Names(await redis.CallAsync("COMMAND")).ToHashSet(StringComparer.Ordinal);

        // Real Redis (7.0) names must all be Redis 7.4 commands.
        var redisUnknown = redisNames.Where(n => table.FindByFullName(n) is null).Order(StringComparer.Ordinal).ToList();
        Assert.True(redisUnknown.Count == 0, "real Redis commands missing from our 7.4 table: " + string.Join(", ", redisUnknown));

        // Backend-only names: Redis's unknown-command (or unknown-subcommand) error from our server, never forwarded.
        var backendOnly = garnetNames.Where(n => table.FindByFullName(n) is null).Order(StringComparer.Ordinal).ToList();
        var topLevel = backendOnly.Where(n => !n.Contains('|', StringComparison.Ordinal))
            .Concat(KnownGarnetExtras.Select(n => n.ToLowerInvariant()))
            .Where(n => table.Find(n.AsSpan()) is null)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        long sizeBefore = BackendDbSize();
        await using RespClient ours = await fixture.Ours.ConnectAsync();
        var failures = new List<string>();
        foreach (string name in topLevel)
        {
            string upper = name.ToUpperInvariant();
            RespReply reply = await ours.CallAsync(Argv(upper, "e2:k", "v", "0", "e2:k2"));
            string expected = Unknown(upper, "e2:k", "v", "0", "e2:k2");
            if (reply.Type != RespReplyType.Error || reply.Text != expected)
            {
                failures.Add($"{upper}: {reply}");
            }
        }

        var subcommandNotes = new List<string>();
        foreach (string full in backendOnly.Where(n => n.Contains('|', StringComparison.Ordinal)))
        {
            string[] parts = full.Split('|');
            RedisCommand? parent = table.Find(parts[0].AsSpan());
            if (parent is null)
            {
                continue; // covered by its top-level name above
            }

            if (!parent.IsContainer)
            {
                // A Redis plain command with an argument: a normal Redis call, classified by the parent.
                subcommandNotes.Add(full);
                continue;
            }

            string sub = parts[1].ToUpperInvariant();
            RespReply reply = await ours.CallAsync(Argv(parts[0].ToUpperInvariant(), sub, "e2:k", "v"));
            string expected = $"ERR unknown subcommand '{sub}'. Try {parts[0].ToUpperInvariant()} HELP.";
            if (reply.Type != RespReplyType.Error || reply.Text != expected)
            {
                failures.Add($"{full}: {reply}");
            }
        }

        Assert.True(failures.Count == 0, "backend-only commands not refused with Redis's unknown-command error:\n" + string.Join("\n", failures));
        Assert.Equal(0, (await ours.CallAsync("EXISTS", "e2:k", "e2:k2")).Integer);
        Assert.Equal(sizeBefore, BackendDbSize());
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"Garnet: {garnetNames.Count} names, backend-only refused: {string.Join(" ", topLevel)}; backend-only subcommands of plain Redis commands: {string.Join(" ", subcommandNotes)}");
    }

    /// <summary>E18: a Redis 7.4 command the backend lacks (and that is not answered locally) gets Redis's
    /// unknown-command error and is not forwarded.</summary>
    [Fact]
    public async Task RedisCommandsTheBackendLacks_GetUnknownCommandError()
    {
        CommandTable table = fixture.Ours.Context.Commands;
        var supported = fixture.Ours.Context.Backend.SupportedCommands;
        var missing = table.All
            .Where(c => !c.IsContainer && !IsLocal(c) && !supported.Contains(c.FullName) && (c.Flags & CommandFlags.Protected) == 0)
            .ToList();
        long sizeBefore = BackendDbSize();
        await using RespClient ours = await fixture.Ours.ConnectAsync();
        var failures = new List<string>();
        foreach (RedisCommand c in missing)
        {
            var args = new List<string>();
            if (c.Parent is { } parent)
            {
                args.Add(parent.Name.ToUpperInvariant());
                args.Add(c.Name.ToUpperInvariant());
            }
            else
            {
                args.Add(c.Name.ToUpperInvariant());
            }

            int arity = Math.Abs(c.Arity);
            while (args.Count < arity)
            {
                args.Add("e18:k");
            }

            RespReply reply = await ours.CallAsync(Argv([.. args]));
            string expected = Unknown(args[0], [.. args.Skip(1)]);
            string expectedSub = c.Parent is { } p2 ? $"ERR unknown subcommand '{args[1]}'. Try {p2.Name.ToUpperInvariant()} HELP." : expected;
            if (reply.Type != RespReplyType.Error || (reply.Text != expected && reply.Text != expectedSub))
            {
                failures.Add($"{c.FullName}: {reply}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(sizeBefore, BackendDbSize());
        TestContext.Current.TestOutputHelper?.WriteLine("Redis 7.4 commands Garnet lacks: " + string.Join(" ", missing.Select(c => c.FullName)));
    }

    /// <summary>Refused commands whose reply is Redis's own (non-cluster server, debug/module commands disabled):
    /// compared with real Redis byte for byte; run as a user allowed everything.</summary>
    [Fact]
    public async Task AlwaysRefused_SameRepliesAsRedis()
    {
        fixture.RequireRedis();
        await Differential.AssertSameAsync(fixture, new DiffSession("e2-refused")
            .Cmd("ACL", "SETUSER", "e2-all", "reset", "on", "nopass", "+@all", "~*", "&*")
            .Cmd("AUTH", "e2-all", "x")
            .Cmd("DEBUG", "SLEEP", "0")
            .Cmd("DEBUG", "OBJECT", "e2:k")
            .Cmd("MODULE", "LOAD", "/tmp/x.so")
            .Cmd("MODULE", "UNLOAD", "x")
            .Cmd("CLUSTER", "INFO")
            .Cmd("CLUSTER", "NODES")
            .Cmd("ASKING")
            .Cmd("READONLY")
            .Cmd("READWRITE")
            .Cmd("CONFIG", "SET", "nosuch-parameter", "1")
            .Cmd("CONFIG", "GET", "nosuch-parameter")
            .Cmd("MULTI")
            .Cmd("DEBUG", "SLEEP", "0")
            .Cmd("EXEC"));
    }

    /// <summary>Refused commands with our own texts (replication and migration are not the front end's business).</summary>
    [Theory]
    [InlineData("REPLICAOF NO ONE", "ERR REPLICAOF is not supported by this server: replication is the backend's concern")]
    [InlineData("REPLICAOF 127.0.0.1 1", "ERR REPLICAOF is not supported by this server: replication is the backend's concern")]
    [InlineData("SLAVEOF NO ONE", "ERR SLAVEOF is not supported by this server: replication is the backend's concern")]
    [InlineData("SYNC", "ERR SYNC is not supported by this server: replication is the backend's concern")]
    [InlineData("PSYNC ? -1", "ERR PSYNC is not supported by this server: replication is the backend's concern")]
    [InlineData("REPLCONF listening-port 1", "ERR REPLCONF is not supported by this server: replication is the backend's concern")]
    [InlineData("FAILOVER", "ERR FAILOVER is not supported by this server: replication is the backend's concern")]
    [InlineData("MIGRATE 127.0.0.1 1 e2:k 0 1000", "ERR MIGRATE is disabled on this server (allow-migrate no)")]
    [InlineData("MONITOR", "ERR MONITOR is not supported by this server")]
    // Redis answers MODULE LIST with *0 (it is not a protected subcommand); E2 refuses every MODULE subcommand.
    [InlineData("MODULE LIST", "ERR MODULE command not allowed. If the enable-module-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.")]
    public async Task AlwaysRefused_OurTexts(string command, string expected)
    {
        await using RespClient ours = await fixture.Ours.ConnectAsync();
        (await ours.CallAsync("ACL", "SETUSER", "e2-all", "reset", "on", "nopass", "+@all", "~*", "&*")).ThrowIfError();
        (await ours.CallAsync("AUTH", "e2-all", "x")).ThrowIfError();
        RespReply reply = await ours.CallAsync(command.Split(' '));
        Assert.Equal(RespReplyType.Error, reply.Type);
        Assert.Equal(expected, reply.Text);
        Assert.Equal("PONG", (await ours.CallAsync("PING")).Text);
    }

    /// <summary>SHUTDOWN is ours: it stops our server (not the backend through a forwarded command).</summary>
    [Fact]
    public async Task Shutdown_IsHandledByTheFrontEnd()
    {
        await using var server = await InProcessServer.StartAsync(["--maxmemory", "32mb"]);
        await using RespClient client = await server.ConnectAsync();
        await client.SendRawAsync("*2\r\n$8\r\nSHUTDOWN\r\n$6\r\nNOSAVE\r\n"u8.ToArray(), TestContext.Current.CancellationToken);
        await Assert.ThrowsAnyAsync<Exception>(() => client.ReadReplyAsync(TestContext.Current.CancellationToken));
        Assert.True(server.Context.Shutdown.IsCancellationRequested);
    }
}
