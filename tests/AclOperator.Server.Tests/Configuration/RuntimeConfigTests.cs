using AclOperator.Server.Configuration;
using Xunit;

namespace AclOperator.Server.Tests.Configuration;

public sealed class RuntimeConfigTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("aclop-rt-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private RuntimeConfig Runtime(string text = "", string? file = null) =>
        new(ConfigFileParser.Parse(text, file, _dir).Config!);

    [Fact]
    public void Get_renders_like_redis()
    {
        var rt = Runtime("maxmemory 100mb\nsave \"\"\nunixsocketperm 700");
        var got = rt.Get(["maxmemory", "save", "bind", "client-output-buffer-limit", "protected-mode", "unixsocketperm", "replicaof", "requirepass"]);
        Assert.Equal(
        [
            ("maxmemory", "104857600"), ("save", ""), ("bind", "* -::*"),
            ("client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"),
            ("protected-mode", "yes"), ("unixsocketperm", "700"), ("replicaof", ""), ("requirepass", ""),
        ], got);
    }

    [Fact]
    public void Get_globs_nocase_once_per_name_and_lists_aliases()
    {
        var rt = Runtime();
        var got = rt.Get(["MAXMEM*", "maxmemory", "max*"]);
        Assert.Equal(["maxmemory", "maxmemory-policy", "maxclients"], got.Select(p => p.Name));

        Assert.Equal(["slaveof"], rt.Get(["SLAVEOF"]).Select(p => p.Name).Select(n => n.ToLowerInvariant()));
        Assert.Equal("SLAVEOF", rt.Get(["SLAVEOF"])[0].Name);
        Assert.Equal(["replicaof", "slaveof"], rt.Get(["*of"]).Select(p => p.Name));
        Assert.Empty(rt.Get(["nosuch"]));
        Assert.Equal(["acl-pubsub-default", "acllog-max-len", "aclfile"], rt.Get(["acl*"]).Select(p => p.Name).Order(StringComparer.Ordinal).ToArray()
            .OrderBy(n => n == "aclfile" ? 2 : n == "acllog-max-len" ? 1 : 0));
        Assert.Equal(rt.Get(["*"]).Count, rt.Get(["*"]).Select(p => p.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Fact]
    public void Set_multiple_pairs_and_notifies()
    {
        var rt = Runtime();
        ConfigChangedEventArgs? seen = null;
        rt.Changed += (_, e) => seen = e;
        Assert.Null(rt.Set([("requirepass", "s3cret"), ("acl-pubsub-default", "ALLCHANNELS"), ("acllog-max-len", "5"), ("timeout", "0")]));
        Assert.Equal("s3cret", rt.Current.RequirePass);
        Assert.True(rt.Current.AclPubsubDefaultAllChannels);
        Assert.Equal(5, rt.Current.AclLogMaxLen);
        Assert.Equal(["requirepass", "acl-pubsub-default", "acllog-max-len"], seen!.Changed);
        Assert.Equal(128, seen.Previous.AclLogMaxLen);
        Assert.Equal("allchannels", rt.Get(["acl-pubsub-default"])[0].Value);
    }

    [Fact]
    public void Set_errors_are_redis_exact_and_atomic()
    {
        var rt = Runtime();
        var before = rt.Current;
        Assert.Equal("ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'", rt.Set([("timeout", "5"), ("nosuch", "1")]));
        Assert.Equal("ERR CONFIG SET failed (possibly related to argument 'aclfile') - can't set immutable config", rt.Set([("aclfile", "/x")]));
        Assert.Equal("ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config", rt.Set([("dir", "/tmp")]));
        Assert.Equal("ERR CONFIG SET failed (possibly related to argument 'TIMEOUT') - duplicate parameter", rt.Set([("timeout", "1"), ("TIMEOUT", "2")]));
        Assert.Equal("ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and 4294967295 inclusive",
            rt.Set([("timeout", "9"), ("MAXCLIENTS", "0")]));
        Assert.Equal("ERR CONFIG SET failed (possibly related to argument 'loglevel') - argument(s) must be one of the following: debug, verbose, notice, warning, nothing",
            rt.Set([("loglevel", "loud")]));
        // The first error wins: an immutable config before an unknown one.
        Assert.Equal("ERR CONFIG SET failed (possibly related to argument 'port') - can't set immutable config", rt.Set([("port", "1"), ("nosuch", "1")]));
        Assert.Same(before, rt.Current);
        Assert.Equal(0, rt.Current.Timeout);
    }

    [Fact]
    public void Set_multi_argument_values_split_on_spaces()
    {
        var rt = Runtime();
        Assert.Null(rt.Set([("client-output-buffer-limit", "pubsub 1mb 1mb 0"), ("save", "")]));
        Assert.Equal("normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 1048576 0", rt.Get(["client-output-buffer-limit"])[0].Value);
        Assert.Equal("ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters", rt.Set([("save", "10  1")]));
        Assert.Equal("ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - only maxmemory-policy noeviction is supported by aclop-server: data is never evicted silently",
            rt.Set([("maxmemory-policy", "allkeys-lru")]));
    }

    [Fact]
    public void Rewrite_without_file_fails()
    {
        Assert.Equal("ERR The server is running without a config file", Runtime().Rewrite());
    }

    [Fact]
    public void Rewrite_keeps_comments_replaces_directives_and_writes_users()
    {
        string file = Path.Combine(_dir, "redis.conf");
        string text = "# my config\nport 7000\nalways-show-logo yes\nuser alice on >pw +get\ntimeout 5\ntimeout 6\n";
        File.WriteAllText(file, text);
        var rt = Runtime(text, file);
        rt.UserLinesProvider = () => ["user alice on nopass ~* +get", "user default on nopass ~* &* +@all"];
        Assert.Null(rt.Set([("timeout", "9"), ("maxclients", "77")]));
        Assert.Null(rt.Rewrite());
        Assert.Equal(
            "# my config\nport 7000\nalways-show-logo yes\nuser alice on nopass ~* +get\nuser default on nopass ~* &* +@all\ntimeout 9\n" +
            $"# Generated by CONFIG REWRITE\ndir \"{_dir}\"\nmaxclients 77\n",
            File.ReadAllText(file));

        // The rewritten file loads back to the same values.
        var again = ConfigFileParser.Parse(File.ReadAllText(file), file, _dir).Config!;
        Assert.Equal(9, again.Timeout);
        Assert.Equal(77, again.MaxClients);
    }

    [Fact]
    public void Rewrite_drops_user_lines_with_an_aclfile()
    {
        string file = Path.Combine(_dir, "redis.conf");
        File.WriteAllText(file, "aclfile users.acl\n");
        var rt = Runtime("aclfile users.acl\n", file);
        rt.UserLinesProvider = () => ["user alice on"];
        Assert.Null(rt.Rewrite());
        // Like Redis, dir is always written (as an absolute path).
        Assert.Equal($"aclfile \"users.acl\"\n# Generated by CONFIG REWRITE\ndir \"{_dir}\"\n", File.ReadAllText(file));
    }
}
