using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AclOperator.Acl.Tests.Infrastructure;
using Xunit;
using static AclOperator.Server.Tests.EndToEnd.E2E;

namespace AclOperator.Server.Tests.EndToEnd;

/// <summary>Every ACL subcommand over a real socket, exact replies (spec §4, §5, §8).</summary>
public sealed class AclCommandEndToEndTests(SharedServerFixture shared) : IClassFixture<SharedServerFixture>
{
    private static string Sha(string pw) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(pw)));

    [Fact]
    public async Task SetUser_NewUser_GetUser_Resp2_FlatArray()
    {
        await using var c = await shared.ConnectAsync();
        var u = UniqueName("fresh");
        await c.AssertOk("ACL", "SETUSER", u);
        var r = await c.CallAsync("ACL", "GETUSER", u);
        Assert.Equal(RespReplyType.Array, r.Type);
        Assert.Equal(12, r.Items.Count);
        AssertBulk(r.Items[0], "flags");
        AssertStrings(r.Items[1], "off", "sanitize-payload");
        AssertBulk(r.Items[2], "passwords");
        AssertStrings(r.Items[3]);
        AssertBulk(r.Items[4], "commands");
        AssertBulk(r.Items[5], "-@all");
        AssertBulk(r.Items[6], "keys");
        AssertBulk(r.Items[7], "");
        AssertBulk(r.Items[8], "channels");
        AssertBulk(r.Items[9], "");
        AssertBulk(r.Items[10], "selectors");
        AssertStrings(r.Items[11]);
    }

    [Fact]
    public async Task GetUser_Resp3_MapWithSetFlagsAndSelectorMaps()
    {
        await using var c = await shared.ConnectAsync();
        var u = UniqueName("r3");
        await c.AssertOk("ACL", "SETUSER", u, "on", ">pw1", "~a*", "%R~b*", "&ch1", "+get", "(~x +hget)");
        var hello = await c.CallAsync("HELLO", "3");
        Assert.Equal(RespReplyType.Map, hello.Type);
        var r = await c.CallAsync("ACL", "GETUSER", u);
        Assert.Equal(RespReplyType.Map, r.Type);
        Assert.Equal(["flags", "passwords", "commands", "keys", "channels", "selectors"], r.Items.Where((_, i) => i % 2 == 0).Select(i => i.Text));
        var f = Fields(r);
        Assert.Equal(RespReplyType.Set, f["flags"].Type);
        Assert.Equal(["on", "sanitize-payload"], f["flags"].Items.Select(i => i.Text));
        Assert.Equal([Sha("pw1")], f["passwords"].Items.Select(i => i.Text));
        AssertBulk(f["commands"], "-@all +get");
        AssertBulk(f["keys"], "~a* %R~b*");
        AssertBulk(f["channels"], "&ch1");
        var selectors = f["selectors"];
        Assert.Single(selectors.Items);
        Assert.Equal(RespReplyType.Map, selectors.Items[0].Type);
        var sel = Fields(selectors.Items[0]);
        AssertBulk(sel["commands"], "-@all +hget");
        AssertBulk(sel["keys"], "~x");
        AssertBulk(sel["channels"], "");

        // Unknown user: RESP3 null.
        var missing = await c.CallAsync("ACL", "GETUSER", UniqueName("nobody"));
        Assert.Equal(RespReplyType.Null, missing.Type);
    }

    [Fact]
    public async Task GetUser_UnknownUser_Resp2NullBulk()
    {
        await using var c = await shared.ConnectAsync();
        var r = await c.CallAsync("ACL", "GETUSER", UniqueName("nobody"));
        Assert.Equal(RespReplyType.NullBulkString, r.Type);
    }

    [Fact]
    public async Task SetUser_Errors_ExactTexts_AndAllOrNothing()
    {
        await using var c = await shared.ConnectAsync();
        var u = UniqueName("bad");
        await c.AssertErr("ERR Error in ACL SETUSER modifier '+nosuchcmd': Unknown command or category name in ACL", "ACL", "SETUSER", u, "on", "+nosuchcmd");
        Assert.True((await c.CallAsync("ACL", "GETUSER", u)).IsNull, "a failed SETUSER must not create the user");
        await c.AssertErr("ERR Error in ACL SETUSER modifier '#abc': The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters", "ACL", "SETUSER", u, "#abc");
        await c.AssertErr("ERR Error in ACL SETUSER modifier '(on)': Syntax error", "ACL", "SETUSER", u, "(on)");
        await c.AssertErr("ERR Error in ACL SETUSER modifier 'heeyyyy': Syntax error", "ACL", "SETUSER", u, "heeyyyy");
        await c.AssertErr("ERR Unmatched parenthesis in acl selector starting at '(~a'.", "ACL", "SETUSER", u, "(~a", "+get");
        await c.AssertErr("ERR Usernames can't contain spaces or null characters", "ACL", "SETUSER", "a b");
        await c.AssertErr(
            "ERR Error in ACL SETUSER modifier '~x': Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns",
            "ACL", "SETUSER", u, "allkeys", "~x");
        await c.AssertErr("ERR wrong number of arguments for 'acl|setuser' command", "ACL", "SETUSER");
        Assert.True((await c.CallAsync("ACL", "GETUSER", u)).IsNull);
    }

    [Fact]
    public async Task SetUser_IsIncremental_ListShowsCanonicalRendering()
    {
        await using var c = await shared.ConnectAsync();
        var u = UniqueName("myuser");
        await c.AssertOk("ACL", "SETUSER", u, "+set");
        await c.AssertOk("ACL", "SETUSER", u, "+get");
        var list = (await c.CallAsync("ACL", "LIST")).GetStrings();
        Assert.Contains($"user {u} off sanitize-payload resetchannels -@all +set +get", list);
        Assert.Contains("user default on nopass sanitize-payload ~* &* +@all", list);

        await c.AssertOk("ACL", "SETUSER", u, "reset");
        Assert.Contains($"user {u} off sanitize-payload resetchannels -@all", (await c.CallAsync("ACL", "LIST")).GetStrings());
    }

    [Fact]
    public async Task Users_AndList_AreSortedBytewise()
    {
        await using var s = await StartAsync();
        await using var c = await s.ConnectAsync();
        foreach (var name in new[] { "ab", "B", "a" })
        {
            await c.AssertOk("ACL", "SETUSER", name);
        }

        AssertStrings(await c.CallAsync("ACL", "USERS"), "B", "a", "ab", "default");
        AssertStrings(
            await c.CallAsync("ACL", "LIST"),
            "user B off sanitize-payload resetchannels -@all",
            "user a off sanitize-payload resetchannels -@all",
            "user ab off sanitize-payload resetchannels -@all",
            "user default on nopass sanitize-payload ~* &* +@all");
    }

    [Fact]
    public async Task DelUser_CountsOnlyExisting_DefaultRefused()
    {
        await using var c = await shared.ConnectAsync();
        var a = UniqueName("del");
        var b = UniqueName("del");
        await c.AssertOk("ACL", "SETUSER", a);
        await c.AssertOk("ACL", "SETUSER", b);
        await c.AssertErr("ERR The 'default' user cannot be removed", "ACL", "DELUSER", a, "default");
        Assert.False((await c.CallAsync("ACL", "GETUSER", a)).IsNull, "nothing is deleted when default is named");
        AssertInteger(await c.CallAsync("ACL", "DELUSER", a, b, a, "nosuchuser"), 2);
        AssertInteger(await c.CallAsync("ACL", "DELUSER", a), 0);
        AssertInteger(await c.CallAsync("ACL", "DELUSER", "DEFAULT"), 0);
        await c.AssertErr("ERR wrong number of arguments for 'acl|deluser' command", "ACL", "DELUSER");
    }

    [Fact]
    public async Task WhoAmI_ReflectsAuthenticatedUser()
    {
        await using var c = await shared.ConnectAsync();
        AssertBulk(await c.CallAsync("ACL", "WHOAMI"), "default");
        var u = UniqueName("who");
        await c.AssertOk("ACL", "SETUSER", u, "on", ">pw", "+acl|whoami");
        await c.AssertOk("AUTH", u, "pw");
        AssertBulk(await c.CallAsync("ACL", "WHOAMI"), u);
        await c.AssertErr("ERR wrong number of arguments for 'acl|whoami' command", "ACL", "WHOAMI", "x");
    }

    [Fact]
    public async Task Cat_ListsCategories_AndMembers_AndErrors()
    {
        await using var c = await shared.ConnectAsync();
        AssertStrings(
            await c.CallAsync("ACL", "CAT"),
            "keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap", "hyperloglog", "geo", "stream",
            "pubsub", "admin", "fast", "slow", "blocking", "dangerous", "connection", "transaction", "scripting");
        var geo = (await c.CallAsync("ACL", "CAT", "GEO")).GetStrings().Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(
            ["geoadd", "geodist", "geohash", "geopos", "georadius", "georadius_ro", "georadiusbymember", "georadiusbymember_ro", "geosearch", "geosearchstore"],
            geo);
        var transaction = (await c.CallAsync("ACL", "CAT", "transaction")).GetStrings().Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["discard", "exec", "multi", "unwatch", "watch"], transaction);
        Assert.Contains("object|encoding", (await c.CallAsync("ACL", "CAT", "keyspace")).GetStrings());
        await c.AssertErr("ERR Unknown category 'nosuchcat'", "ACL", "CAT", "nosuchcat");
        await c.AssertErr("ERR unknown subcommand or wrong number of arguments for 'CAT'. Try ACL HELP.", "ACL", "CAT", "geo", "read");
    }

    [Fact]
    public async Task DryRun_OkAndBulkDenialsAndErrors()
    {
        await using var c = await shared.ConnectAsync();
        var u = UniqueName("dry");
        await c.AssertOk("ACL", "SETUSER", u, "~cached:*", "&news", "+get", "+publish", "+config|get");

        // DRYRUN ignores on/off (the user is off).
        AssertSimple(await c.CallAsync("ACL", "DRYRUN", u, "get", "cached:1"), "OK");
        AssertBulk(await c.CallAsync("ACL", "DRYRUN", u, "get", "foo"), $"User {u} has no permissions to access the 'foo' key");
        AssertBulk(await c.CallAsync("ACL", "DRYRUN", u, "set", "cached:1", "v"), $"User {u} has no permissions to run the 'set' command");
        AssertBulk(await c.CallAsync("ACL", "DRYRUN", u, "publish", "sports", "m"), $"User {u} has no permissions to access the 'sports' channel");
        AssertSimple(await c.CallAsync("ACL", "DRYRUN", u, "publish", "news", "m"), "OK");
        AssertSimple(await c.CallAsync("ACL", "DRYRUN", u, "CONFIG", "GET", "maxmemory"), "OK");
        AssertBulk(await c.CallAsync("ACL", "DRYRUN", u, "config", "set", "maxmemory", "1"), $"User {u} has no permissions to run the 'config|set' command");

        await c.AssertErr("ERR User 'nobody-here' not found", "ACL", "DRYRUN", "nobody-here", "get", "x");
        await c.AssertErr("ERR Command 'nosuch' not found", "ACL", "DRYRUN", u, "nosuch", "x");
        await c.AssertErr("ERR Command 'CONFIG' not found", "ACL", "DRYRUN", u, "CONFIG", "NOSUCH");
        await c.AssertErr("ERR wrong number of arguments for 'get' command", "ACL", "DRYRUN", u, "get", "a", "b");
        await c.AssertErr("ERR wrong number of arguments for 'acl|dryrun' command", "ACL", "DRYRUN", u);
    }

    [Fact]
    public async Task GenPass_LengthsAndErrors()
    {
        await using var c = await shared.ConnectAsync();
        var def = (await c.CallAsync("ACL", "GENPASS")).GetString();
        Assert.Matches("^[0-9a-f]{64}$", def);
        Assert.NotEqual(def, (await c.CallAsync("ACL", "GENPASS")).GetString());
        Assert.Matches("^[0-9a-f]{2}$", (await c.CallAsync("ACL", "GENPASS", "5")).GetString());
        Assert.Matches("^[0-9a-f]{1}$", (await c.CallAsync("ACL", "GENPASS", "1")).GetString());
        Assert.Matches("^[0-9a-f]{32}$", (await c.CallAsync("ACL", "GENPASS", "128")).GetString());
        Assert.Equal(1024, (await c.CallAsync("ACL", "GENPASS", "4096")).GetString().Length);
        const string range = "ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096";
        await c.AssertErr(range, "ACL", "GENPASS", "0");
        await c.AssertErr(range, "ACL", "GENPASS", "-5");
        await c.AssertErr(range, "ACL", "GENPASS", "4097");
        await c.AssertErr("ERR value is not an integer or out of range", "ACL", "GENPASS", "abc");
        await c.AssertErr("ERR unknown subcommand or wrong number of arguments for 'GENPASS'. Try ACL HELP.", "ACL", "GENPASS", "1", "2");
    }

    [Fact]
    public async Task Help_Has29Lines_AndGenericErrors()
    {
        await using var c = await shared.ConnectAsync();
        var help = await c.CallAsync("ACL", "HELP");
        Assert.Equal(RespReplyType.Array, help.Type);
        Assert.Equal(29, help.Items.Count);
        Assert.All(help.Items, i => Assert.Equal(RespReplyType.SimpleString, i.Type));
        Assert.Equal("ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", help.Items[0].Text);
        Assert.Equal("CAT [<category>]", help.Items[1].Text);
        Assert.Equal("    Generate a secure 256-bit user password. The optional `bits` argument can", help.Items[11].Text);
        Assert.Equal("HELP", help.Items[27].Text);
        Assert.Equal("    Print this help.", help.Items[28].Text);

        await c.AssertErr("ERR wrong number of arguments for 'acl' command", "ACL");
        await c.AssertErr("ERR wrong number of arguments for 'acl|getuser' command", "ACL", "GETUSER");
        await c.AssertErr("ERR wrong number of arguments for 'acl|list' command", "ACL", "LIST", "x");
        await c.AssertErr("ERR unknown subcommand 'FOO'. Try ACL HELP.", "ACL", "FOO");
        await c.AssertErr("ERR unknown subcommand 'nosuch'. Try ACL HELP.", "acl", "nosuch", "a", "b");
    }

    [Fact]
    public async Task LoadAndSave_WithoutAclFile_Error()
    {
        await using var s = await Infrastructure.InProcessServer.StartAsync();
        await using var c = await s.ConnectAsync();
        await c.AssertErr(NoAclFileError, "ACL", "LOAD");
        await c.AssertErr(NoAclFileError, "ACL", "SAVE");
        await c.AssertErr("ERR wrong number of arguments for 'acl|load' command", "ACL", "LOAD", "x");
    }

    [Fact]
    public async Task Save_WritesCanonicalFile_AndLoadRoundTrips()
    {
        await using var s = await StartAsync();
        await using var c = await s.ConnectAsync();
        await c.AssertOk("ACL", "SETUSER", "alice", "on", ">p1pp0", "~cached:*", "+get");
        await c.AssertOk("ACL", "SETUSER", "bob", "on", ">x", ">y", "%R~r*", "%W~w*", "&ch", "+@read", "-@hash", "+client|id", "(~sel* +set)");
        var before = (await c.CallAsync("ACL", "LIST")).GetStrings();
        await c.AssertOk("ACL", "SAVE");
        var file = await File.ReadAllTextAsync(Path.Combine(s.Directory, "users.acl"), Ct);
        Assert.Equal(
            $"user alice on sanitize-payload #{Sha("p1pp0")} ~cached:* resetchannels -@all +get\n" +
            $"user bob on sanitize-payload #{Sha("x")} #{Sha("y")} %R~r* %W~w* resetchannels &ch -@all +@read -@hash +client|id (~sel* resetchannels -@all +set)\n" +
            "user default on nopass sanitize-payload ~* &* +@all\n",
            file);
        Assert.Equal(before, file.TrimEnd('\n').Split('\n'));

        // Change memory, then reload from the file: the saved state comes back.
        await c.AssertOk("ACL", "SETUSER", "carol", "on");
        await c.AssertOk("ACL", "SETUSER", "alice", "resetpass");
        await c.AssertOk("ACL", "LOAD");
        Assert.Equal(before, (await c.CallAsync("ACL", "LIST")).GetStrings());
        await using var alice = await s.ConnectAsAsync("alice", "p1pp0");
        Assert.True((await alice.CallAsync("GET", "cached:1")).IsNull);
    }

    [Fact]
    public async Task Load_EditedFile_AppliesNewRules()
    {
        await using var s = await StartAsync(DefaultAcl + "user alice on >pw ~k* +get\n");
        await using var admin = await s.ConnectAsync();
        await using var alice = await s.ConnectAsAsync("alice", "pw");
        await admin.AssertOk("SET", "k1", "v");
        AssertBulk(await alice.CallAsync("GET", "k1"), "v");
        await alice.AssertErr("NOPERM User alice has no permissions to run the 'set' command", "SET", "k1", "x");

        await File.WriteAllTextAsync(Path.Combine(s.Directory, "users.acl"), DefaultAcl + "user alice on >pw ~k* +get +set\nuser zed on nopass +ping\n", Ct);
        await admin.AssertOk("ACL", "LOAD");

        // The connection stays and sees the new rules on its next command (E5).
        await alice.AssertOk("SET", "k1", "x");
        AssertStrings(await admin.CallAsync("ACL", "USERS"), "alice", "default", "zed");
    }

    [Fact]
    public async Task Load_BrokenFile_ExactError_OldAclStillEnforced()
    {
        await using var s = await StartAsync(DefaultAcl + "user alice on >pw ~k* +get\n");
        await using var admin = await s.ConnectAsync();
        await using var alice = await s.ConnectAsAsync("alice", "pw");
        await File.WriteAllTextAsync(
            Path.Combine(s.Directory, "users.acl"),
            "user a on +nosuch\nfoo bar\nuser c on badtok +nosuch2\nuser d on\nuser a off\n",
            Ct);
        await admin.AssertErr(
            "ERR users.acl:1: Error in applying operation '+nosuch': Unknown command or category name in ACL. users.acl:2 should start with user keyword followed by the username. users.acl:3: Syntax error. users.acl:3: Error in applying operation '+nosuch2': Unknown command or category name in ACL. WARNING: Duplicate user 'a' found on line 5. WARNING: ACL errors detected, no change to the previously active ACL rules was performed",
            "ACL", "LOAD");

        AssertStrings(await admin.CallAsync("ACL", "USERS"), "alice", "default");
        await alice.AssertErr("NOPERM User alice has no permissions to run the 'set' command", "SET", "k1", "x");
        Assert.True((await alice.CallAsync("GET", "k1")).IsNull);

        File.Delete(Path.Combine(s.Directory, "users.acl"));
        await admin.AssertErr("ERR Error loading ACLs, opening file 'users.acl': No such file or directory", "ACL", "LOAD");
        AssertStrings(await admin.CallAsync("ACL", "USERS"), "alice", "default");
    }

    [Fact]
    public async Task Load_EmptyFile_LeavesStockDefault()
    {
        await using var s = await StartAsync(DefaultAcl + "user alice on nopass\n");
        await using var c = await s.ConnectAsync();
        await File.WriteAllTextAsync(Path.Combine(s.Directory, "users.acl"), "", Ct);
        await c.AssertOk("ACL", "LOAD");
        AssertStrings(await c.CallAsync("ACL", "LIST"), "user default on nopass sanitize-payload ~* &* +@all");
    }

    [Fact]
    public async Task Log_CommandKeyChannelAuthEntries_ExactFields()
    {
        await using var s = await StartAsync(DefaultAcl + "user alice on >pw ~cached:* &news +get +publish\n");
        await using var admin = await s.ConnectAsync();
        await using var alice = await s.ConnectAsAsync("alice", "pw");
        await alice.AssertErr("NOPERM User alice has no permissions to run the 'client|setname' command", "CLIENT", "SETNAME", "x");
        await alice.AssertErr(NoPermKey, "GET", "secret");
        await alice.AssertErr(NoPermChannel, "PUBLISH", "sports", "m");
        await alice.AssertErr(WrongPass, "AuTh", "alice", "wrong");

        var log = await admin.CallAsync("ACL", "LOG");
        Assert.Equal(4, log.Items.Count);
        var auth = Fields(log.Items[0]);
        var channel = Fields(log.Items[1]);
        var key = Fields(log.Items[2]);
        var command = Fields(log.Items[3]);
        Assert.Equal(
            ["count", "reason", "context", "object", "username", "age-seconds", "client-info", "entry-id", "timestamp-created", "timestamp-last-updated"],
            log.Items[0].Items.Where((_, i) => i % 2 == 0).Select(i => i.Text));

        AssertInteger(command["count"], 1);
        AssertBulk(command["reason"], "command");
        AssertBulk(command["context"], "toplevel");
        AssertBulk(command["object"], "client|setname");
        AssertBulk(command["username"], "alice");
        AssertInteger(command["entry-id"], 0);
        Assert.Contains("user=alice", command["client-info"].Text, StringComparison.Ordinal);
        Assert.Equal(RespReplyType.BulkString, command["age-seconds"].Type);
        Assert.True(double.TryParse(command["age-seconds"].Text, NumberStyles.Float, CultureInfo.InvariantCulture, out _));

        AssertBulk(key["reason"], "key");
        AssertBulk(key["object"], "secret");
        AssertInteger(key["entry-id"], 1);
        AssertBulk(channel["reason"], "channel");
        AssertBulk(channel["object"], "sports");
        AssertInteger(channel["entry-id"], 2);
        AssertBulk(auth["reason"], "auth");
        AssertBulk(auth["object"], "AuTh");
        AssertBulk(auth["username"], "alice");
        AssertBulk(auth["context"], "toplevel");
        AssertInteger(auth["entry-id"], 3);
        long created = auth["timestamp-created"].Integer;
        Assert.InRange(created, DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeMilliseconds());
        Assert.Equal(created, auth["timestamp-last-updated"].Integer);

        // count argument, newest first; negative → empty.
        var two = await admin.CallAsync("ACL", "LOG", "2");
        Assert.Equal(2, two.Items.Count);
        AssertBulk(Fields(two.Items[0])["reason"], "auth");
        AssertStrings(await admin.CallAsync("ACL", "LOG", "-1"));
        await admin.AssertErr("ERR value is not an integer or out of range", "ACL", "LOG", "abc");
        await admin.AssertErr("ERR unknown subcommand or wrong number of arguments for 'LOG'. Try ACL HELP.", "ACL", "LOG", "1", "2");

        // RESP3: a map per entry and a double age.
        await admin.CallAsync("HELLO", "3");
        var r3 = await admin.CallAsync("ACL", "LOG", "1");
        Assert.Equal(RespReplyType.Map, r3.Items[0].Type);
        Assert.Equal(RespReplyType.Double, Fields(r3.Items[0])["age-seconds"].Type);
    }

    [Fact]
    public async Task Log_MergesRepeatedEvents_ResetKeepsEntryIdGrowing()
    {
        await using var s = await StartAsync(DefaultAcl + "user alice on >pw +get ~k*\n");
        await using var admin = await s.ConnectAsync();
        await using var alice = await s.ConnectAsAsync("alice", "pw");
        await alice.AssertErr("NOPERM User alice has no permissions to run the 'set' command", "SET", "k", "v");
        await alice.AssertErr(NoPermKey, "GET", "x");
        await alice.AssertErr("NOPERM User alice has no permissions to run the 'set' command", "SET", "k", "v2");

        var log = await admin.CallAsync("ACL", "LOG");
        Assert.Equal(2, log.Items.Count);
        var merged = Fields(log.Items[0]);
        AssertInteger(merged["count"], 2);
        AssertBulk(merged["object"], "set");
        AssertInteger(merged["entry-id"], 0);
        Assert.True(merged["timestamp-last-updated"].Integer >= merged["timestamp-created"].Integer);

        await admin.AssertOk("ACL", "LOG", "RESET");
        AssertStrings(await admin.CallAsync("ACL", "LOG"));
        await alice.AssertErr(NoPermKey, "GET", "y");
        var after = await admin.CallAsync("ACL", "LOG");
        Assert.Single(after.Items);
        AssertInteger(Fields(after.Items[0])["entry-id"], 2);
    }

    [Fact]
    public async Task Log_AclLogMaxLen_TrimsAtNextEvent_ZeroRecordsNothing()
    {
        await using var s = await StartAsync(DefaultAcl + "user alice on >pw +get\n");
        await using var admin = await s.ConnectAsync();
        await using var alice = await s.ConnectAsAsync("alice", "pw");
        for (int i = 0; i < 4; i++)
        {
            await alice.AssertErr(NoPermKey, "GET", "key" + i.ToString(CultureInfo.InvariantCulture));
        }

        AssertStrings(await admin.CallAsync("CONFIG", "GET", "acllog-max-len"), "acllog-max-len", "128");
        await admin.AssertOk("CONFIG", "SET", "acllog-max-len", "2");
        AssertStrings(await admin.CallAsync("CONFIG", "GET", "acllog-max-len"), "acllog-max-len", "2");
        Assert.Equal(4, (await admin.CallAsync("ACL", "LOG")).Items.Count);
        await alice.AssertErr(NoPermKey, "GET", "key4");
        var log = await admin.CallAsync("ACL", "LOG");
        Assert.Equal(2, log.Items.Count);
        AssertBulk(Fields(log.Items[0])["object"], "key4");
        AssertBulk(Fields(log.Items[1])["object"], "key3");

        await admin.AssertOk("CONFIG", "SET", "acllog-max-len", "0");
        await alice.AssertErr(NoPermKey, "GET", "key5");
        AssertStrings(await admin.CallAsync("ACL", "LOG"));
        var info = (await admin.CallAsync("INFO", "stats")).GetString();
        Assert.Equal(6, Info(info, "acl_access_denied_key"));
    }
}
