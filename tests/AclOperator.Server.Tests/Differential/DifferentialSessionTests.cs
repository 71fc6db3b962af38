using Xunit;

namespace AclOperator.Server.Tests.Differential;

/// <summary>
/// The scripted sessions of the differential harness (enforcement-requirements.md, "One differential harness"; E4,
/// E6, E7, E11): each runs on real redis-server and on our server + Garnet and the raw reply streams must be identical
/// after the documented normalisations (ids, HELLO version, 7.0 NOPERM texts).
/// </summary>
public sealed class DifferentialSessionTests(DifferentialFixture fixture) : IClassFixture<DifferentialFixture>
{
    private async Task Same(DiffSession session)
    {
        fixture.RequireRedis();
        await Differential.AssertSameAsync(fixture, session);
    }

    [Fact]
    public Task MixedLocalAndForwardedPipeline() => Same(new DiffSession("mixed")
        .Cmd("DEL", "mx:a", "mx:b", "mx:l")
        .Cmd("SET", "mx:a", "1")
        .Cmd("ECHO", "hello")
        .Cmd("GET", "mx:a")
        .Cmd("ACL", "WHOAMI")
        .Cmd("INCR", "mx:a")
        .Cmd("CLIENT", "GETNAME")
        .Cmd("CLIENT", "SETNAME", "mixed-client")
        .Cmd("CLIENT", "GETNAME")
        .Cmd("PING")
        .Cmd("PING", "payload")
        .Cmd("GET", "mx:b")
        .Cmd("APPEND", "mx:b", "xyz")
        .Cmd("RPUSH", "mx:l", "a", "b", "c")
        .Cmd("ECHO", "between")
        .Cmd("LRANGE", "mx:l", "0", "-1")
        .ClientId()
        .Cmd("MGET", "mx:a", "mx:b", "mx:nope")
        .Inline("ECHO inline")
        .Inline("GET mx:a")
        .Cmd("EXISTS", "mx:a", "mx:b", "mx:nope")
        .Cmd("STRLEN", "mx:b"));

    [Fact]
    public Task MixedPipelineInChunks() => Same(new DiffSession("chunks")
        .Cmd("DEL", "ch:a")
        .Cmd("SET", "ch:a", "v").Flush()
        .Cmd("GET", "ch:a").Cmd("ECHO", "x").Flush()
        .Raw("*2\r\n$3\r\nGET\r\n$4\r").Flush()
        .Raw("\nch:a\r\n*1\r\n$4\r\nPI").Flush()
        .Raw("NG\r\n").Sync()
        .Cmd("ACL", "WHOAMI").Cmd("GET", "ch:a"));

    [Fact]
    public Task MultiWithLocalCommands() => Same(new DiffSession("multi-local")
        .Cmd("DEL", "mu:a", "mu:b")
        .Cmd("CLIENT", "SETNAME", "txn")
        .Cmd("MULTI")
        .Cmd("SET", "mu:a", "1")
        .Cmd("ACL", "WHOAMI")
        .Cmd("INCR", "mu:a")
        .Cmd("ECHO", "in-multi")
        .Cmd("CLIENT", "GETNAME")
        .Cmd("PING")
        .Cmd("GET", "mu:a")
        .ClientId()
        .Cmd("GET", "mu:b")
        .Cmd("EXEC")
        .Cmd("MULTI")
        .Cmd("SET", "mu:b", "2")
        .Cmd("NOSUCHCOMMAND", "x")
        .Cmd("GET", "mu:b")
        .Cmd("EXEC")
        .Cmd("GET", "mu:b")
        .Cmd("MULTI")
        .Cmd("MULTI")
        .Cmd("WATCH", "mu:a")
        .Cmd("DISCARD")
        .Cmd("EXEC")
        .Cmd("DISCARD"));

    [Fact]
    public Task Hello3MidPipeline() => Same(new DiffSession("hello3")
        .Cmd("DEL", "h3:a", "h3:h", "h3:n")
        .Cmd("SET", "h3:a", "v")
        .Cmd("HSET", "h3:h", "f1", "v1")
        .Cmd("GET", "h3:missing")
        .Cmd("HELLO", "3")
        .Cmd("GET", "h3:a")
        .Cmd("GET", "h3:missing")
        .Cmd("PING")
        .Cmd("ECHO", "resp3")
        .Cmd("ACL", "WHOAMI")
        .Cmd("CLIENT", "GETNAME")
        .Cmd("HGETALL", "h3:h")
        .Cmd("INCR", "h3:n")
        .Cmd("NOSUCH")
        .Cmd("HELLO", "2")
        .Cmd("GET", "h3:missing")
        .Cmd("HGETALL", "h3:h")
        .Cmd("HELLO", "4")
        .Cmd("HELLO", "x")
        .Cmd("HELLO", "3", "SETNAME", "named")
        .Cmd("CLIENT", "GETNAME")
        .Cmd("HELLO", "2", "BADOPT"));

