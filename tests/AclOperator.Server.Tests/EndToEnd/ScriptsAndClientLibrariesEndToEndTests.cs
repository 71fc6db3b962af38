using AclOperator.Acl.Tests.Infrastructure;
using StackExchange.Redis;
using Xunit;
using static AclOperator.Server.Tests.EndToEnd.E2E;

namespace AclOperator.Server.Tests.EndToEnd;

/// <summary>The script rule (E8), and real clients: StackExchange.Redis and redis-cli.</summary>
public sealed class ScriptsAndClientLibrariesEndToEndTests
{
    private const string Users =
        DefaultAcl +
        "user restricted on >pw ~* +@all\n" +
        "user readall on >pw %R~* &* +@all\n" +
        "user free on >pw ~* &* +@all\n" +
        "user noeval on >pw ~* &* +@all -eval\n" +
        "user app on >apppw ~app:* &* +@all -@dangerous\n";

    private static string ScriptDenial(string user, string cmd) =>
        $"User {user} has no permissions to run the '{cmd}' command: scripts and functions are allowed only for users with a selector granting all commands, all keys read-write and all channels (or with the server's trust-scripts option)";

    [Fact]
    public async Task Restore_IsRefusedForSanitizePayloadUsers_E17()
    {
        await using var s = await StartAsync(DefaultAcl + "user trusted on >pw ~* &* +@all skip-sanitize-payload\n");
        await using var admin = await s.ConnectAsync();
        await using var trusted = await s.ConnectAsAsync("trusted", "pw");
        await admin.AssertOk("SET", "src", "v");
        var dump = await admin.CallAsync("DUMP", "src");
        Assert.False(dump.IsError, dump.ToString());

        // The default user has sanitize-payload: its RESTORE never reaches the store.
        var refused = await admin.CallAsync([System.Text.Encoding.ASCII.GetBytes("RESTORE"), "copy1"u8.ToArray(), "0"u8.ToArray(), dump.Bytes!]);
        Assert.True(refused.IsError);
        Assert.Equal("ERR RESTORE is allowed only for users with skip-sanitize-payload on this server: payloads cannot be sanitized before they reach the store", refused.Text);
        AssertInteger(await admin.CallAsync("EXISTS", "copy1"), 0);

        // A user trusted with skip-sanitize-payload restores.
        var restored = await trusted.CallAsync([System.Text.Encoding.ASCII.GetBytes("RESTORE"), "copy2"u8.ToArray(), "0"u8.ToArray(), dump.Bytes!]);
        AssertSimple(restored, "OK");
        AssertBulk(await trusted.CallAsync("GET", "copy2"), "v");
    }

    [Fact]
    public async Task Eval_RestrictedUserDenied_UnrestrictedAllowed_DryRunAgrees()
    {
        await using var s = await StartAsync(Users);
        await using var admin = await s.ConnectAsync();
        await using var restricted = await s.ConnectAsAsync("restricted", "pw");
        await using var readAll = await s.ConnectAsAsync("readall", "pw");
        await using var free = await s.ConnectAsAsync("free", "pw");
        await using var noEval = await s.ConnectAsAsync("noeval", "pw");

        await restricted.AssertErr("NOPERM " + ScriptDenial("restricted", "eval"), "EVAL", "return 1", "0");
        await restricted.AssertErr("NOPERM " + ScriptDenial("restricted", "evalsha"), "EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0");
        await restricted.AssertErr("NOPERM " + ScriptDenial("restricted", "script|load"), "SCRIPT", "LOAD", "return 1");
        await restricted.AssertErr("NOPERM " + ScriptDenial("restricted", "fcall"), "FCALL", "f", "0");
        await readAll.AssertErr("NOPERM " + ScriptDenial("readall", "eval_ro"), "EVAL_RO", "return 1", "0");
        await noEval.AssertErr("NOPERM User noeval has no permissions to run the 'eval' command", "EVAL", "return 1", "0");
        AssertInteger(await free.CallAsync("EVAL", "return 1", "0"), 1);
        AssertInteger(await admin.CallAsync("EVAL", "return redis.call('incr', KEYS[1])", "1", "evalkey"), 1);

        AssertBulk(await admin.CallAsync("ACL", "DRYRUN", "restricted", "EVAL", "return 1", "0"), ScriptDenial("restricted", "eval"));
        AssertBulk(await admin.CallAsync("ACL", "DRYRUN", "noeval", "EVAL", "return 1", "0"), "User noeval has no permissions to run the 'eval' command");
        AssertSimple(await admin.CallAsync("ACL", "DRYRUN", "free", "EVAL", "return 1", "0"), "OK");

        // Denied at queue time inside MULTI, and logged.
        await restricted.AssertOk("MULTI");
        await restricted.AssertErr("NOPERM " + ScriptDenial("restricted", "eval"), "EVAL", "return 1", "0");
        await restricted.AssertErr("EXECABORT Transaction discarded because of previous errors.", "EXEC");
        var entry = Fields((await admin.CallAsync("ACL", "LOG", "1")).Items[0]);
        AssertBulk(entry["reason"], "command");
        AssertBulk(entry["object"], "eval");
        AssertBulk(entry["username"], "restricted");
        AssertBulk(entry["context"], "multi");

        // Granting &* makes the user unrestricted.
        await admin.AssertOk("ACL", "SETUSER", "restricted", "allchannels");
        AssertInteger(await restricted.CallAsync("EVAL", "return 7", "0"), 7);
    }

