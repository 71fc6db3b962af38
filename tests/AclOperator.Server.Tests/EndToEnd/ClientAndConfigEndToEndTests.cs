using System.Text;
using AclOperator.Acl.Tests.Infrastructure;
using Xunit;
using static AclOperator.Server.Tests.EndToEnd.E2E;

namespace AclOperator.Server.Tests.EndToEnd;

/// <summary>CLIENT subcommands (E9), INFO ACL counters and the ACL configs (spec §6.4, §9.1).</summary>
public sealed class ClientAndConfigEndToEndTests
{
    [Fact]
    public async Task ClientId_SetNameGetName_ListAndInfo()
    {
        await using var s = await StartAsync(DefaultAcl + "user alice on >pw +@all ~*\n");
        await using var c = await s.ConnectAsAsync("alice", "pw");
        var id = (await c.CallAsync("CLIENT", "ID")).Integer;
        Assert.True(id > 0);
        Assert.True((await c.CallAsync("CLIENT", "GETNAME")).IsNull);
        await c.AssertOk("CLIENT", "SETNAME", "worker-1");
        AssertBulk(await c.CallAsync("CLIENT", "GETNAME"), "worker-1");
        await c.AssertErr("ERR Client names cannot contain spaces, newlines or special characters.", "CLIENT", "SETNAME", "a b");

        var list = (await c.CallAsync("CLIENT", "LIST")).GetString();
        var mine = list.Split('\n', StringSplitOptions.RemoveEmptyEntries).Single(l => l.StartsWith($"id={id} ", StringComparison.Ordinal));
        Assert.Contains(" name=worker-1 ", mine, StringComparison.Ordinal);
        Assert.Contains(" user=alice ", mine, StringComparison.Ordinal);
        Assert.Contains(" cmd=client|list ", mine, StringComparison.Ordinal);

        var info = (await c.CallAsync("CLIENT", "INFO")).GetString();
        Assert.StartsWith($"id={id} ", info, StringComparison.Ordinal);
        Assert.Contains(" cmd=client|info ", info, StringComparison.Ordinal);
        Assert.EndsWith("\n", info, StringComparison.Ordinal);

        // CLIENT SETNAME with an empty name clears it.
        await c.AssertOk("CLIENT", "SETNAME", "");
        Assert.True((await c.CallAsync("CLIENT", "GETNAME")).IsNull);
    }

    [Fact]
    public async Task ClientKill_User_ClosesOnlyThatUsersClients()
    {
        await using var s = await StartAsync(DefaultAcl + "user alice on >pw +@all ~*\nuser bob on >pw +@all ~*\n");
        await using var a1 = await s.ConnectAsAsync("alice", "pw");
        await using var a2 = await s.ConnectAsAsync("alice", "pw");
        await using var b = await s.ConnectAsAsync("bob", "pw");
        await using var admin = await s.ConnectAsync();
        AssertInteger(await admin.CallAsync("CLIENT", "KILL", "USER", "alice"), 2);
        await AssertClosedAsync(a1);
        await AssertClosedAsync(a2);
        await AssertOpenAsync(b);
        await AssertOpenAsync(admin);
        await admin.AssertErr("ERR No such user 'nosuch'", "CLIENT", "KILL", "USER", "nosuch");

        // KILL ID: by id; an unknown id kills nothing.
        var bid = (await b.CallAsync("CLIENT", "ID")).Integer;
        AssertInteger(await admin.CallAsync("CLIENT", "KILL", "ID", "999999"), 0);
        AssertInteger(await admin.CallAsync("CLIENT", "KILL", "ID", bid.ToString(System.Globalization.CultureInfo.InvariantCulture)), 1);
        await AssertClosedAsync(b);
        await admin.AssertErr("ERR No such client", "CLIENT", "KILL", "127.0.0.1:1");

        // SKIPME: the caller is not killed by default (skipme yes).
        AssertInteger(await admin.CallAsync("CLIENT", "KILL", "USER", "default"), 0);
        await AssertOpenAsync(admin);
    }

