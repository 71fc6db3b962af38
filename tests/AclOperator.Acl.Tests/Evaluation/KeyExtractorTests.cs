using System.Text;
using System.Text.RegularExpressions;
using AclOperator.Acl.Commands;
using AclOperator.Acl.Evaluation;
using Xunit;

namespace AclOperator.Acl.Tests.Evaluation;

/// <summary>Table tests for <see cref="KeyExtractor"/> (E1) and <see cref="SortOptionScanner"/> (E16).</summary>
public sealed class KeyExtractorTests
{
    private const KeySpecFlags RO = KeySpecFlags.RO;
    private const KeySpecFlags RW = KeySpecFlags.RW;
    private const KeySpecFlags OW = KeySpecFlags.OW;
    private const KeySpecFlags RM = KeySpecFlags.RM;
    private const KeySpecFlags A = KeySpecFlags.Access;
    private const KeySpecFlags U = KeySpecFlags.Update;
    private const KeySpecFlags I = KeySpecFlags.Insert;
    private const KeySpecFlags D = KeySpecFlags.Delete;

    internal static RedisCommand Lookup(string[] argv)
    {
        var cmd = CommandTable.Redis74.Find(argv[0].AsSpan()) ?? throw new ArgumentException("unknown " + argv[0]);
        if (cmd.IsContainer)
        {
            cmd = cmd.FindSubcommand(argv[1].AsSpan()) ?? throw new ArgumentException("unknown sub " + argv[1]);
        }

        return cmd;
    }

    internal static (int Count, KeyReference[] Keys, string? Error) Run(params string[] argv)
    {
        var cmd = Lookup(argv);
        var b = ArgvBuilder.From(argv);
        Span<KeyReference> buf = stackalloc KeyReference[4];
        int n = KeyExtractor.GetKeys(cmd, b.Args, buf, out string? error);
        if (n > buf.Length)
        {
            var big = new KeyReference[n];
            int again = KeyExtractor.GetKeys(cmd, b.Args, big, out error);
            Assert.Equal(n, again);
            return (n, big, error);
        }

        return (n, n < 0 ? [] : buf[..n].ToArray(), error);
    }

