using AclOperator.Acl.Tests.Infrastructure;
using Xunit;
using static AclOperator.Server.Tests.EndToEnd.E2E;

namespace AclOperator.Server.Tests.EndToEnd;

/// <summary>MULTI/EXEC owned by the front end (E4, spec §6.1, §6.3).</summary>
public sealed class TransactionEndToEndTests(SharedServerFixture shared) : IClassFixture<SharedServerFixture>
{
    private const string ExecAbort = "EXECABORT Transaction discarded because of previous errors.";

    private const string Rechecked =
        "NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: ";

    private async Task<(RespClient Admin, RespClient User, string Name)> UserAsync(params string[] rules)
    {
        var name = UniqueName("tx");
        var admin = await shared.ConnectAsync();
        await admin.AssertOk(["ACL", "SETUSER", name, "on", ">pw", .. rules]);
        return (admin, await shared.ConnectAsAsync(name, "pw"), name);
    }

    [Fact]
    public async Task DeniedCommandInsideMulti_ExecAbort()
    {
        var (admin, u, name) = await UserAsync("~*", "+@all", "-flushdb");
        await using var _ = admin;
        await using var __ = u;
        await u.AssertOk("MULTI");
        AssertSimple(await u.CallAsync("SET", "txa", "1"), "QUEUED");
        await u.AssertErr($"NOPERM User {name} has no permissions to run the 'flushdb' command", "FLUSHDB");
        await u.AssertErr(ExecAbort, "EXEC");
        Assert.True((await u.CallAsync("GET", "txa")).IsNull, "nothing from an aborted transaction runs");

        // The denial inside MULTI is logged with context multi.
        var entry = (await admin.CallAsync("ACL", "LOG")).Items.Select(Fields).First(f => f["username"].Text == name);
        AssertBulk(entry["context"], "multi");
        AssertBulk(entry["object"], "flushdb");
    }

    [Fact]
    public async Task UnknownCommandAndArityInsideMulti_ExecAbort()
    {
        await using var c = await shared.ConnectAsync();
        await c.AssertOk("MULTI");
        await c.AssertErr("ERR unknown command 'NOSUCH', with args beginning with: 'x' ", "NOSUCH", "x");
        await c.AssertErr(ExecAbort, "EXEC");

        await c.AssertOk("MULTI");
        await c.AssertErr("ERR wrong number of arguments for 'get' command", "GET");
        await c.AssertErr(ExecAbort, "EXEC");
        await c.AssertErr("ERR EXEC without MULTI", "EXEC");
    }

    [Fact]
    public async Task ExecItselfDenied_DiscardsWithReason()
    {
        var (admin, u, name) = await UserAsync("~*", "+multi", "+get");
        await using var _ = admin;
        await using var __ = u;
        await u.AssertOk("MULTI");
        AssertSimple(await u.CallAsync("GET", "k"), "QUEUED");
        await u.AssertErr($"EXECABORT Transaction discarded because of: NOPERM User {name} has no permissions to run the 'exec' command", "EXEC");
        Assert.True((await u.CallAsync("GET", "k")).IsNull, "the transaction was discarded");
    }

    [Fact]
    public async Task ExecRecheck_AclChangedBetweenQueueAndExec_SlotErrorOthersRun()
    {
        var key = UniqueName("rk");
        var (admin, u, name) = await UserAsync($"~{key}*", "&chan", "+set", "+get", "+publish", "+multi", "+exec");
        await using var _ = admin;
        await using var __ = u;
        await u.AssertOk("MULTI");
        AssertSimple(await u.CallAsync("SET", key + "1", "a"), "QUEUED");
        AssertSimple(await u.CallAsync("GET", key + "1"), "QUEUED");
        AssertSimple(await u.CallAsync("SET", key + "2", "b"), "QUEUED");
        AssertSimple(await u.CallAsync("PUBLISH", "chan", "m"), "QUEUED");
        AssertSimple(await u.CallAsync("GET", key + "2"), "QUEUED");

        // Another connection changes the user's rules before EXEC.
        await admin.AssertOk("ACL", "SETUSER", name, "-get", "resetkeys", $"~{key}1", "resetchannels");
        var r = await u.CallAsync("EXEC");
        Assert.Equal(RespReplyType.Array, r.Type);
        Assert.Equal(5, r.Items.Count);
        AssertSimple(r.Items[0], "OK");
        AssertError(r.Items[1], Rechecked + "no permission to execute the command or subcommand");
        AssertError(r.Items[2], Rechecked + "no permission to touch the specified keys");
        AssertError(r.Items[3], Rechecked + "no permission to access one of the channels used as arguments");
        AssertError(r.Items[4], Rechecked + "no permission to execute the command or subcommand");
        AssertBulk(await admin.CallAsync("GET", key + "1"), "a");
        Assert.True((await admin.CallAsync("GET", key + "2")).IsNull);

        var entries = (await admin.CallAsync("ACL", "LOG")).Items.Select(Fields).Where(f => f["username"].Text == name).ToList();
        Assert.Contains(entries, e => e["reason"].Text == "key" && e["context"].Text == "multi" && e["object"].Text == key + "2");
        Assert.Contains(entries, e => e["reason"].Text == "channel" && e["context"].Text == "multi" && e["object"].Text == "chan");
    }

