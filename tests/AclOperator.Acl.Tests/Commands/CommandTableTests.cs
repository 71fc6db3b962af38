using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using AclOperator.Acl.Commands;
using Xunit;

namespace AclOperator.Acl.Tests.Commands;

public sealed class CommandTableTests
{
    private static readonly CommandTable Table = CommandTable.Redis74;

    /// <summary>Appendix A of docs/spec (redis-acl-semantics.md): <c>ACL CAT &lt;cat&gt;</c> on a live 7.4.1 server.</summary>
    private static readonly Dictionary<string, (int Count, string Names)> AppendixA = new()
    {
        ["keyspace"] = (34, """
            copy dbsize del dump exists expire expireat expiretime flushall flushdb keys migrate move object|encoding
            object|freq object|help object|idletime object|refcount persist pexpire pexpireat pexpiretime pttl
            randomkey rename renamenx restore restore-asking scan swapdb touch ttl type unlink
            """),
        ["read"] = (91, """
            bitcount bitfield_ro bitpos dbsize dump exists expiretime geodist geohash geopos georadius_ro
            georadiusbymember_ro geosearch get getbit getrange hexists hexpiretime hget hgetall hkeys hlen hmget
            hpexpiretime hpttl hrandfield hscan hstrlen httl hvals keys lcs lindex llen lolwut lpos lrange
            memory|usage mget object|encoding object|freq object|idletime object|refcount pexpiretime pfcount pttl
            randomkey scan scard sdiff sinter sintercard sismember smembers smismember sort_ro srandmember sscan
            strlen substr sunion touch ttl type xinfo|consumers xinfo|groups xinfo|stream xlen xpending xrange xread
            xrevrange zcard zcount zdiff zinter zintercard zlexcount zmscore zrandmember zrange zrangebylex
            zrangebyscore zrank zrevrange zrevrangebylex zrevrangebyscore zrevrank zscan zscore zunion
            """),
        ["write"] = (113, """
            append bitfield bitop blmove blmpop blpop brpop brpoplpush bzmpop bzpopmax bzpopmin copy decr decrby del
            expire expireat flushall flushdb function|delete function|flush function|load function|restore geoadd
            georadius georadiusbymember geosearchstore getdel getex getset hdel hexpire hexpireat hincrby
            hincrbyfloat hmset hpersist hpexpire hpexpireat hset hsetnx incr incrby incrbyfloat linsert lmove lmpop
            lpop lpush lpushx lrem lset ltrim migrate move mset msetnx persist pexpire pexpireat pfadd pfdebug
            pfmerge psetex rename renamenx restore restore-asking rpop rpoplpush rpush rpushx sadd sdiffstore set
            setbit setex setnx setrange sinterstore smove sort spop srem sunionstore swapdb unlink xack xadd
            xautoclaim xclaim xdel xgroup|create xgroup|createconsumer xgroup|delconsumer xgroup|destroy xgroup|setid
            xreadgroup xsetid xtrim zadd zdiffstore zincrby zinterstore zmpop zpopmax zpopmin zrangestore zrem
            zremrangebylex zremrangebyrank zremrangebyscore zunionstore
            """),
        ["set"] = (19, """
            sadd scard sdiff sdiffstore sinter sintercard sinterstore sismember smembers smismember smove sort
            sort_ro spop srandmember srem sscan sunion sunionstore
            """),
        ["sortedset"] = (37, """
            bzmpop bzpopmax bzpopmin sort sort_ro zadd zcard zcount zdiff zdiffstore zincrby zinter zintercard
            zinterstore zlexcount zmpop zmscore zpopmax zpopmin zrandmember zrange zrangebylex zrangebyscore
            zrangestore zrank zrem zremrangebylex zremrangebyrank zremrangebyscore zrevrange zrevrangebylex
            zrevrangebyscore zrevrank zscan zscore zunion zunionstore
            """),
        ["list"] = (24, """
            blmove blmpop blpop brpop brpoplpush lindex linsert llen lmove lmpop lpop lpos lpush lpushx lrange lrem
            lset ltrim rpop rpoplpush rpush rpushx sort sort_ro
            """),
        ["hash"] = (25, """
            hdel hexists hexpire hexpireat hexpiretime hget hgetall hincrby hincrbyfloat hkeys hlen hmget hmset
            hpersist hpexpire hpexpireat hpexpiretime hpttl hrandfield hscan hset hsetnx hstrlen httl hvals
            """),
        ["string"] = (22, """
            append decr decrby get getdel getex getrange getset incr incrby incrbyfloat lcs mget mset msetnx psetex
            set setex setnx setrange strlen substr
            """),
        ["bitmap"] = (7, """
            bitcount bitfield bitfield_ro bitop bitpos getbit setbit
            """),
        ["hyperloglog"] = (5, """
            pfadd pfcount pfdebug pfmerge pfselftest
            """),
        ["geo"] = (10, """
            geoadd geodist geohash geopos georadius georadius_ro georadiusbymember georadiusbymember_ro geosearch
            geosearchstore
            """),
        ["stream"] = (23, """
            xack xadd xautoclaim xclaim xdel xgroup|create xgroup|createconsumer xgroup|delconsumer xgroup|destroy
            xgroup|help xgroup|setid xinfo|consumers xinfo|groups xinfo|help xinfo|stream xlen xpending xrange xread
            xreadgroup xrevrange xsetid xtrim
            """),
        ["pubsub"] = (13, """
            psubscribe publish pubsub|channels pubsub|numpat pubsub|numsub pubsub|shardchannels pubsub|shardnumsub
            punsubscribe spublish ssubscribe subscribe sunsubscribe unsubscribe
            """),
        ["admin"] = (65, """
            acl|deluser acl|dryrun acl|getuser acl|list acl|load acl|log acl|save acl|setuser acl|users bgrewriteaof
            bgsave client|kill client|list client|no-evict client|pause client|unblock client|unpause
            cluster|addslots cluster|addslotsrange cluster|bumpepoch cluster|count-failure-reports cluster|delslots
            cluster|delslotsrange cluster|failover cluster|flushslots cluster|forget cluster|meet cluster|replicas
            cluster|replicate cluster|reset cluster|saveconfig cluster|set-config-epoch cluster|setslot
            cluster|slaves config|get config|resetstat config|rewrite config|set debug failover lastsave
            latency|doctor latency|graph latency|histogram latency|history latency|latest latency|reset module|list
            module|load module|loadex module|unload monitor pfdebug pfselftest psync replconf replicaof role save
            shutdown slaveof slowlog|get slowlog|len slowlog|reset sync
            """),
        ["fast"] = (108, """
            append asking auth bitfield_ro bzpopmax bzpopmin dbsize decr decrby discard echo exists expire expireat
            expiretime get getbit getdel getex getset hdel hello hexists hexpire hexpireat hexpiretime hget hincrby
            hincrbyfloat hlen hmget hmset hpersist hpexpire hpexpireat hpexpiretime hpttl hset hsetnx hstrlen httl
            incr incrby incrbyfloat lastsave llen lolwut lpop lpush lpushx mget move multi persist pexpire pexpireat
            pexpiretime pfadd ping pttl publish quit readonly readwrite renamenx reset role rpop rpush rpushx sadd
            scard select setnx sismember smismember smove spop spublish srem strlen swapdb time touch ttl type unlink
            unwatch watch xack xadd xautoclaim xclaim xdel xlen xsetid zadd zcard zcount zincrby zlexcount zmscore
            zpopmax zpopmin zrank zrem zrevrank zscore
            """),
        ["blocking"] = (12, """
            blmove blmpop blpop brpop brpoplpush bzmpop bzpopmax bzpopmin wait waitaof xread xreadgroup
            """),
        ["dangerous"] = (75, """
            acl|deluser acl|dryrun acl|getuser acl|list acl|load acl|log acl|save acl|setuser acl|users bgrewriteaof
            bgsave client|kill client|list client|no-evict client|pause client|unblock client|unpause
            cluster|addslots cluster|addslotsrange cluster|bumpepoch cluster|count-failure-reports cluster|delslots
            cluster|delslotsrange cluster|failover cluster|flushslots cluster|forget cluster|meet cluster|replicas
            cluster|replicate cluster|reset cluster|saveconfig cluster|set-config-epoch cluster|setslot
            cluster|slaves config|get config|resetstat config|rewrite config|set debug failover flushall flushdb info
            keys lastsave latency|doctor latency|graph latency|histogram latency|history latency|latest latency|reset
            migrate module|list module|load module|loadex module|unload monitor pfdebug pfselftest psync replconf
            replicaof restore restore-asking role save shutdown slaveof slowlog|get slowlog|len slowlog|reset sort
            sort_ro swapdb sync
            """),
        ["connection"] = (38, """
            asking auth client|caching client|getname client|getredir client|help client|id client|info client|kill
            client|list client|no-evict client|no-touch client|pause client|reply client|setinfo client|setname
            client|tracking client|trackinginfo client|unblock client|unpause command command|count command|docs
            command|getkeys command|getkeysandflags command|help command|info command|list echo hello ping quit
            readonly readwrite reset select wait waitaof
            """),
        ["transaction"] = (5, """
            discard exec multi unwatch watch
            """),
        ["scripting"] = (21, """
            eval eval_ro evalsha evalsha_ro fcall fcall_ro function|delete function|dump function|flush function|help
            function|kill function|list function|load function|restore function|stats script|debug script|exists
            script|flush script|help script|kill script|load
            """),
    };