    [Fact]
    public Task SubscribedModeResp2() => Same(new DiffSession("subscribed")
        .Cmd("DEL", "sb:k")
        .Cmd("SUBSCRIBE", "sb:ch1", "sb:ch2")
        .Cmd("PING")
        .Cmd("PING", "hi")
        .Cmd("GET", "sb:k")
        .Cmd("ECHO", "x")
        .Cmd("ACL", "WHOAMI")
        .Cmd("NOSUCH")
        .Cmd("UNSUBSCRIBE", "sb:ch1")
        .Cmd("UNSUBSCRIBE")
        .Cmd("PING")
        .Cmd("GET", "sb:k"));

    [Fact]
    public Task ClientReplySkipOffOn() => Same(new DiffSession("client-reply")
        .Cmd("DEL", "cr:a")
        .Cmd("SET", "cr:a", "1")
        .Cmd("CLIENT", "REPLY", "SKIP")
        .Cmd("GET", "cr:a")
        .Cmd("GET", "cr:a")
        .Cmd("CLIENT", "REPLY", "SKIP")
        .Cmd("ECHO", "skipped")
        .Cmd("ECHO", "shown")
        .Cmd("CLIENT", "REPLY", "OFF")
        .Cmd("INCR", "cr:a")
        .Cmd("PING")
        .Cmd("ECHO", "off")
        .Cmd("NOSUCH")
        .Cmd("CLIENT", "REPLY", "ON")
        .Cmd("GET", "cr:a")
        .Cmd("CLIENT", "REPLY", "BAD"));

    /// <summary>The same CLIENT REPLY semantics with a local command (which flushes forwarded replies) before each
    /// switch; <see cref="ClientReplySkipOffOn"/> shows the pending forwarded replies that are lost without it.</summary>
    [Fact]
    public Task ClientReplySkipOffOn_AfterLocalCommand() => Same(new DiffSession("client-reply-flushed")
        .Cmd("DEL", "cr2:a")
        .Cmd("SET", "cr2:a", "1")
        .Cmd("PING")
        .Cmd("CLIENT", "REPLY", "SKIP")
        .Cmd("GET", "cr2:a")
        .Cmd("GET", "cr2:a")
        .Cmd("PING")
        .Cmd("CLIENT", "REPLY", "SKIP")
        .Cmd("ECHO", "skipped")
        .Cmd("ECHO", "shown")
        .Cmd("CLIENT", "REPLY", "OFF")
        .Cmd("INCR", "cr2:a")
        .Cmd("PING")
        .Cmd("NOSUCH")
        .Cmd("CLIENT", "REPLY", "ON")
        .Cmd("GET", "cr2:a"));

    [Fact]
    public Task ResetInsideMulti() => Same(new DiffSession("reset-multi")
        .Cmd("DEL", "rs:a")
        .Cmd("CLIENT", "SETNAME", "before-reset")
        .Cmd("HELLO", "3")
        .Cmd("MULTI")
        .Cmd("SET", "rs:a", "1")
        .Cmd("ECHO", "queued")
        .Cmd("RESET")
        .Cmd("EXEC")
        .Cmd("GET", "rs:a")
        .Cmd("CLIENT", "GETNAME")
        .Cmd("GET", "rs:missing")
        .Cmd("SUBSCRIBE", "rs:ch")
        .Cmd("RESET")
        .Cmd("GET", "rs:missing"));

    [Fact]
    public Task QuitMidPipeline() => Same(new DiffSession("quit")
        .Cmd("SET", "qt:a", "1")
        .Cmd("ECHO", "before")
        .Cmd("GET", "qt:a")
        .Cmd("QUIT")
        .Cmd("SET", "qt:a", "after-quit")
        .Cmd("PING")
        .ThenClose());

    [Fact]
    public async Task QuitMidPipeline_LaterCommandsNeverRun()
    {
        await Same(new DiffSession("quit-2")
            .Cmd("SET", "qt2:a", "before")
            .Cmd("QUIT")
            .Cmd("SET", "qt2:a", "after")
            .ThenClose());
        await Same(new DiffSession("quit-2-check").Cmd("GET", "qt2:a"));
    }

