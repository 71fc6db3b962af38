using System.Security.Cryptography;
using System.Text;
using AclOperator.Acl.Tests.Infrastructure;
using Xunit;
using static AclOperator.Server.Tests.EndToEnd.E2E;

namespace AclOperator.Server.Tests.EndToEnd;

/// <summary>NOPERM for commands, keys and channels; selectors; %R/%W; first-args; the ACL tutorial's sessions.</summary>
public sealed class PermissionEndToEndTests(SharedServerFixture shared) : IClassFixture<SharedServerFixture>
{
    private static string NoPermCmd(string user, string cmd) => $"NOPERM User {user} has no permissions to run the '{cmd}' command";

    private async Task<(RespClient Admin, RespClient User, string Name)> UserAsync(string prefix, params string[] rules)
    {
        var name = UniqueName(prefix);
        var admin = await shared.ConnectAsync();
        await admin.AssertOk(["ACL", "SETUSER", name, "on", ">pw", .. rules]);
        var user = await shared.ConnectAsAsync(name, "pw");
        return (admin, user, name);
    }

    [Fact]
    public async Task Tutorial_Alice_CachedKeysAndGetOnly()
    {
        var (admin, alice, name) = await UserAsync("alice", "~cached:*", "+get");
        await using var _ = admin;
        await using var __ = alice;
        await alice.AssertErr(NoPermKey, "GET", "foo");
        Assert.True((await alice.CallAsync("GET", "cached:1234")).IsNull);
        await alice.AssertErr(NoPermCmd(name, "set"), "SET", "cached:1234", "zap");

        await admin.AssertOk("ACL", "SETUSER", name, "~objects:*", "~items:*", "~public:*");
        var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("pw")));
        Assert.Contains(
            $"user {name} on sanitize-payload #{sha} ~cached:* ~objects:* ~items:* ~public:* resetchannels -@all +get",
            (await admin.CallAsync("ACL", "LIST")).GetStrings());
        Assert.True((await alice.CallAsync("GET", "objects:1")).IsNull);
    }

    [Fact]
    public async Task Tutorial_AllMinusDangerous()
    {
        var (admin, antirez, name) = await UserAsync("antirez", "+@all", "-@dangerous", "~*");
        await using var _ = admin;
        await using var __ = antirez;
        await antirez.AssertOk("SET", "t:1", "v");
        AssertBulk(await antirez.CallAsync("GET", "t:1"), "v");
        await antirez.AssertErr(NoPermCmd(name, "flushall"), "FLUSHALL");
        await antirez.AssertErr(NoPermCmd(name, "keys"), "KEYS", "*");
        await antirez.AssertErr(NoPermCmd(name, "config|set"), "CONFIG", "SET", "acllog-max-len", "5");
        await antirez.AssertErr(NoPermCmd(name, "acl|list"), "ACL", "LIST");
        AssertBulk(await antirez.CallAsync("ACL", "WHOAMI"), name);
    }

    [Fact]
    public async Task Tutorial_Subcommands_ClientSetNameGetNameOnly()
    {
        var (admin, u, name) = await UserAsync("myuser", "+@all", "-client", "+client|setname", "+client|getname");
        await using var _ = admin;
        await using var __ = u;
        await u.AssertOk("CLIENT", "SETNAME", "n1");
        AssertBulk(await u.CallAsync("CLIENT", "GETNAME"), "n1");
        await u.AssertErr(NoPermCmd(name, "client|kill"), "CLIENT", "KILL", "ID", "12345");
        await u.AssertErr(NoPermCmd(name, "client|id"), "CLIENT", "ID");

        // +config then -config|set
        await admin.AssertOk("ACL", "SETUSER", name, "-config", "+config|get");
        Assert.Equal(RespReplyType.Array, (await u.CallAsync("CONFIG", "GET", "maxclients")).Type);
        await u.AssertErr(NoPermCmd(name, "config|set"), "CONFIG", "SET", "maxclients", "10");
    }

    [Fact]
    public async Task Selectors_OredWithRoot_KeyErrorWins()
    {
        // ACL docs: virginia can GET any key and SET only key2 (selector).
        var (admin, v, name) = await UserAsync("virginia", "+get", "allkeys", "(+set ~key2)");
        await using var _ = admin;
        await using var __ = v;
        Assert.True((await v.CallAsync("GET", "key1")).IsNull);
        await v.AssertOk("SET", "key2", "x");
        AssertBulk(await v.CallAsync("GET", "key2"), "x");
        await v.AssertErr(NoPermKey, "SET", "key1", "x");
        await v.AssertErr(NoPermCmd(name, "del"), "DEL", "key2");
        var getuser = Fields(await admin.CallAsync("ACL", "GETUSER", name));
        AssertBulk(getuser["commands"], "-@all +get");
        AssertBulk(getuser["keys"], "~*");
        var sel = Fields(getuser["selectors"].Items[0]);
        AssertBulk(sel["commands"], "-@all +set");
        AssertBulk(sel["keys"], "~key2");
        AssertBulk(sel["channels"], "");
    }

    [Fact]
    public async Task ReadWritePatterns_PercentRandW()
    {
        var (admin, u, name) = await UserAsync("rw", "+@all", "%R~ro:*", "%W~wo:*", "~rw:*");
        await using var _ = admin;
        await using var __ = u;
        await admin.AssertOk("SET", "ro:1", "r");
        AssertBulk(await u.CallAsync("GET", "ro:1"), "r");
        await u.AssertErr(NoPermKey, "SET", "ro:1", "x");
        await u.AssertOk("SET", "wo:1", "w");
        await u.AssertErr(NoPermKey, "GET", "wo:1");
        await u.AssertErr(NoPermKey, "APPEND", "ro:1", "x");
        AssertInteger(await u.CallAsync("APPEND", "wo:1", "x"), 2);

        // SET ... GET needs RW; plain SET needs W only.
        await u.AssertErr(NoPermKey, "SET", "wo:1", "y", "GET");
        await u.AssertErr(NoPermKey, "SET", "wo:1", "y", "get");
        await u.AssertOk("SET", "rw:1", "a");
        AssertBulk(await u.CallAsync("SET", "rw:1", "b", "GET"), "a");

        // Keys without access flags need only a matching pattern: EXISTS on a write-only key.
        AssertInteger(await u.CallAsync("EXISTS", "wo:1"), 1);
        await u.AssertErr(NoPermKey, "EXISTS", "other");

        // SUNIONSTORE: destination W, sources R.
        await admin.CallAsync("SADD", "ro:set", "m");
        AssertInteger(await u.CallAsync("SUNIONSTORE", "wo:set", "ro:set"), 1);
        await u.AssertErr(NoPermKey, "SUNIONSTORE", "ro:set2", "ro:set");
        await u.AssertErr(NoPermKey, "SUNIONSTORE", "wo:set", "wo:set");

        // Multi-key: the first failing key decides, with no user or key in the text.
        await u.AssertErr(NoPermKey, "MSET", "wo:3", "a", "ro:3", "b");
        Assert.Contains($"user {name} on sanitize-payload #", (await admin.CallAsync("ACL", "LIST")).GetStrings().Single(l => l.StartsWith($"user {name} ", StringComparison.Ordinal)));
        AssertBulk(await admin.CallAsync("ACL", "DRYRUN", name, "MSET", "wo:3", "a", "ro:3", "b"), $"User {name} has no permissions to access the 'ro:3' key");
    }

    [Fact]
    public async Task FirstArgRules_SelectAndGet()
    {
        var (admin, u, name) = await UserAsync("fa", "~*", "+select|0", "+get|key1");
        await using var _ = admin;
        await using var __ = u;
        await u.AssertOk("SELECT", "0");
        await u.AssertErr(NoPermCmd(name, "select"), "SELECT", "1");
        Assert.True((await u.CallAsync("GET", "key1")).IsNull);
        Assert.True((await u.CallAsync("GET", "KEY1")).IsNull, "first-arg matching is case-insensitive");
        await u.AssertErr(NoPermCmd(name, "get"), "GET", "key2");
        Assert.Contains(
            "-@all +select|0 +get|key1",
            (await admin.CallAsync("ACL", "LIST")).GetStrings().Single(l => l.StartsWith($"user {name} ", StringComparison.Ordinal)),
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Channels_PublishGlob_NoPermText()
    {
        var (admin, u, name) = await UserAsync("ch", "+publish", "&news.*");
        await using var _ = admin;
        await using var __ = u;
        AssertInteger(await u.CallAsync("PUBLISH", "news.tech", "m"), 0);
        await u.AssertErr(NoPermChannel, "PUBLISH", "sports", "m");
        AssertBulk(await admin.CallAsync("ACL", "DRYRUN", name, "PUBLISH", "sports", "m"), $"User {name} has no permissions to access the 'sports' channel");
    }

    [Fact]
    public async Task AclChange_SeenByNextCommandOfLiveConnection()
    {
        // E5: A runs GET; B removes get from A's user; A's next GET gets NOPERM.
        var (admin, u, name) = await UserAsync("live", "~*", "+get");
        await using var _ = admin;
        await using var __ = u;
        Assert.True((await u.CallAsync("GET", "x")).IsNull);
        await admin.AssertOk("ACL", "SETUSER", name, "-get");
        var replies = await u.PipelineAsync([["GET", "x"], ["GET", "y"]], Ct);
        AssertError(replies[0], NoPermCmd(name, "get"));
        AssertError(replies[1], NoPermCmd(name, "get"));
        await admin.AssertOk("ACL", "SETUSER", name, "+get");
        Assert.True((await u.CallAsync("GET", "x")).IsNull);
    }

    [Fact]
    public async Task UnknownCommand_AndUnknownSubcommand_BeforeAcl()
    {
        var (admin, u, _) = await UserAsync("unk", "-@all");
        await using var a = admin;
        await using var b = u;
        await u.AssertErr("ERR unknown command 'REGISTERCS', with args beginning with: ", "REGISTERCS");
        await u.AssertErr("ERR unknown subcommand 'nosuch'. Try CONFIG HELP.", "CONFIG", "nosuch");
        await u.AssertErr("ERR wrong number of arguments for 'config' command", "CONFIG");
    }
}