    [Fact]
    public async Task ClientNoEvict_AndReplyOffOnSkip()
    {
        await using var s = await StartAsync();
        await using var c = await s.ConnectAsync();
        await c.AssertOk("CLIENT", "NO-EVICT", "on");
        await c.AssertOk("CLIENT", "NO-EVICT", "off");
        await c.AssertErr("ERR syntax error", "CLIENT", "NO-EVICT", "maybe");

        // OFF: nothing until ON (whose +OK is sent).
        await c.SendRawAsync(Encoding.ASCII.GetBytes("CLIENT REPLY OFF\r\nPING\r\nSET rk v\r\nGET nokey\r\nCLIENT REPLY ON\r\nECHO after-on\r\n"), Ct);
        AssertSimple(await c.ReadReplyAsync(Ct), "OK");
        AssertBulk(await c.ReadReplyAsync(Ct), "after-on");
        AssertBulk(await c.CallAsync("GET", "rk"), "v");

        // SKIP: only the next command's reply is dropped.
        await c.SendRawAsync(Encoding.ASCII.GetBytes("CLIENT REPLY SKIP\r\nECHO one\r\nECHO two\r\n"), Ct);
        AssertBulk(await c.ReadReplyAsync(Ct), "two");
        await c.AssertErr("ERR syntax error", "CLIENT", "REPLY", "MAYBE");
    }

    [Fact]
    public async Task InfoStats_AclDeniedCounters()
    {
        await using var s = await StartAsync(DefaultAcl + "user u on >pw +get +publish ~k*\n");
        await using var u = await s.ConnectAsAsync("u", "pw");
        await using var admin = await s.ConnectAsync();
        var before = (await admin.CallAsync("INFO", "stats")).GetString();
        Assert.Equal(0, Info(before, "acl_access_denied_auth"));
        Assert.Equal(0, Info(before, "acl_access_denied_cmd"));
        Assert.Equal(0, Info(before, "acl_access_denied_key"));
        Assert.Equal(0, Info(before, "acl_access_denied_channel"));

        await u.AssertErr("NOPERM User u has no permissions to run the 'set' command", "SET", "k", "v");
        await u.AssertErr("NOPERM User u has no permissions to run the 'del' command", "DEL", "k");
        await u.AssertErr(NoPermKey, "GET", "x");
        await u.AssertErr(NoPermChannel, "PUBLISH", "c", "m");
        await u.AssertErr(WrongPass, "AUTH", "u", "bad");
        await u.AssertErr(WrongPass, "HELLO", "2", "AUTH", "nobody", "bad");

        var after = (await admin.CallAsync("INFO", "stats")).GetString();
        Assert.Equal(2, Info(after, "acl_access_denied_auth"));
        Assert.Equal(2, Info(after, "acl_access_denied_cmd"));
        Assert.Equal(1, Info(after, "acl_access_denied_key"));
        Assert.Equal(1, Info(after, "acl_access_denied_channel"));

        // DRYRUN is not counted or logged.
        AssertBulk(await admin.CallAsync("ACL", "DRYRUN", "u", "set", "k", "v"), "User u has no permissions to run the 'set' command");
        Assert.Equal(2, Info((await admin.CallAsync("INFO", "stats")).GetString(), "acl_access_denied_cmd"));
        var hello = Fields((await admin.CallAsync("ACL", "LOG", "1")).Items[0]);
        AssertBulk(hello["object"], "HELLO");
        AssertBulk(hello["username"], "nobody");
    }

    [Fact]
    public async Task ConfigGetAndSet_AclPubsubDefault_AffectsNewUsersOnly()
    {
        await using var s = await StartAsync();
        await using var c = await s.ConnectAsync();
        AssertStrings(await c.CallAsync("CONFIG", "GET", "acl-pubsub-default"), "acl-pubsub-default", "resetchannels");
        await c.AssertOk("ACL", "SETUSER", "before");
        await c.AssertOk("CONFIG", "SET", "acl-pubsub-default", "allchannels");
        AssertStrings(await c.CallAsync("CONFIG", "GET", "acl-pubsub-default"), "acl-pubsub-default", "allchannels");
        await c.AssertOk("ACL", "SETUSER", "after");
        await c.AssertOk("ACL", "SETUSER", "sel", "(~x)");
        AssertStrings(
            await c.CallAsync("ACL", "LIST"),
            "user after off sanitize-payload &* -@all",
            "user before off sanitize-payload resetchannels -@all",
            "user default on nopass sanitize-payload ~* &* +@all",
            "user sel off sanitize-payload &* -@all (~x &* -@all)");
        await c.AssertOk("ACL", "SETUSER", "before", "reset");
        Assert.Contains("user before off sanitize-payload &* -@all", (await c.CallAsync("ACL", "LIST")).GetStrings());

        var all = await c.CallAsync("CONFIG", "GET", "acl*");
        var names = all.Items.Where((_, i) => i % 2 == 0).Select(i => i.Text!).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["acl-pubsub-default", "aclfile", "acllog-max-len"], names);
    }
}