    [Fact]
    public async Task LocalCommandsSplicedInOrderWithBackendResults()
    {
        await using var c = await shared.ConnectAsync();
        var key = UniqueName("splice");
        var id = (await c.CallAsync("CLIENT", "ID")).Integer;
        await c.AssertOk("MULTI");
        foreach (var cmd in new[] { new[] { "SET", key, "1" }, ["ACL", "WHOAMI"], ["INCR", key], ["CLIENT", "ID"], ["ECHO", "hi"], ["GET", key], ["PING"] })
        {
            AssertSimple(await c.CallAsync(cmd), "QUEUED");
        }

        var r = await c.CallAsync("EXEC");
        Assert.Equal(7, r.Items.Count);
        AssertSimple(r.Items[0], "OK");
        AssertBulk(r.Items[1], "default");
        AssertInteger(r.Items[2], 2);
        AssertInteger(r.Items[3], id);
        AssertBulk(r.Items[4], "hi");
        AssertBulk(r.Items[5], "2");
        AssertSimple(r.Items[6], "PONG");

        // A transaction of local commands only.
        await c.AssertOk("MULTI");
        AssertSimple(await c.CallAsync("ACL", "WHOAMI"), "QUEUED");
        var only = await c.CallAsync("EXEC");
        Assert.Single(only.Items);
        AssertBulk(only.Items[0], "default");

        // An empty transaction.
        await c.AssertOk("MULTI");
        AssertStrings(await c.CallAsync("EXEC"));
    }

    [Fact]
    public async Task Watch_OtherClientWrites_ExecNull_NoLocalSideEffect()
    {
        await using var c = await shared.ConnectAsync();
        await using var other = await shared.ConnectAsync();
        var key = UniqueName("w");
        await c.AssertOk("SET", key, "0");
        await c.AssertOk("WATCH", key);
        await other.AssertOk("SET", key, "changed");
        await c.AssertOk("MULTI");
        AssertSimple(await c.CallAsync("SET", key, "mine"), "QUEUED");
        AssertSimple(await c.CallAsync("CLIENT", "SETNAME", "should-not-apply"), "QUEUED");
        var r = await c.CallAsync("EXEC");
        Assert.Equal(RespReplyType.NullArray, r.Type);
        AssertBulk(await c.CallAsync("GET", key), "changed");
        Assert.True((await c.CallAsync("CLIENT", "GETNAME")).IsNull);

        // Without interference the watched transaction commits.
        await c.AssertOk("WATCH", key);
        await c.AssertOk("MULTI");
        AssertSimple(await c.CallAsync("SET", key, "mine"), "QUEUED");
        var ok = await c.CallAsync("EXEC");
        Assert.Single(ok.Items);
        AssertSimple(ok.Items[0], "OK");
    }

    [Fact]
    public async Task Discard_NestedMulti_WatchInsideMulti_Errors()
    {
        await using var c = await shared.ConnectAsync();
        var key = UniqueName("d");
        await c.AssertErr("ERR DISCARD without MULTI", "DISCARD");
        await c.AssertOk("MULTI");
        await c.AssertErr("ERR MULTI calls can not be nested", "MULTI");
        await c.AssertErr("ERR WATCH inside MULTI is not allowed", "WATCH", key);
        AssertSimple(await c.CallAsync("SET", key, "x"), "QUEUED");
        await c.AssertOk("DISCARD");
        Assert.True((await c.CallAsync("GET", key)).IsNull);
        await c.AssertErr("ERR EXEC without MULTI", "EXEC");

        // MULTI nested error does not flag the transaction.
        await c.AssertOk("MULTI");
        await c.AssertErr("ERR MULTI calls can not be nested", "MULTI");
        AssertSimple(await c.CallAsync("SET", key, "y"), "QUEUED");
        var r = await c.CallAsync("EXEC");
        Assert.Single(r.Items);
        AssertSimple(r.Items[0], "OK");
    }

    [Fact]
    public async Task RuntimeErrorInsideExec_OnlyThatSlotFails()
    {
        await using var c = await shared.ConnectAsync();
        var key = UniqueName("rt");
        await c.AssertOk("MULTI");
        AssertSimple(await c.CallAsync("SET", key, "notanumber"), "QUEUED");
        AssertSimple(await c.CallAsync("INCR", key), "QUEUED");
        AssertSimple(await c.CallAsync("GET", key), "QUEUED");
        var r = await c.CallAsync("EXEC");
        Assert.Equal(3, r.Items.Count);
        AssertSimple(r.Items[0], "OK");
        // The exact text is checked by BackendErrorTexts_AreRedisTexts.
        Assert.True(r.Items[1].IsError);
        Assert.StartsWith("ERR value is not an integer or out of range", r.Items[1].Text, StringComparison.Ordinal);
        AssertBulk(r.Items[2], "notanumber");
    }

    [Fact]
    public async Task BackendErrorTexts_AreRedisTexts()
    {
        // Redis 7.4.1: no trailing period on these shared error replies.
        await using var c = await shared.ConnectAsync();
        var key = UniqueName("errtext");
        await c.AssertOk("SET", key, "abc");
        await c.AssertErr("ERR value is not an integer or out of range", "INCR", key);
        await c.AssertErr("WRONGTYPE Operation against a key holding the wrong kind of value", "LPUSH", key, "x");
    }

    [Fact]
    public async Task FailedAuthInsideExec_LoggedWithMultiContext()
    {
        await using var s = await StartAsync();
        await using var c = await s.ConnectAsync();
        await c.AssertOk("MULTI");
        AssertSimple(await c.CallAsync("AUTH", "ghost", "pw"), "QUEUED");
        var r = await c.CallAsync("EXEC");
        Assert.Single(r.Items);
        AssertError(r.Items[0], WrongPass);
        var entry = Fields((await c.CallAsync("ACL", "LOG")).Items[0]);
        AssertBulk(entry["reason"], "auth");
        AssertBulk(entry["context"], "multi");
        AssertBulk(entry["username"], "ghost");
    }
}
