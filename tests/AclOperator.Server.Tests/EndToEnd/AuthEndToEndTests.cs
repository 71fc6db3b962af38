using AclOperator.Acl.Tests.Infrastructure;
using AclOperator.Server.Tests.Infrastructure;
using Xunit;
using static AclOperator.Server.Tests.EndToEnd.E2E;

namespace AclOperator.Server.Tests.EndToEnd;

/// <summary>AUTH, HELLO, NOAUTH and RESET (spec §1.5, §7.1–7.3).</summary>
public sealed class AuthEndToEndTests
{
    private const string HelloNoAuth =
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time";

    private const string NoPasswordConfigured =
        "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?";

    private static Task<InProcessServer> StartWithRequirePassAsync() =>
        InProcessServer.StartAsync(args: ["--requirepass", "secret"]);

    [Fact]
    public async Task RequirePass_NoAuthBeforeAuth_ThenAuthWithPasswordOnly()
    {
        await using var s = await StartWithRequirePassAsync();
        await using var c = await s.ConnectAsync();
        await c.AssertErr("NOAUTH Authentication required.", "GET", "k");
        await c.AssertErr("NOAUTH Authentication required.", "ACL", "WHOAMI");

        // Unknown-command and arity errors come before NOAUTH.
        await c.AssertErr("ERR unknown command 'FOO', with args beginning with: 'a' ", "FOO", "a");
        await c.AssertErr("ERR unknown command 'nosuch', with args beginning with: ", "nosuch");
        await c.AssertErr("ERR wrong number of arguments for 'get' command", "GET");

        await c.AssertErr(WrongPass, "AUTH", "nope");
        await c.AssertErr("NOAUTH Authentication required.", "PING");
        await c.AssertOk("AUTH", "secret");
        AssertSimple(await c.CallAsync("PING"), "PONG");
        AssertBulk(await c.CallAsync("ACL", "WHOAMI"), "default");

        await using var c2 = await s.ConnectAsync();
        await c2.AssertOk("AUTH", "default", "secret");
        await c2.AssertOk("SET", "k", "v");
        await c2.AssertErr("ERR syntax error", "AUTH", "a", "b", "c");
    }

    [Fact]
    public async Task RequirePass_Reset_DeAuthenticates()
    {
        await using var s = await StartWithRequirePassAsync();
        await using var c = await s.ConnectAsync();
        await c.AssertOk("AUTH", "secret");
        AssertSimple(await c.CallAsync("RESET"), "RESET");
        await c.AssertErr("NOAUTH Authentication required.", "PING");
    }

    [Fact]
    public async Task RequirePass_HelloBeforeAuth_NoAuthText_HelloAuthSetName_Map()
    {
        await using var s = await StartWithRequirePassAsync();
        await using var c = await s.ConnectAsync();
        await c.AssertErr(HelloNoAuth, "HELLO", "3");
        await c.AssertErr(HelloNoAuth, "HELLO");
        await c.AssertErr(WrongPass, "HELLO", "3", "AUTH", "default", "bad");

        var r = await c.CallAsync("HELLO", "3", "AUTH", "default", "secret", "SETNAME", "myname");
        Assert.Equal(RespReplyType.Map, r.Type);
        var f = Fields(r);
        Assert.Equal(["server", "version", "proto", "id", "mode", "role", "modules"], r.Items.Where((_, i) => i % 2 == 0).Select(i => i.Text));
        AssertBulk(f["server"], "redis");
        AssertBulk(f["version"], "7.4.1");
        AssertInteger(f["proto"], 3);
        AssertBulk(f["mode"], "standalone");
        AssertBulk(f["role"], "master");
        Assert.Equal(RespReplyType.Array, f["modules"].Type);
        Assert.Empty(f["modules"].Items);
        AssertInteger(await c.CallAsync("CLIENT", "ID"), f["id"].Integer);
        AssertBulk(await c.CallAsync("CLIENT", "GETNAME"), "myname");

        // RESP3 replies from the backend too.
        var missing = await c.CallAsync("GET", "no-such-key");
        Assert.Equal(RespReplyType.Null, missing.Type);
    }