    [Fact]
    public Task BlockingPopWithTimeoutThenPipeline() => Same(new DiffSession("blpop")
        .Cmd("DEL", "bl:a", "bl:b")
        .Cmd("BLPOP", "bl:a", "0.1")
        .Cmd("SET", "bl:s", "x")
        .Cmd("ECHO", "after-blpop")
        .Cmd("RPUSH", "bl:b", "v1", "v2")
        .Cmd("BLPOP", "bl:a", "bl:b", "0.1")
        .Cmd("GET", "bl:s")
        .Cmd("BRPOP", "bl:a", "0.05")
        .Cmd("ACL", "WHOAMI"));

    [Fact]
    public Task AuthFailures() => Same(new DiffSession("auth")
        .Cmd("ACL", "SETUSER", "df-auth", "reset", "on", ">secret", "+@all", "~*")
        .Cmd("AUTH", "nopass-default")
        .Cmd("AUTH", "df-auth", "wrong")
        .Cmd("AUTH", "nosuchuser", "x")
        .Cmd("AUTH", "a", "b", "c")
        .Cmd("ACL", "WHOAMI")
        .Cmd("AUTH", "df-auth", "secret")
        .Cmd("ACL", "WHOAMI")
        .Cmd("AUTH", "df-auth", "wrong-again")
        .Cmd("ACL", "WHOAMI")
        .Cmd("HELLO", "2", "AUTH", "df-auth", "nope")
        .Cmd("HELLO", "3", "AUTH", "df-auth", "secret")
        .Cmd("ACL", "WHOAMI")
        .Cmd("ACL", "SETUSER", "df-auth-off", "reset", "off", ">pw", "+@all")
        .Cmd("AUTH", "df-auth-off", "pw")
        .Cmd("RESET")
        .Cmd("ACL", "WHOAMI"));

    [Fact]
    public Task NopermForRestrictedUser() => Same(new DiffSession("noperm")
    {
        NopermUser = "df-restricted",
    }
        .Cmd("ACL", "SETUSER", "df-restricted", "reset", "on", "nopass", "~np:*", "+get", "+set", "+acl|whoami", "+ping", "+echo", "+multi", "+exec", "+subscribe", "&np:*")
        .Cmd("SET", "np:a", "1")
        .Cmd("AUTH", "df-restricted", "anything")
        .Cmd("ACL", "WHOAMI")
        .Cmd("GET", "np:a")
        .Cmd("GET", "other")
        .Cmd("SET", "other", "1")
        .Cmd("DEL", "np:a")
        .Cmd("CLIENT", "GETNAME")
        .Cmd("ACL", "LIST")
        .Cmd("ECHO", "still-here")
        .Cmd("MULTI")
        .Cmd("GET", "np:a")
        .Cmd("DEL", "np:a")
        .Cmd("EXEC")
        .Cmd("MULTI")
        .Cmd("GET", "np:a")
        .Cmd("SET", "np:b", "2")
        .Cmd("EXEC")
        .Cmd("SUBSCRIBE", "other-channel")
        .Cmd("NOSUCHCOMMAND")
        .Cmd("GET")
        .Cmd("RESET")
        .Cmd("ACL", "WHOAMI"));

    [Fact]
    public Task UnknownCommandsSubcommandsAndArity() => Same(new DiffSession("unknown")
        .Cmd("NOSUCH")
        .Cmd("NOSUCH", "a", "b")
        .Cmd("nosuch", new string('x', 140), "y")
        .Cmd("GET")
        .Cmd("GET", "a", "b")
        .Cmd("SET", "k")
        .Cmd("CLIENT")
        .Cmd("CLIENT", "NOSUCH")
        .Cmd("CLIENT", "GETNAME", "extra")
        .Cmd("ACL")
        .Cmd("ACL", "nosuch")
        .Cmd("ACL", "WHOAMI", "x")
        .Cmd("CONFIG", "nosuch")
        .Cmd("COMMAND", "nosuch")
        .Cmd("OBJECT", "nosuch")
        .Cmd("ECHO")
        .Cmd("PING", "a", "b")
        .Cmd("HELLO", "3", "AUTH", "x")
        .Inline("NOSUCH 'quoted arg' \"x\\x41y\"")
        .Cmd("MULTI")
        .Cmd("GET")
        .Cmd("EXEC"));
}