    private static void Keys(string[] argv, params (int Index, KeySpecFlags Flags)[] expected)
    {
        var (n, keys, error) = Run(argv);
        Assert.Null(error);
        Assert.Equal(expected.Length, n);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(new KeyReference(expected[i].Index, expected[i].Flags), keys[i]);
        }
    }

    private static void Fails(string[] argv, string error)
    {
        var (n, _, err) = Run(argv);
        Assert.Equal(-1, n);
        Assert.Equal(error, err);
    }

    private static string[] A_(string line) => line.Split(' ');

    [Fact]
    public void Index_and_range_specs()
    {
        Keys(A_("GET k"), (1, RO | A));
        Keys(A_("MSET a 1 b 2 c 3"), (1, OW | U), (3, OW | U), (5, OW | U));
        Keys(A_("MGET a b c"), (1, RO | A), (2, RO | A), (3, RO | A));
        Keys(A_("DEL a b"), (1, RM | D), (2, RM | D));
        Keys(A_("BLPOP a b c 0"), (1, RW | A | D), (2, RW | A | D), (3, RW | A | D));
        Keys(A_("BITOP AND d s1 s2"), (2, OW | U), (3, RO | A), (4, RO | A));
        Keys(A_("COPY s d REPLACE"), (1, RO | A), (2, OW | U));
        Keys(A_("RENAME s d"), (1, RW | A | D), (2, OW | U));
        Keys(A_("LMOVE s d LEFT RIGHT"), (1, RW | A | D), (2, RW | I));
        Keys(A_("PFMERGE d s1 s2"), (1, RW | A | I), (2, RO | A), (3, RO | A));
        Keys(A_("LCS a b"), (1, RO | A), (2, RO | A));
        Keys(A_("EXISTS a b"), (1, RO), (2, RO));
    }

    [Fact]
    public void Pfmerge_with_only_the_destination_still_returns_it()
    {
        // Redis's source spec is out of range, so its ACL path checks no key at all (fail-open); we keep the destination.
        Keys(A_("PFMERGE d"), (1, RW | A | I));
    }

    [Fact]
    public void Subcommands_use_full_argv_indexes()
    {
        Keys(A_("OBJECT ENCODING k"), (2, RO));
        Keys(A_("XINFO STREAM k FULL"), (2, RO | A));
        Keys(A_("MEMORY USAGE k SAMPLES 5"), (2, RO));
        Keys(A_("XGROUP CREATE s g $ MKSTREAM"), (2, RW | I));
    }

    [Fact]
    public void Keynum_specs()
    {
        Keys(A_("EVAL s 2 a b x"), (3, RW | A | U), (4, RW | A | U));
        Keys(A_("EVAL_RO s 1 a"), (3, RO | A));
        Keys(A_("EVAL s 0 x y"));
        Keys(A_("FCALL f 2 a b"), (3, RW | A | U), (4, RW | A | U));
        Keys(A_("FCALL_RO f 0"));
        Keys(A_("ZUNIONSTORE d 2 a b WEIGHTS 1 2"), (1, OW | U), (3, RO | A), (4, RO | A));
        Keys(A_("ZINTERSTORE d 1 a"), (1, OW | U), (3, RO | A));
        Keys(A_("ZDIFFSTORE d 2 a b"), (1, OW | U), (3, RO | A), (4, RO | A));
        Keys(A_("ZUNION 2 a b WITHSCORES"), (2, RO | A), (3, RO | A));
        Keys(A_("ZINTERCARD 2 a b LIMIT 1"), (2, RO | A), (3, RO | A));
        Keys(A_("SINTERCARD 2 a b"), (2, RO | A), (3, RO | A));
        Keys(A_("LMPOP 2 a b LEFT COUNT 2"), (2, RW | A | D), (3, RW | A | D));
        Keys(A_("BLMPOP 0.1 1 a RIGHT"), (3, RW | A | D));
        Keys(A_("ZMPOP 1 a MIN"), (2, RW | A | D));
        Keys(A_("BZMPOP 1 2 a b MAX COUNT 3"), (3, RW | A | D), (4, RW | A | D));
    }

    [Fact]
    public void Keynum_errors_are_the_commands_own()
    {
        Fails(A_("EVAL s 3 a b"), "ERR Number of keys can't be greater than number of args");
        Fails(A_("EVAL s -1 a"), "ERR Number of keys can't be negative");
        Fails(A_("EVAL s x a"), "ERR value is not an integer or out of range");
        Fails(A_("EVAL s 1a a"), "ERR value is not an integer or out of range");
        Fails(A_("EVAL s 01 a"), "ERR value is not an integer or out of range");
        Fails(A_("EVAL s +1 a"), "ERR value is not an integer or out of range");
        Fails(A_("EVAL_RO s 5"), "ERR Number of keys can't be greater than number of args");
        Fails(A_("EVALSHA abc 5"), "NOSCRIPT No matching script. Please use EVAL.");
        Fails(["EVALSHA", new string('a', 40), "5"], "ERR Number of keys can't be greater than number of args");
        Fails(A_("FCALL f x"), "ERR Bad number of keys provided");
        Fails(A_("FCALL_RO f 2 a"), "ERR Number of keys can't be greater than number of args");
        Fails(A_("FCALL f -2 a"), "ERR Number of keys can't be negative");
        Fails(A_("ZUNIONSTORE d 0 a"), "ERR at least 1 input key is needed for 'zunionstore' command");
        Fails(A_("ZINTERSTORE d -1 a"), "ERR at least 1 input key is needed for 'zinterstore' command");
        Fails(A_("ZDIFFSTORE d 3 a b"), "ERR syntax error");
        Fails(A_("ZUNIONSTORE d x a"), "ERR value is not an integer or out of range");
        Fails(A_("ZUNION 0 a"), "ERR at least 1 input key is needed for 'zunion' command");
        Fails(A_("ZINTER 2 a"), "ERR syntax error");
        Fails(A_("ZINTERCARD 0 a"), "ERR at least 1 input key is needed for 'zintercard' command");
        Fails(A_("ZDIFF x a"), "ERR value is not an integer or out of range");
        Fails(A_("SINTERCARD 0 a"), "ERR numkeys should be greater than 0");
        Fails(A_("SINTERCARD x a"), "ERR numkeys should be greater than 0");
        Fails(A_("SINTERCARD 3 a b"), "ERR Number of keys can't be greater than number of args");
        Fails(A_("LMPOP 0 a LEFT"), "ERR numkeys should be greater than 0");
        Fails(A_("LMPOP 2 a LEFT"), "ERR syntax error");
        Fails(A_("LMPOP 2 a b"), "ERR syntax error"); // where_idx >= argc
        Fails(A_("BLMPOP 0 -1 a LEFT"), "ERR numkeys should be greater than 0");
        Fails(A_("ZMPOP 9223372036854775807 a MIN"), "ERR syntax error");
        Fails(A_("BZMPOP 0 x a MIN"), "ERR numkeys should be greater than 0");
    }

    [Fact]
    public void Xread_streams()
    {
        Keys(A_("XREAD STREAMS a b 0 0"), (2, RO | A), (3, RO | A));
        Keys(A_("XREAD COUNT 2 BLOCK 10 STREAMS a 0"), (6, RO | A));
        Keys(A_("XREADGROUP GROUP g c NOACK STREAMS a b > >"), (6, RO | A), (7, RO | A));
        // Redis's key spec searches for STREAMS from argv[4] and would take the consumer name "streams" here.
        Keys(A_("XREADGROUP COUNT 1 GROUP g streams STREAMS k 0"), (7, RO | A));
        Keys(A_("XREAD STREAMS streams 0"), (2, RO | A));
        Fails(A_("XREAD COUNT 1 a 0"), "ERR syntax error");
        Fails(A_("XREAD COUNT 1 BLOCK 0"), "ERR syntax error");
        Fails(A_("XREAD COUNT 1 STREAMS"), "ERR syntax error");
        Fails(A_("XREAD STREAMS a b 0"), "ERR Unbalanced 'xread' list of streams: for each stream key an ID or '$' must be specified.");
        Fails(A_("XREADGROUP GROUP g c STREAMS a b 0"), "ERR Unbalanced 'xreadgroup' list of streams: for each stream key an ID or '>' must be specified.");
        Fails(A_("XREAD COUNT x STREAMS a 0"), "ERR value is not an integer or out of range");
        Fails(A_("XREAD BLOCK x STREAMS a 0"), "ERR timeout is not an integer or out of range");
        Fails(A_("XREAD BLOCK -1 STREAMS a 0"), "ERR timeout is negative");
        Fails(A_("XREAD GROUP g c STREAMS a 0"), "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
        Fails(A_("XREAD NOACK STREAMS a 0"), "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
    }

    [Fact]
    public void Migrate()
    {
        Keys(A_("MIGRATE h 1 k 0 5000"), (3, RW | A | D));
        Keys(A_("MIGRATE h 1 k 0 5000 COPY REPLACE AUTH pw"), (3, RW | A | D));
        Keys(["MIGRATE", "h", "1", "", "0", "5000", "AUTH2", "u", "keys", "KEYS", "a", "b"], (10, RW | A | D), (11, RW | A | D));
        Fails(A_("MIGRATE h 1 k 0 5000 KEYS a b"), "ERR When using MIGRATE KEYS option, the key argument must be set to the empty string");
        Fails(A_("MIGRATE h 1 k 0 5000 FOO"), "ERR syntax error");
        Fails(A_("MIGRATE h 1 k 0 5000 AUTH"), "ERR syntax error");
        Fails(A_("MIGRATE h 1 k 0 5000 AUTH2 u"), "ERR syntax error");
    }

    [Fact]
    public void Georadius_store()
    {
        Keys(A_("GEORADIUS k 0 0 1 km"), (1, RO | A));
        Keys(A_("GEORADIUS k 0 0 1 km STORE d"), (1, RO | A), (7, OW | U));
        Keys(A_("GEORADIUS k 0 0 1 km STOREDIST d"), (1, RO | A), (7, OW | U));
        Keys(A_("GEORADIUS k 0 0 1 km STORE a STOREDIST b"), (1, RO | A), (7, OW | U), (9, OW | U));
        Keys(A_("GEORADIUSBYMEMBER k m 1 km STORE d"), (1, RO | A), (6, OW | U));
        Keys(A_("GEORADIUSBYMEMBER k STORE 1 km"), (1, RO | A));
    }

    [Fact]
    public void Sort_store()
    {
        Keys(A_("SORT k"), (1, RO | A));
        Keys(A_("SORT k BY w_* GET # LIMIT 0 10 STORE d ALPHA"), (1, RO | A), (10, OW | U));
        Keys(A_("SORT k STORE a STORE b"), (1, RO | A), (5, OW | U));
        // sortGetKeys would report "get" (it does not skip STORE's argument); sort.c writes "victim".
        Keys(A_("SORT k STORE get STORE victim"), (1, RO | A), (5, OW | U));
        Keys(A_("SORT k STORE limit STORE victim"), (1, RO | A), (5, OW | U));
        // Syntax errors: the command writes nothing; the keys are sortGetKeys' (what Redis checks).
        Keys(A_("SORT k FOO STORE d"), (1, RO | A), (4, OW | U));
        Keys(A_("SORT_RO k STORE d"), (1, RO | A));
        Keys(A_("SORT_RO k BY x GET #"), (1, RO | A));
    }

    [Fact]
    public void Set_and_bitfield_variable_flags()
    {
        Keys(A_("SET k v"), (1, OW | U));
        Keys(A_("SET k v EX 10"), (1, OW | U));
        Keys(A_("SET k v get"), (1, RW | A | U));
        Keys(A_("SET k v NX GET"), (1, RW | A | U));
        Keys(["SET", "k", "v", "GeT\0junk"], (1, RW | A | U)); // strcasecmp stops at NUL
        Keys(A_("SET k get"), (1, OW | U)); // argv[2] is the value
        Keys(A_("BITFIELD k"), (1, RO | A));
        Keys(A_("BITFIELD k GET u8 0 OVERFLOW SAT GET i4 4"), (1, RO | A));
        Keys(A_("BITFIELD k GET u8 0 SET u8 0 1"), (1, RW | A | U));
        Keys(A_("BITFIELD k INCRBY u8 0 1"), (1, RW | A | U));
        Keys(A_("BITFIELD k GET u8"), (1, RW | A | U)); // syntax error: assume write
        Keys(A_("BITFIELD_RO k GET u8 0"), (1, RO | A));
    }

    [Fact]
    public void Small_buffer_reports_the_needed_size()
    {
        var b = ArgvBuilder.From("DEL", "a", "b", "c");
        var cmd = CommandTable.Redis74.Find("del".AsSpan())!;
        Span<KeyReference> one = stackalloc KeyReference[1];
        Assert.Equal(3, KeyExtractor.GetKeys(cmd, b.Args, one, out _));
        Assert.Equal(new KeyReference(1, RM | D), one[0]);
        Assert.Equal(3, KeyExtractor.GetKeys(cmd, b.Args, [], out _));
    }

    [Fact]
    public void Wrong_arity_fails_closed()
    {
        var cmd = CommandTable.Redis74.Find("get".AsSpan())!;
        var b = ArgvBuilder.From("GET");
        Assert.Equal(-1, KeyExtractor.GetKeys(cmd, b.Args, new KeyReference[2], out string? error));
        Assert.Equal("ERR wrong number of arguments for 'get' command", error);
    }

    [Fact]
    public void Success_path_does_not_allocate()
    {
        var cases = new[]
        {
            ArgvBuilder.From("MSET", "a", "1", "b", "2"), ArgvBuilder.From("EVAL", "s", "2", "a", "b"),
            ArgvBuilder.From("XREADGROUP", "GROUP", "g", "c", "STREAMS", "a", ">"), ArgvBuilder.From("SORT", "k", "STORE", "d"),
            ArgvBuilder.From("SET", "k", "v", "GET"), ArgvBuilder.From("MIGRATE", "h", "1", "", "0", "1", "KEYS", "a"),
            ArgvBuilder.From("GEORADIUS", "k", "0", "0", "1", "km", "STORE", "d"), ArgvBuilder.From("BITFIELD", "k", "GET", "u8", "0"),
        };
        var cmds = Array.ConvertAll(cases, c => KeyExtractor.CanHaveKeys(Lookup(Decode(c))) ? Lookup(Decode(c)) : null);
        var buf = new KeyReference[8];
        for (int i = 0; i < cases.Length; i++)
        {
            KeyExtractor.GetKeys(cmds[i]!, cases[i].Args, buf, out _); // warm up
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int round = 0; round < 100; round++)
        {
            for (int i = 0; i < cases.Length; i++)
            {
                KeyExtractor.GetKeys(cmds[i]!, cases[i].Args, buf, out _);
            }
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static string[] Decode(ArgvBuilder b)
    {
        var args = b.Args;
        var result = new string[args.Count];
        for (int i = 0; i < args.Count; i++)
        {
            result[i] = Encoding.UTF8.GetString(args[i]);
        }

        return result;
    }

    [Fact]
    public void CanHaveKeys_matches_doesCommandHaveKeys()
    {
        Assert.True(KeyExtractor.CanHaveKeys(Lookup(["GET"])));
        Assert.True(KeyExtractor.CanHaveKeys(Lookup(["SORT"])));
        Assert.True(KeyExtractor.CanHaveKeys(Lookup(["EVAL"])));
        Assert.False(KeyExtractor.CanHaveKeys(Lookup(["PING"])));
        Assert.False(KeyExtractor.CanHaveKeys(Lookup(["SPUBLISH"]))); // not_key only
        Assert.False(KeyExtractor.CanHaveKeys(Lookup(["KEYS"])));
        Assert.False(KeyExtractor.CanHaveKeys(Lookup(["CONFIG", "GET"])));
    }

    [Theory]
    [InlineData("SORT k", false, SortPatternUse.None)]
    [InlineData("SORT k BY nosort GET # ", false, SortPatternUse.Get)]
    [InlineData("SORT k BY w_* GET #", false, SortPatternUse.By)]
    [InlineData("SORT k BY w_ ALPHA", false, SortPatternUse.None)]
    [InlineData("SORT k GET # BY w_*", false, SortPatternUse.Get)]
    [InlineData("SORT k LIMIT 0 1 GET #", false, SortPatternUse.Get)]
    [InlineData("SORT k LIMIT x 1 GET #", false, SortPatternUse.None)]
    [InlineData("SORT k FOO GET #", false, SortPatternUse.None)]
    [InlineData("SORT k STORE d GET #", false, SortPatternUse.Get)]
    [InlineData("SORT k STORE GET", false, SortPatternUse.None)]
    [InlineData("SORT_RO k STORE d GET #", true, SortPatternUse.None)]
    [InlineData("SORT_RO k DESC GET #", true, SortPatternUse.Get)]
    [InlineData("SORT k GET", false, SortPatternUse.None)]
    [InlineData("SORT k BY", false, SortPatternUse.None)]
    [InlineData("SORT k LIMIT 0 GET #", false, SortPatternUse.None)]
    public void Sort_pattern_options(string line, bool readOnly, SortPatternUse expected)
    {
        var b = ArgvBuilder.From(line.Trim().Split(' '));
        Assert.Equal(expected, SortOptionScanner.FirstPatternOption(b.Args, readOnly));
    }

    [Fact]
    public void Sort_by_pattern_star_after_nul_does_not_count()
    {
        Assert.Equal(SortPatternUse.None, SortOptionScanner.FirstPatternOption(ArgvBuilder.From("SORT", "k", "BY", "w\0*").Args, false));
        Assert.Equal(SortPatternUse.By, SortOptionScanner.FirstPatternOption(ArgvBuilder.From("SORT", "k", "by\0x", "*").Args, false));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Appendix B oracle

    /// <summary>A valid argv for every command of Appendix B (keys named k1, k2, …).</summary>
    internal static readonly Dictionary<string, string> ValidArgv = new(StringComparer.Ordinal)
    {
        ["exists"] = "EXISTS k1", ["hexists"] = "HEXISTS k1 f", ["hlen"] = "HLEN k1", ["hstrlen"] = "HSTRLEN k1 f",
        ["llen"] = "LLEN k1", ["memory|usage"] = "MEMORY USAGE k1", ["object|encoding"] = "OBJECT ENCODING k1",
        ["object|freq"] = "OBJECT FREQ k1", ["object|idletime"] = "OBJECT IDLETIME k1", ["object|refcount"] = "OBJECT REFCOUNT k1",
        ["scard"] = "SCARD k1", ["sismember"] = "SISMEMBER k1 m", ["strlen"] = "STRLEN k1", ["touch"] = "TOUCH k1",
        ["type"] = "TYPE k1", ["watch"] = "WATCH k1", ["xlen"] = "XLEN k1", ["zcard"] = "ZCARD k1",
        ["bitcount"] = "BITCOUNT k1", ["bitfield_ro"] = "BITFIELD_RO k1 GET u8 0", ["bitpos"] = "BITPOS k1 1",
        ["dump"] = "DUMP k1", ["eval_ro"] = "EVAL_RO s 1 k1", ["evalsha_ro"] = "EVALSHA_RO 0000000000000000000000000000000000000000 1 k1",
        ["expiretime"] = "EXPIRETIME k1", ["fcall_ro"] = "FCALL_RO f 1 k1", ["geodist"] = "GEODIST k1 a b",
        ["geohash"] = "GEOHASH k1 a", ["geopos"] = "GEOPOS k1 a", ["georadius_ro"] = "GEORADIUS_RO k1 0 0 1 km",
        ["georadiusbymember_ro"] = "GEORADIUSBYMEMBER_RO k1 m 1 km", ["geosearch"] = "GEOSEARCH k1 FROMLONLAT 0 0 BYRADIUS 1 km",
        ["get"] = "GET k1", ["getbit"] = "GETBIT k1 0", ["getrange"] = "GETRANGE k1 0 1", ["hexpiretime"] = "HEXPIRETIME k1 FIELDS 1 f",
        ["hget"] = "HGET k1 f", ["hgetall"] = "HGETALL k1", ["hkeys"] = "HKEYS k1", ["hmget"] = "HMGET k1 f",
        ["hpexpiretime"] = "HPEXPIRETIME k1 FIELDS 1 f", ["hpttl"] = "HPTTL k1 FIELDS 1 f", ["hrandfield"] = "HRANDFIELD k1",
        ["hscan"] = "HSCAN k1 0", ["httl"] = "HTTL k1 FIELDS 1 f", ["hvals"] = "HVALS k1", ["lcs"] = "LCS k1 k2",
        ["lindex"] = "LINDEX k1 0", ["lpos"] = "LPOS k1 e", ["lrange"] = "LRANGE k1 0 1", ["mget"] = "MGET k1 k2",
        ["pexpiretime"] = "PEXPIRETIME k1", ["pfcount"] = "PFCOUNT k1 k2", ["pfdebug"] = "PFDEBUG GETREG k1", ["pttl"] = "PTTL k1",
        ["sdiff"] = "SDIFF k1 k2", ["sinter"] = "SINTER k1 k2", ["sintercard"] = "SINTERCARD 2 k1 k2", ["smembers"] = "SMEMBERS k1",
        ["smismember"] = "SMISMEMBER k1 m", ["srandmember"] = "SRANDMEMBER k1", ["sscan"] = "SSCAN k1 0", ["substr"] = "SUBSTR k1 0 1",
        ["sunion"] = "SUNION k1 k2", ["ttl"] = "TTL k1", ["xinfo|consumers"] = "XINFO CONSUMERS k1 g", ["xinfo|groups"] = "XINFO GROUPS k1",
        ["xinfo|stream"] = "XINFO STREAM k1", ["xpending"] = "XPENDING k1 g", ["xrange"] = "XRANGE k1 - +",
        ["xread"] = "XREAD COUNT 1 STREAMS k1 k2 0 0", ["xreadgroup"] = "XREADGROUP GROUP g c STREAMS k1 >", ["xrevrange"] = "XREVRANGE k1 + -",
        ["zcount"] = "ZCOUNT k1 0 1", ["zdiff"] = "ZDIFF 2 k1 k2", ["zinter"] = "ZINTER 2 k1 k2", ["zintercard"] = "ZINTERCARD 1 k1",
        ["zlexcount"] = "ZLEXCOUNT k1 - +", ["zmscore"] = "ZMSCORE k1 m", ["zrandmember"] = "ZRANDMEMBER k1", ["zrange"] = "ZRANGE k1 0 1",
        ["zrangebylex"] = "ZRANGEBYLEX k1 - +", ["zrangebyscore"] = "ZRANGEBYSCORE k1 0 1", ["zrank"] = "ZRANK k1 m",
        ["zrevrange"] = "ZREVRANGE k1 0 1", ["zrevrangebylex"] = "ZREVRANGEBYLEX k1 + -", ["zrevrangebyscore"] = "ZREVRANGEBYSCORE k1 1 0",
        ["zrevrank"] = "ZREVRANK k1 m", ["zscan"] = "ZSCAN k1 0", ["zscore"] = "ZSCORE k1 m", ["zunion"] = "ZUNION 2 k1 k2",
        ["bitfield"] = "BITFIELD k1 SET u8 0 1", ["blmpop"] = "BLMPOP 0.01 2 k1 k2 LEFT", ["blpop"] = "BLPOP k1 k2 0.01",
        ["brpop"] = "BRPOP k1 0.01", ["bzmpop"] = "BZMPOP 0.01 1 k1 MIN", ["bzpopmax"] = "BZPOPMAX k1 0.01", ["bzpopmin"] = "BZPOPMIN k1 0.01",
        ["decr"] = "DECR k1", ["decrby"] = "DECRBY k1 1", ["eval"] = "EVAL s 2 k1 k2", ["evalsha"] = "EVALSHA 0000000000000000000000000000000000000000 1 k1",
        ["fcall"] = "FCALL f 1 k1", ["getdel"] = "GETDEL k1", ["getex"] = "GETEX k1", ["getset"] = "GETSET k1 v",
        ["hincrby"] = "HINCRBY k1 f 1", ["hincrbyfloat"] = "HINCRBYFLOAT k1 f 1", ["incr"] = "INCR k1", ["incrby"] = "INCRBY k1 1",
        ["incrbyfloat"] = "INCRBYFLOAT k1 1", ["lmpop"] = "LMPOP 1 k1 LEFT", ["lpop"] = "LPOP k1", ["move"] = "MOVE k1 1",
        ["rpop"] = "RPOP k1", ["set"] = "SET k1 v GET", ["setbit"] = "SETBIT k1 0 1", ["spop"] = "SPOP k1", ["zincrby"] = "ZINCRBY k1 1 m",
        ["zmpop"] = "ZMPOP 1 k1 MIN", ["zpopmax"] = "ZPOPMAX k1", ["zpopmin"] = "ZPOPMIN k1",
        ["append"] = "APPEND k1 v", ["del"] = "DEL k1 k2", ["expire"] = "EXPIRE k1 10", ["expireat"] = "EXPIREAT k1 10",
        ["geoadd"] = "GEOADD k1 0 0 m", ["hdel"] = "HDEL k1 f", ["hexpire"] = "HEXPIRE k1 10 FIELDS 1 f", ["hexpireat"] = "HEXPIREAT k1 10 FIELDS 1 f",
        ["hmset"] = "HMSET k1 f v", ["hpersist"] = "HPERSIST k1 FIELDS 1 f", ["hpexpire"] = "HPEXPIRE k1 10 FIELDS 1 f",
        ["hpexpireat"] = "HPEXPIREAT k1 10 FIELDS 1 f", ["hset"] = "HSET k1 f v", ["hsetnx"] = "HSETNX k1 f v",
        ["linsert"] = "LINSERT k1 BEFORE p e", ["lpush"] = "LPUSH k1 e", ["lpushx"] = "LPUSHX k1 e", ["lrem"] = "LREM k1 0 e",
        ["lset"] = "LSET k1 0 e", ["ltrim"] = "LTRIM k1 0 1", ["mset"] = "MSET k1 v k2 v", ["msetnx"] = "MSETNX k1 v k2 v",
        ["persist"] = "PERSIST k1", ["pexpire"] = "PEXPIRE k1 10", ["pexpireat"] = "PEXPIREAT k1 10", ["pfadd"] = "PFADD k1 e",
        ["psetex"] = "PSETEX k1 10 v", ["restore"] = "RESTORE k1 0 x", ["restore-asking"] = "RESTORE-ASKING k1 0 x",
        ["rpush"] = "RPUSH k1 e", ["rpushx"] = "RPUSHX k1 e", ["sadd"] = "SADD k1 m", ["setex"] = "SETEX k1 10 v",
        ["setnx"] = "SETNX k1 v", ["setrange"] = "SETRANGE k1 0 v", ["srem"] = "SREM k1 m", ["unlink"] = "UNLINK k1 k2",
        ["xack"] = "XACK k1 g 0-1", ["xadd"] = "XADD k1 * f v", ["xautoclaim"] = "XAUTOCLAIM k1 g c 0 0",
        ["xclaim"] = "XCLAIM k1 g c 0 0-1", ["xdel"] = "XDEL k1 0-1", ["xgroup|create"] = "XGROUP CREATE k1 g $",
        ["xgroup|createconsumer"] = "XGROUP CREATECONSUMER k1 g c", ["xgroup|delconsumer"] = "XGROUP DELCONSUMER k1 g c",
        ["xgroup|destroy"] = "XGROUP DESTROY k1 g", ["xgroup|setid"] = "XGROUP SETID k1 g $", ["xsetid"] = "XSETID k1 0-1",
        ["xtrim"] = "XTRIM k1 MAXLEN 1", ["zadd"] = "ZADD k1 1 m", ["zrem"] = "ZREM k1 m", ["zremrangebylex"] = "ZREMRANGEBYLEX k1 - +",
        ["zremrangebyrank"] = "ZREMRANGEBYRANK k1 0 1", ["zremrangebyscore"] = "ZREMRANGEBYSCORE k1 0 1",
        ["sort_ro"] = "SORT_RO k1", ["copy"] = "COPY k1 k2", ["pfmerge"] = "PFMERGE k1 k2",
        ["migrate"] = "MIGRATE h 1 k1 0 10", ["blmove"] = "BLMOVE k1 k2 LEFT LEFT 0.01", ["brpoplpush"] = "BRPOPLPUSH k1 k2 0.01",
        ["lmove"] = "LMOVE k1 k2 LEFT LEFT", ["rename"] = "RENAME k1 k2", ["renamenx"] = "RENAMENX k1 k2", ["rpoplpush"] = "RPOPLPUSH k1 k2",
        ["smove"] = "SMOVE k1 k2 m", ["bitop"] = "BITOP AND k1 k2", ["geosearchstore"] = "GEOSEARCHSTORE k1 k2 FROMLONLAT 0 0 BYRADIUS 1 km",
        ["sdiffstore"] = "SDIFFSTORE k1 k2", ["sinterstore"] = "SINTERSTORE k1 k2", ["sunionstore"] = "SUNIONSTORE k1 k2",
        ["zdiffstore"] = "ZDIFFSTORE k1 1 k2", ["zinterstore"] = "ZINTERSTORE k1 1 k2", ["zrangestore"] = "ZRANGESTORE k1 k2 0 1",
        ["zunionstore"] = "ZUNIONSTORE k1 1 k2", ["sort"] = "SORT k1 BY nosort STORE k2",
        ["georadius"] = "GEORADIUS k1 0 0 1 km STORE k2 STOREDIST k3", ["georadiusbymember"] = "GEORADIUSBYMEMBER k1 m 1 km STORE k2 STOREDIST k3",
    };

    internal static string Letters(KeySpecFlags f)
    {
        bool r = (f & A) != 0;
        bool w = (f & (I | D | U)) != 0;
        return r && w ? "RW" : r ? "R" : w ? "W" : "-";
    }

    private static IEnumerable<(string Group, string Command)> AppendixB()
    {
        string spec = File.ReadAllText(FindSpec());
        int start = spec.IndexOf("## Appendix B", StringComparison.Ordinal);
        Assert.True(start >= 0, "Appendix B not found");
        int end = spec.IndexOf("```", spec.IndexOf("```", start, StringComparison.Ordinal) + 3, StringComparison.Ordinal);
        foreach (Match m in Regex.Matches(spec[start..end], @"^\[([^\]]+)\] \((\d+)\): (.+)$", RegexOptions.Multiline))
        {
            var names = m.Groups[3].Value.Trim().Split(' ');
            Assert.Equal(int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), names.Length);
            foreach (var n in names)
            {
                yield return (m.Groups[1].Value, n);
            }
        }
    }

    private static string FindSpec()
    {
        foreach (var candidate in new[] { "/work/shared/spec/redis-acl-semantics.md" })
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var p = Path.Combine(dir.FullName, "shared", "spec", "redis-acl-semantics.md");
            if (File.Exists(p))
            {
                return p;
            }
        }

        Assert.Skip("redis-acl-semantics.md (Appendix B) not found");
        return null!;
    }

    [Fact]
    public void Appendix_B_oracle()
    {
        var entries = AppendixB().ToList();
        Assert.Equal(18 + 73 + 31 + 54 + 1 + 1 + 1 + 1 + 7 + 9 + 1 + 2, entries.Count);
        var failures = new List<string>();
        foreach (var (group, name) in entries)
        {
            Assert.True(ValidArgv.TryGetValue(name, out var line), "no argv for " + name);
            var argv = line.Split(' ');
            var cmd = Lookup(argv);
            Assert.Equal(name, cmd.FullName);
            Assert.True(KeyExtractor.CanHaveKeys(cmd), name);
            var (n, keys, error) = Run(argv);
            if (n < 0)
            {
                failures.Add($"{name}: {error}");
                continue;
            }

            // Appendix B lists one letter group per key spec (in order).
            var specLetters = cmd.KeySpecs.Where(s => (s.Flags & KeySpecFlags.NotKey) == 0).Select(s => Letters(s.Flags)).ToList();
            if (string.Join(' ', specLetters) != group)
            {
                failures.Add($"{name}: Appendix B [{group}], key specs [{string.Join(' ', specLetters)}]");
            }

            // The keys of this call walk the specs in order, each key with its spec's letters.
            int p = 0;
            foreach (var k in keys)
            {
                while (p < specLetters.Count && specLetters[p] != Letters(k.Flags))
                {
                    p++;
                }

                if (p == specLetters.Count)
                {
                    failures.Add($"{name}: key argv[{k.Index}] {Letters(k.Flags)} does not follow the specs [{group}]");
                    break;
                }
            }

            // Keys are named k1, k2, ... in key-spec order.
            for (int i = 0; i < n; i++)
            {
                if (argv[keys[i].Index] != "k" + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture))
                {
                    failures.Add($"{name}: key {i} at argv[{keys[i].Index}] = {argv[keys[i].Index]}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));

        // Every command of the table that can have keys is in Appendix B.
        var listed = entries.Select(e => e.Command).ToHashSet(StringComparer.Ordinal);
        var missing = CommandTable.Redis74.All.Where(c => KeyExtractor.CanHaveKeys(c) && !listed.Contains(c.FullName)).Select(c => c.FullName).ToList();
        Assert.True(missing.Count == 0, "not in Appendix B: " + string.Join(' ', missing));
    }

    [Fact]
    public void Set_and_bitfield_variants_of_appendix_B()
    {
        Assert.Equal("W", Letters(Run(A_("SET k1 v")).Keys[0].Flags));
        Assert.Equal("RW", Letters(Run(A_("SET k1 v XX get")).Keys[0].Flags));
        Assert.Equal("R", Letters(Run(A_("BITFIELD k1 GET u8 0")).Keys[0].Flags));
        Assert.Equal("RW", Letters(Run(A_("BITFIELD k1 INCRBY u8 0 1")).Keys[0].Flags));
    }
}