    private static readonly string[] ContainerParents =
    [
        "acl", "client", "cluster", "command", "config", "function", "latency", "memory", "module", "object",
        "pubsub", "script", "slowlog", "xgroup", "xinfo",
    ];

    /// <summary>Commands a 7.4 server reports with the <c>movablekeys</c> flag.</summary>
    private static readonly string[] MovableKeyCommands =
    [
        "blmpop", "bzmpop", "eval", "eval_ro", "evalsha", "evalsha_ro", "fcall", "fcall_ro", "georadius",
        "georadiusbymember", "lmpop", "migrate", "sintercard", "sort", "sort_ro", "xread", "xreadgroup", "zdiff",
        "zdiffstore", "zinter", "zintercard", "zinterstore", "zmpop", "zunion", "zunionstore",
    ];

    public static TheoryData<string> AppendixACategories => [.. AppendixA.Keys];

    private static HashSet<string> Names(IEnumerable<RedisCommand> commands) =>
        commands.Select(c => c.FullName).ToHashSet(StringComparer.Ordinal);

    private static HashSet<string> Split(string names) =>
        names.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);

    [Fact]
    public void Appendix_A_lists_twenty_categories_all_but_slow()
    {
        Assert.Equal(20, AppendixA.Count);
        var expected = AclCategoryNames.All.Where(n => n != "slow").ToHashSet(StringComparer.Ordinal);
        Assert.Equal(expected, AppendixA.Keys.ToHashSet(StringComparer.Ordinal));
        foreach (var (name, (count, names)) in AppendixA)
        {
            Assert.True(Split(names).Count == count, $"spec data for @{name}: {Split(names).Count} names, header says {count}");
        }
    }

    [Theory]
    [MemberData(nameof(AppendixACategories))]
    public void Category_membership_matches_appendix_A_exactly(string category)
    {
        Assert.True(AclCategoryNames.TryParse(category, out var cat));
        var (count, names) = AppendixA[category];
        var expected = Split(names);
        var actual = Table.InCategory(cat);

        var missing = expected.Except(Names(actual)).Order(StringComparer.Ordinal);
        var extra = Names(actual).Except(expected).Order(StringComparer.Ordinal);
        Assert.True(
            expected.SetEquals(Names(actual)),
            $"@{category}: missing [{string.Join(' ', missing)}], extra [{string.Join(' ', extra)}]");
        Assert.Equal(count, actual.Count);

        // Every member really has the bit, and the list is in id order.
        Assert.All(actual, c => Assert.True((c.Categories & cat) != 0));
        Assert.Equal(actual.Select(c => c.Id).Order(), actual.Select(c => c.Id));
        Assert.Equal(Table.All.Count(c => (c.Categories & cat) != 0), actual.Count);
    }

    [Fact]
    public void Slow_is_every_name_not_in_fast_271_names()
    {
        var fast = Split(AppendixA["fast"].Names);
        var expectedSlow = Names(Table.All).Except(fast).ToHashSet(StringComparer.Ordinal);
        var slow = Table.InCategory(AclCategories.Slow);

        Assert.Equal(271, expectedSlow.Count);
        Assert.Equal(271, slow.Count);
        Assert.True(expectedSlow.SetEquals(Names(slow)));
    }

    [Fact]
    public void Every_command_is_exactly_one_of_fast_or_slow()
    {
        Assert.All(Table.All, c =>
        {
            bool fast = (c.Categories & AclCategories.Fast) != 0;
            bool slow = (c.Categories & AclCategories.Slow) != 0;
            Assert.True(fast ^ slow, $"{c.FullName}: fast={fast} slow={slow}");
        });
        Assert.Equal(108, Table.InCategory(AclCategories.Fast).Count);
        Assert.Equal(Table.Count, Table.InCategory(AclCategories.Fast).Count + Table.InCategory(AclCategories.Slow).Count);
    }

    [Fact]
    public void Counts_of_the_standalone_table()
    {
        Assert.Equal(250, Table.TopLevel.Count);
        Assert.Equal(379, Table.Count);
        Assert.Equal(379, Table.All.Count);
        Assert.Equal(129, Table.All.Count(c => c.Parent is not null));
    }

    [Fact]
    public void Sentinel_only_commands_are_not_in_the_table()
    {
        Assert.Null(Table.Find("sentinel"));
        Assert.Null(Table.FindByFullName("sentinel|masters"));
        Assert.DoesNotContain(Table.All, c => (c.Flags & CommandFlags.OnlySentinel) != 0);

        // Commands that also exist in sentinel mode are kept.
        Assert.Equal(CommandFlags.Sentinel, Table.Find("acl")!.Flags & CommandFlags.Sentinel);
    }

    [Fact]
    public void Container_parents_are_only_slow_and_command_is_also_connection()
    {
        var containers = Table.TopLevel.Where(c => c.IsContainer).Select(c => c.Name).ToArray();
        Assert.Equal(ContainerParents, containers);

        foreach (var name in ContainerParents)
        {
            var cmd = Table.Find(name)!;
            var expected = name == "command" ? AclCategories.Slow | AclCategories.Connection : AclCategories.Slow;
            Assert.True(expected == cmd.Categories, $"{name}: {cmd.Categories}");
            Assert.All(cmd.Subcommands, s => Assert.Same(cmd, s.Parent));
        }

        Assert.All(Table.All.Where(c => c.Parent is not null), s => Assert.False(s.IsContainer));
    }

    [Theory]
    [InlineData("get", 2)]
    [InlineData("set", -3)]
    [InlineData("acl", -2)]
    [InlineData("acl|getuser", 3)]
    [InlineData("config|get", -3)]
    [InlineData("config", -2)]
    [InlineData("command", -1)]
    [InlineData("auth", -2)]
    [InlineData("hello", -1)]
    [InlineData("mset", -3)]
    [InlineData("eval", -3)]
    [InlineData("client|kill", -3)]
    public void Arity(string fullName, int arity)
    {
        var cmd = Table.FindByFullName(fullName);
        Assert.NotNull(cmd);
        Assert.Equal(arity, cmd.Arity);
        Assert.Equal(fullName, cmd.FullName);
    }

    [Fact]
    public void Find_is_ascii_case_insensitive_for_chars_and_bytes()
    {
        var get = Table.Find("get");
        Assert.NotNull(get);
        Assert.Equal("get", get.Name);
        Assert.Null(get.Parent);
        Assert.Same(get, Table.Find("GET"));
        Assert.Same(get, Table.Find("gEt"));
        Assert.Same(get, Table.Find("GET"u8));
        Assert.Same(get, Table.Find("gEt"u8));
        Assert.Same(Table.Find("restore-asking"), Table.Find("RESTORE-ASKING"u8));
        Assert.Same(Table.Find("georadiusbymember_ro"), Table.Find("GeoRadiusByMember_RO"u8));
        Assert.Equal("config", Table.Find("CONFIG"u8)!.FullName);
    }

    [Fact]
    public void Find_does_not_allocate()
    {
        ReadOnlySpan<byte> get = "GeT"u8;
        ReadOnlySpan<byte> missing = "NOSUCH"u8;
        _ = Table.Find(get);
        _ = Table.Find(missing);
        _ = Table.Find("Config".AsSpan());
        _ = Table.FindByFullName("CONFIG|GET".AsSpan());

        long before = GC.GetAllocatedBytesForCurrentThread();
        int found = 0;
        for (int i = 0; i < 1000; i++)
        {
            found += Table.Find(get) is null ? 0 : 1;
            found += Table.Find(missing) is null ? 0 : 1;
            found += Table.Find("Config".AsSpan()) is null ? 0 : 1;
            found += Table.FindByFullName("CONFIG|GET".AsSpan()) is null ? 0 : 1;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(3000, found);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Find_returns_null_for_unknown_or_malformed_names()
    {
        Assert.Null(Table.Find("nosuchcommand"));
        Assert.Null(Table.Find("nosuchcommand"u8));
        Assert.Null(Table.Find(""));
        Assert.Null(Table.Find(ReadOnlySpan<byte>.Empty));
        Assert.Null(Table.Find("ge"));
        Assert.Null(Table.Find("get "));
        Assert.Null(Table.Find("config|get"));
        Assert.Null(Table.Find("config|get"u8));
        Assert.Null(Table.Find(new string('a', 200)));
        Assert.Null(Table.Find(Encoding.ASCII.GetBytes(new string('g', 200))));

        // Only ASCII folds: U+017F (long s) upper-cases to 'S' in Unicode, but Redis uses strcasecmp.
        Assert.Null(Table.Find("\u017Fet"));
        Assert.Null(Table.Find("\u017Fet"u8));
        Assert.Null(Table.Find((ReadOnlySpan<byte>)[0xC5, 0xBF, (byte)'e', (byte)'t']));
        Assert.Null(Table.Find((ReadOnlySpan<byte>)[(byte)'g', (byte)'e', (byte)'t', 0]));
    }

    [Fact]
    public void FindByFullName_resolves_commands_and_subcommands()
    {
        var configGet = Table.FindByFullName("CONFIG|GET");
        Assert.NotNull(configGet);
        Assert.Equal("config|get", configGet.FullName);
        Assert.Equal("get", configGet.Name);
        Assert.Same(Table.Find("config"), configGet.Parent);
        Assert.Same(configGet, Table.FindByFullName("config|get"));
        Assert.Same(configGet, Table.Find("config")!.FindSubcommand("Get"u8));
        Assert.Same(Table.Find("get"), Table.FindByFullName("GET"));
        Assert.Same(Table.Find("config"), Table.FindByFullName("config"));
        Assert.Equal("cluster|count-failure-reports", Table.FindByFullName("Cluster|Count-Failure-Reports")!.FullName);

        Assert.Null(Table.FindByFullName("config|nosuch"));
        Assert.Null(Table.FindByFullName("nosuch|get"));
        Assert.Null(Table.FindByFullName("get|x"));
        Assert.Null(Table.FindByFullName("config|"));
        Assert.Null(Table.FindByFullName("|get"));
        Assert.Null(Table.FindByFullName("config|get|x"));
        Assert.Null(Table.FindByFullName("config|\u017Fet"));
        Assert.Null(Table.FindByFullName(""));
    }

    [Fact]
    public void Ids_are_dense_and_ordered_by_name_with_subcommands_after_their_parent()
    {
        for (int i = 0; i < Table.Count; i++)
        {
            Assert.Equal(i, Table.All[i].Id);
        }

        var expectedOrder = new List<string>();
        foreach (var top in Table.TopLevel.OrderBy(c => c.Name, StringComparer.Ordinal))
        {
            expectedOrder.Add(top.FullName);
            expectedOrder.AddRange(top.Subcommands.Select(s => s.FullName).Order(StringComparer.Ordinal));
        }

        Assert.Equal(expectedOrder, Table.All.Select(c => c.FullName));
        Assert.Equal(Table.TopLevel.Select(c => c.Name).Order(StringComparer.Ordinal), Table.TopLevel.Select(c => c.Name));
        Assert.Equal(Table.Count, Table.All.Select(c => c.FullName).Distinct(StringComparer.Ordinal).Count());

        Assert.Equal("acl", Table.All[0].FullName);
        Assert.Equal("acl|cat", Table.All[1].FullName);
    }

    [Fact]
    public void Sort_key_specs_include_the_unknown_by_get_and_store_specs()
    {
        var specs = Table.Find("sort")!.KeySpecs;
        Assert.Equal(3, specs.Length);
        Assert.Equal(
            new KeySpec(KeySpecFlags.RO | KeySpecFlags.Access, BeginSearchKind.Index, 1, null, 0, FindKeysKind.Range, 0, 1, 0, 0, 0),
            specs[0]);
        Assert.Equal(
            new KeySpec(KeySpecFlags.RO | KeySpecFlags.Access, BeginSearchKind.Unknown, 0, null, 0, FindKeysKind.Unknown, 0, 0, 0, 0, 0),
            specs[1]);
        Assert.Equal(
            new KeySpec(KeySpecFlags.OW | KeySpecFlags.Update, BeginSearchKind.Unknown, 0, null, 0, FindKeysKind.Unknown, 0, 0, 0, 0, 0),
            specs[2]);
        Assert.Equal("sortGetKeys", Table.Find("sort")!.GetKeysFunction);
    }

    [Fact]
    public void Xread_key_spec_searches_for_the_streams_keyword()
    {
        var spec = Assert.Single(Table.Find("xread")!.KeySpecs);
        Assert.Equal(
            new KeySpec(KeySpecFlags.RO | KeySpecFlags.Access, BeginSearchKind.Keyword, 0, "STREAMS", 1, FindKeysKind.Range, -1, 1, 2, 0, 0),
            spec);
    }

    [Fact]
    public void Eval_key_spec_uses_numkeys()
    {
        var spec = Assert.Single(Table.Find("eval")!.KeySpecs);
        Assert.Equal(
            new KeySpec(KeySpecFlags.RW | KeySpecFlags.Access | KeySpecFlags.Update, BeginSearchKind.Index, 2, null, 0, FindKeysKind.Keynum, 0, 1, 0, 0, 1),
            spec);
    }

    [Fact]
    public void Simple_key_specs()
    {
        Assert.Equal(
            new KeySpec(KeySpecFlags.RO | KeySpecFlags.Access, BeginSearchKind.Index, 1, null, 0, FindKeysKind.Range, 0, 1, 0, 0, 0),
            Assert.Single(Table.Find("get")!.KeySpecs));
        Assert.Equal(
            new KeySpec(KeySpecFlags.OW | KeySpecFlags.Update, BeginSearchKind.Index, 1, null, 0, FindKeysKind.Range, -1, 2, 0, 0, 0),
            Assert.Single(Table.Find("mset")!.KeySpecs));
        Assert.Equal(
            new KeySpec(KeySpecFlags.RW | KeySpecFlags.Access | KeySpecFlags.Update | KeySpecFlags.VariableFlags, BeginSearchKind.Index, 1, null, 0, FindKeysKind.Range, 0, 1, 0, 0, 0),
            Assert.Single(Table.Find("set")!.KeySpecs));
        Assert.Equal(
            [KeySpecFlags.RO | KeySpecFlags.Access, KeySpecFlags.OW | KeySpecFlags.Update],
            Table.Find("copy")!.KeySpecs.Select(s => s.Flags));
        Assert.Empty(Table.Find("ping")!.KeySpecs);
        Assert.Empty(Table.Find("config")!.KeySpecs);
    }

    [Fact]
    public void MovableKeys_is_set_exactly_as_redis_populateCommandLegacyRangeSpec_does()
    {
        foreach (var name in new[] { "eval", "sort", "xread", "zunionstore", "migrate" })
        {
            Assert.True((Table.Find(name)!.Flags & CommandFlags.MovableKeys) != 0, name);
        }

        foreach (var name in new[] { "get", "mset", "set", "copy", "rename", "smove", "del", "ping", "config" })
        {
            Assert.True((Table.Find(name)!.Flags & CommandFlags.MovableKeys) == 0, name);
        }

        var movable = Table.All.Where(c => (c.Flags & CommandFlags.MovableKeys) != 0).Select(c => c.FullName);
        Assert.Equal(MovableKeyCommands, movable);
    }

    [Fact]
    public void MovableKeys_rule_edge_cases()
    {
        static KeySpec Range(int pos, int last, int step, KeySpecFlags flags = KeySpecFlags.RO) =>
            new(flags, BeginSearchKind.Index, pos, null, 0, FindKeysKind.Range, last, step, 0, 0, 0);

        Assert.False(CommandTableLoader.HasMovableKeys([]));
        Assert.False(CommandTableLoader.HasMovableKeys([Range(1, -1, 2)]));       // one range spec: step is fine
        Assert.True(CommandTableLoader.HasMovableKeys([Range(1, 0, 1, KeySpecFlags.RO | KeySpecFlags.Incomplete)]));
        Assert.False(CommandTableLoader.HasMovableKeys([Range(1, 0, 1), Range(2, 0, 1)])); // consecutive
        Assert.True(CommandTableLoader.HasMovableKeys([Range(1, 0, 1), Range(3, 0, 1)]));  // gap
        Assert.True(CommandTableLoader.HasMovableKeys([Range(1, 0, 1), Range(2, 0, 2)]));  // step 2 with two specs
        Assert.True(CommandTableLoader.HasMovableKeys([Range(1, -1, 1), Range(2, 0, 1)])); // after a to-the-end range
        Assert.True(CommandTableLoader.HasMovableKeys(
            [new KeySpec(KeySpecFlags.RO, BeginSearchKind.Keyword, 0, "STREAMS", 1, FindKeysKind.Range, -1, 1, 2, 0, 0)]));
    }

    [Fact]
    public void Implicit_categories_follow_setImplicitACLCategories()
    {
        // READONLY scripting commands are not @read.
        Assert.Equal(0u, (uint)(Table.Find("eval_ro")!.Categories & AclCategories.Read));
        Assert.NotEqual(0u, (uint)(Table.Find("eval_ro")!.Flags & CommandFlags.ReadOnly));
        // ADMIN implies @admin and @dangerous.
        Assert.Equal(
            AclCategories.Admin | AclCategories.Dangerous | AclCategories.Slow,
            Table.FindByFullName("config|set")!.Categories);
        Assert.Equal(
            AclCategories.Keyspace | AclCategories.Read | AclCategories.Fast,
            Table.Find("exists")!.Categories);
        Assert.Equal(
            AclCategories.String | AclCategories.Read | AclCategories.Fast,
            Table.Find("get")!.Categories);
        Assert.Equal(
            AclCategories.List | AclCategories.Write | AclCategories.Blocking | AclCategories.Slow,
            Table.Find("blpop")!.Categories);
        Assert.Equal(AclCategories.Slow, CommandTableLoader.ImplicitCategories(CommandFlags.None, AclCategories.None));
        Assert.Equal(
            AclCategories.Scripting | AclCategories.Slow,
            CommandTableLoader.ImplicitCategories(CommandFlags.ReadOnly, AclCategories.Scripting));
    }

    [Fact]
    public void Flags_are_mapped_from_the_json()
    {
        Assert.Equal(CommandFlags.ReadOnly | CommandFlags.Fast, Table.Find("get")!.Flags);
        Assert.Equal(
            CommandFlags.NoScript | CommandFlags.Loading | CommandFlags.Stale | CommandFlags.Fast | CommandFlags.NoAuth
                | CommandFlags.Sentinel | CommandFlags.AllowBusy,
            Table.Find("auth")!.Flags);
        Assert.NotEqual(CommandFlags.None, Table.Find("exec")!.Flags & CommandFlags.SkipSlowlog);
        Assert.NotEqual(CommandFlags.None, Table.Find("eval")!.Flags & CommandFlags.SkipMonitor);
        Assert.NotEqual(CommandFlags.None, Table.Find("eval")!.Flags & CommandFlags.MovableKeys);
        Assert.Equal(
            CommandFlags.Loading | CommandFlags.Stale | CommandFlags.Sentinel,
            Table.Find("command")!.Flags);
        Assert.Equal(CommandFlags.None, Table.Find("config")!.Flags);
    }

    [Fact]
    public void CanHaveKeys_ignores_not_key_specs()
    {
        Assert.True(Table.Find("get")!.CanHaveKeys);
        Assert.False(Table.Find("spublish")!.CanHaveKeys);
        Assert.Equal(KeySpecFlags.NotKey, Assert.Single(Table.Find("spublish")!.KeySpecs).Flags & KeySpecFlags.NotKey);
        Assert.False(Table.Find("ping")!.CanHaveKeys);
    }

    [Fact]
    public void Docs_are_kept()
    {
        var get = Table.Find("get")!.Docs;
        Assert.Equal("string", get.Group);
        Assert.Equal("1.0.0", get.Since);
        Assert.Equal("O(1)", get.Complexity);
        Assert.False(string.IsNullOrEmpty(get.Summary));
        Assert.Empty(get.DocFlags);
        Assert.Null(get.HistoryJson);
        using (var args = JsonDocument.Parse(get.ArgumentsJson!))
        {
            var key = Assert.Single(args.RootElement.EnumerateArray());
            Assert.Equal("key", key.GetProperty("name").GetString());
            Assert.Equal(0, key.GetProperty("key_spec_index").GetInt32());
        }

        var georadius = Table.Find("georadius")!.Docs;
        Assert.Contains("deprecated", georadius.DocFlags);
        Assert.Equal("6.2.0", georadius.DeprecatedSince);
        Assert.NotNull(georadius.ReplacedBy);

        Assert.Contains("nondeterministic_output", Table.FindByFullName("cluster|info")!.Docs.Tips);
        Assert.Contains("request_policy:all_shards", Table.Find("flushall")!.Docs.Tips);

        var set = Table.Find("set")!.Docs;
        using (var history = JsonDocument.Parse(set.HistoryJson!))
        {
            Assert.True(history.RootElement.GetArrayLength() >= 4);
        }
    }

    [Fact]
    public void InCategory_rejects_anything_but_one_category()
    {
        Assert.Throws<ArgumentException>(() => Table.InCategory(AclCategories.None));
        Assert.Throws<ArgumentException>(() => Table.InCategory(AclCategories.Read | AclCategories.Write));
        Assert.Throws<ArgumentException>(() => Table.InCategory((AclCategories)(1u << 21)));
    }

    [Fact]
    public void Redis74_is_loaded_once()
    {
        var tables = new CommandTable[16];
        Parallel.For(0, tables.Length, i => tables[i] = CommandTable.Redis74);
        Assert.All(tables, t => Assert.Same(Table, t));
    }

    [Fact]
    public void Embedded_json_header_is_redis_7_4()
    {
        using var stream = OpenEmbedded();
        using var doc = JsonDocument.Parse(stream);
        var root = doc.RootElement;
        Assert.Equal(1, root.GetProperty("format").GetInt32());
        Assert.StartsWith("7.4.", root.GetProperty("redis_version").GetString(), StringComparison.Ordinal);
        Assert.Equal(Table.Count, root.GetProperty("count").GetInt32());
        Assert.Equal(Table.TopLevel.Count, root.GetProperty("top_level_count").GetInt32());
        Assert.Equal(Table.Count, root.GetProperty("commands").GetArrayLength());
        Assert.Contains("sentinel", root.GetProperty("skipped_sentinel_only").EnumerateArray().Select(e => e.GetString()));
        Assert.StartsWith("7.4.", Table.RedisVersion, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_parses_a_stream_into_an_equivalent_table()
    {
        using var stream = OpenEmbedded();
        var loaded = CommandTable.Load(stream);
        Assert.NotSame(Table, loaded);
        Assert.Equal(Table.All.Select(Describe), loaded.All.Select(Describe));

        static string Describe(RedisCommand c) =>
            $"{c.Id} {c.FullName} {c.Arity} {c.Flags} {c.Categories} {string.Join(";", c.KeySpecs)}";
    }

    [Fact]
    public void Load_rejects_malformed_tables()
    {
        Assert.Throws<InvalidDataException>(() => LoadText("{"));
        Assert.Throws<InvalidDataException>(() => LoadText("""{"format":2,"redis_version":"7.4.1","commands":[]}"""));
        Assert.Throws<InvalidDataException>(() => LoadText("""{"format":1,"redis_version":"7.4.1"}"""));
        Assert.Throws<InvalidDataException>(() => LoadText(Table1("""["NOSUCHFLAG"]""", "[]")));
        Assert.Throws<InvalidDataException>(() => LoadText(Table1("[]", """["NOSUCHCAT"]""")));
        Assert.Throws<InvalidDataException>(() => LoadText(
            """{"format":1,"redis_version":"7.4.1","commands":[""" + Command("x", "\"nope\"", "[]", "[]") + "]}"));

        var ok = LoadText(Table1("""["FAST","READONLY"]""", """["STRING"]"""));
        var x = Assert.Single(ok.All);
        Assert.Equal(AclCategories.String | AclCategories.Read | AclCategories.Fast, x.Categories);
        Assert.Same(x, ok.Find("X"u8));

        static string Table1(string flags, string cats) =>
            """{"format":1,"redis_version":"7.4.1","commands":[""" + Command("x", "null", flags, cats) + "]}";

        static string Command(string name, string container, string flags, string cats) =>
            $$"""{"name":"{{name}}","container":{{container}},"arity":2,"command_flags":{{flags}},"acl_categories":{{cats}},"key_specs":[],"get_keys_function":null,"summary":"s","since":"1.0.0","group":"string"}""";
    }

    [Fact]
    public async Task Generator_output_matches_the_committed_json_when_redis_sources_are_available()
    {
        // Set REDIS_SRC_DIR to a Redis 7.4.1 checkout (or its src dir) to check that the committed table is exactly
        // what src/AclOperator.Acl/Commands/gen-command-table.py produces.
        string? redisDir = Environment.GetEnvironmentVariable("REDIS_SRC_DIR");
        Assert.SkipWhen(string.IsNullOrEmpty(redisDir), "REDIS_SRC_DIR is not set");

        string repo = RepoRoot();
        var ct = TestContext.Current.CancellationToken;
        string committed = await File.ReadAllTextAsync(
            Path.Combine(repo, "src", "AclOperator.Acl", "Commands", "redis-commands.json"), ct);
        string commit;
        using (var doc = JsonDocument.Parse(committed))
        {
            commit = doc.RootElement.GetProperty("redis_commit").GetString() ?? string.Empty;
        }

        var psi = new ProcessStartInfo("python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
        };
        foreach (var arg in new[] { Path.Combine(repo, "tools", "gen-command-table.py"), redisDir!, "--redis-version", Table.RedisVersion, "--commit", commit })
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync(ct);
        string generated = await process.StandardOutput.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        Assert.True(process.ExitCode == 0, await stderr);
        Assert.Equal(committed, generated);

        using var embedded = new StreamReader(OpenEmbedded(), Encoding.UTF8);
        Assert.Equal(committed, await embedded.ReadToEndAsync(ct));
    }

    private static string RepoRoot([CallerFilePath] string thisFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", ".."));

    private static CommandTable LoadText(string json) => CommandTable.Load(new MemoryStream(Encoding.UTF8.GetBytes(json)));

    private static Stream OpenEmbedded() =>
        typeof(CommandTable).Assembly.GetManifestResourceStream(CommandTable.ResourceName)
        ?? throw new InvalidOperationException("embedded command table missing");
}