    [Fact]
    public async Task Hello_BadArguments_ExactErrors()
    {
        await using var s = await StartAsync();
        await using var c = await s.ConnectAsync();
        await c.AssertErr("NOPROTO unsupported protocol version", "HELLO", "4");
        await c.AssertErr("NOPROTO unsupported protocol version", "HELLO", "1");
        await c.AssertErr("ERR Protocol version is not an integer or out of range", "HELLO", "abc");
        await c.AssertErr("ERR Protocol version is not an integer or out of range", "HELLO", "AUTH", "default", "x");
        await c.AssertErr("ERR Syntax error in HELLO option 'FOO'", "HELLO", "3", "FOO");
        await c.AssertErr("ERR Syntax error in HELLO option 'auth'", "HELLO", "3", "auth", "default");
        await c.AssertErr("ERR Client names cannot contain spaces, newlines or special characters.", "HELLO", "2", "SETNAME", "a b");

        // HELLO 2: a flat array of 14.
        var r = await c.CallAsync("HELLO", "2");
        Assert.Equal(RespReplyType.Array, r.Type);
        Assert.Equal(14, r.Items.Count);
        AssertInteger(Fields(r)["proto"], 2);
    }

    [Fact]
    public async Task AuthPasswordOnly_WhenDefaultIsNopass_LongError()
    {
        await using var s = await StartAsync();
        await using var c = await s.ConnectAsync();
        await c.AssertErr(NoPasswordConfigured, "AUTH", "whatever");
        await c.AssertOk("ACL", "SETUSER", "default", "off");
        await c.AssertErr(NoPasswordConfigured, "AUTH", "whatever");
    }

    [Fact]
    public async Task AuthUserPassword_Success_OffUserRefused_FailedAuthKeepsIdentity()
    {
        await using var s = await StartAsync(DefaultAcl + "user alice on >alicepw ~a:* +@all\nuser bob off >bobpw +@all\nuser carol on nopass +acl|whoami\n");
        await using var c = await s.ConnectAsync();
        await c.AssertOk("AUTH", "alice", "alicepw");
        AssertBulk(await c.CallAsync("ACL", "WHOAMI"), "alice");

        // off user, wrong password, unknown user: WRONGPASS; alice is kept.
        await c.AssertErr(WrongPass, "AUTH", "bob", "bobpw");
        await c.AssertErr(WrongPass, "AUTH", "alice", "wrong");
        await c.AssertErr(WrongPass, "AUTH", "nobody", "x");
        AssertBulk(await c.CallAsync("ACL", "WHOAMI"), "alice");
        await c.AssertOk("SET", "a:1", "v");

        // nopass user accepts any password; switching user on an authenticated connection.
        await c.AssertOk("AUTH", "carol", "anything at all");
        AssertBulk(await c.CallAsync("ACL", "WHOAMI"), "carol");

        // Usernames and passwords are case-sensitive.
        await c.AssertErr(WrongPass, "AUTH", "Alice", "alicepw");
        await c.AssertErr(WrongPass, "AUTH", "alice", "ALICEPW");

        var info = (await c.CallAsync("AUTH", "alice", "alicepw")).GetString();
        Assert.Equal("OK", info);
        await using var admin = await s.ConnectAsync();
        Assert.Equal(5, Info((await admin.CallAsync("INFO", "stats")).GetString(), "acl_access_denied_auth"));
    }

    [Fact]
    public async Task PipelinedFailedAuth_AlwaysReplies()
    {
        // Redis drops this WRONGPASS when output is pending (spec §10.2); the server always sends it.
        await using var s = await StartAsync();
        await using var c = await s.ConnectAsync();
        var replies = await c.PipelineAsync([["PING"], ["AUTH", "bad", "x"], ["PING"]], Ct);
        AssertSimple(replies[0], "PONG");
        AssertError(replies[1], WrongPass);
        AssertSimple(replies[2], "PONG");
    }

    [Fact]
    public async Task DefaultUserWithPasswordViaSetUser_ExistingConnectionsStay_NewOnesNeedAuth()
    {
        await using var s = await StartAsync();
        await using var c = await s.ConnectAsync();
        await c.AssertOk("ACL", "SETUSER", "default", "resetpass", ">newpw");
        AssertSimple(await c.CallAsync("PING"), "PONG");
        await using var c2 = await s.ConnectAsync();
        await c2.AssertErr("NOAUTH Authentication required.", "PING");
        await c2.AssertOk("AUTH", "newpw");
        AssertSimple(await c2.CallAsync("PING"), "PONG");
    }

    [Fact]
    public async Task AuthHelloQuitReset_AllowedForMinusAllUser()
    {
        await using var s = await StartAsync(DefaultAcl + "user none on >pw -@all\n");
        await using var c = await s.ConnectAsAsync("none", "pw");
        await c.AssertErr("NOPERM User none has no permissions to run the 'ping' command", "PING");
        Assert.Equal(RespReplyType.Array, (await c.CallAsync("HELLO", "2")).Type);
        await c.AssertOk("AUTH", "none", "pw");
        AssertSimple(await c.CallAsync("RESET"), "RESET");
        AssertBulk(await c.CallAsync("ACL", "WHOAMI"), "default");
        await c.AssertOk("QUIT");
        await AssertClosedAsync(c);
    }
}