    [Fact]
    public async Task TrustScripts_LetsRestrictedUserEval()
    {
        await using var s = await StartAsync(Users, "--trust-scripts", "yes");
        await using var admin = await s.ConnectAsync();
        await using var restricted = await s.ConnectAsAsync("restricted", "pw");
        AssertInteger(await restricted.CallAsync("EVAL", "return 1", "0"), 1);
        AssertSimple(await admin.CallAsync("ACL", "DRYRUN", "restricted", "EVAL", "return 1", "0"), "OK");
        await using var noEval = await s.ConnectAsAsync("noeval", "pw");
        await noEval.AssertErr("NOPERM User noeval has no permissions to run the 'eval' command", "EVAL", "return 1", "0");
    }

    [Fact]
    public async Task StackExchangeRedis_UserPassword_NoPermSurfacesAsServerException()
    {
        await using var s = await StartAsync(Users);
        await using var mux = await ConnectLibraryAsync(s.Port, "app", "apppw");
        var db = mux.GetDatabase();
        Assert.True(await db.StringSetAsync("app:1", "v"));
        Assert.Equal("v", (string?)await db.StringGetAsync("app:1"));
        var keyDenied = await Assert.ThrowsAsync<RedisServerException>(() => db.StringSetAsync("other", "v"));
        Assert.Equal("NOPERM No permissions to access a key", keyDenied.Message);
        var cmdDenied = await Assert.ThrowsAsync<RedisServerException>(() => db.ExecuteAsync("FLUSHALL"));
        Assert.Equal("NOPERM User app has no permissions to run the 'flushall' command", cmdDenied.Message);
        Assert.Equal("app", (string?)await db.ExecuteAsync("ACL", "WHOAMI"));

        // Transactions through the client library.
        var tran = db.CreateTransaction();
        var incr = tran.StringIncrementAsync("app:counter");
        var get = tran.StringGetAsync("app:1");
        Assert.True(await tran.ExecuteAsync());
        Assert.Equal(1, await incr);
        Assert.Equal("v", (string?)await get);
    }

    [Fact]
    public async Task StackExchangeRedis_Resp3AdminConnection()
    {
        await using var s = await StartAsync(Users);
        await using var mux = await ConnectLibraryAsync(s.Port, "free", "pw", resp3AndAdmin: true);
        var server = mux.GetServer("127.0.0.1", s.Port);
        Assert.Equal(RedisProtocol.Resp3, server.Protocol);
        Assert.Equal(new Version(7, 4, 1), server.Version);
        var db = mux.GetDatabase();
        await db.StringSetAsync("r3", "x");
        Assert.Equal("x", (string?)await db.StringGetAsync("r3"));
        var users = (RedisResult[])(await db.ExecuteAsync("ACL", "USERS"))!;
        Assert.Equal(["app", "default", "free", "noeval", "readall", "restricted"], users.Select(u => (string?)u));

        // Pub/sub through the client.
        var received = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var sub = mux.GetSubscriber();
        await sub.SubscribeAsync(RedisChannel.Literal("news"), (_, m) => received.TrySetResult(m!));
        await sub.PublishAsync(RedisChannel.Literal("news"), "hello");
        Assert.Equal("hello", await received.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct));
    }

    [Fact]
    public async Task RedisCli_UserPass_AclCommands_NoPerm()
    {
        await using var s = await StartAsync(Users);
        Assert.Equal("default", await RedisCliOrSkipAsync(s.Port, "ACL", "WHOAMI"));
        Assert.Equal("OK", await RedisCliOrSkipAsync(s.Port, "ACL", "SETUSER", "cli", "on", ">clipw", "~cli:*", "+get", "+set", "+acl|whoami"));
        Assert.Equal("cli", await RedisCliOrSkipAsync(s.Port, "--user", "cli", "--pass", "clipw", "--no-auth-warning", "ACL", "WHOAMI"));
        Assert.Equal("OK", await RedisCliOrSkipAsync(s.Port, "--user", "cli", "--pass", "clipw", "--no-auth-warning", "SET", "cli:1", "v"));
        Assert.Equal("v", await RedisCliOrSkipAsync(s.Port, "--user", "cli", "--pass", "clipw", "--no-auth-warning", "GET", "cli:1"));
        Assert.Equal("NOPERM No permissions to access a key", await RedisCliOrSkipAsync(s.Port, "--user", "cli", "--pass", "clipw", "--no-auth-warning", "GET", "secret"));
        Assert.Equal(
            "NOPERM User cli has no permissions to run the 'del' command",
            await RedisCliOrSkipAsync(s.Port, "--user", "cli", "--pass", "clipw", "--no-auth-warning", "DEL", "cli:1"));
        Assert.Equal(
            "user app on sanitize-payload #" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("apppw"u8)) + " ~app:* &* +@all -@dangerous",
            (await RedisCliOrSkipAsync(s.Port, "ACL", "LIST")).Split('\n')[0]);
        Assert.Equal("1", await RedisCliOrSkipAsync(s.Port, "ACL", "DELUSER", "cli"));

        var wrong = await RedisCliAsync(s.Port, "--user", "app", "--pass", "bad", "--no-auth-warning", "PING");
        Assert.NotNull(wrong);
        Assert.Contains("WRONGPASS invalid username-password pair or user is disabled.", wrong.Value.Stdout + wrong.Value.Stderr, StringComparison.Ordinal);
    }
}
