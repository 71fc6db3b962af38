using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AclOperator.Acl.Commands;
using AclOperator.Acl.Tests.Infrastructure;

namespace AclOperator.Acl.Tests.Differential;

/// <summary>One command as a real redis-server describes it in <c>COMMAND</c> (full name, arity, categories).</summary>
internal sealed record ServerCommand(string FullName, long Arity, IReadOnlySet<string> Categories);

/// <summary>
/// Seeded generators for <see cref="AclSemanticsDifferentialTests"/>: ACL SETUSER rule lists over a small vocabulary,
/// and DRYRUN argv over the same small key/channel alphabet as the generated patterns.
/// </summary>
/// <remarks>
/// Never generated, because Redis 7.0 and our 7.4 engine (or Redis 7.4 itself) deliberately or knowingly differ:
/// <c>%~</c> and <c>%</c> alone (CVE-2024-31227 / crash), unbalanced quotes inside selectors (README "Deliberate
/// differences"), commands and subcommands that do not exist in the server, the hash-field-expiry commands.
/// </remarks>
internal sealed class AclDifferentialGenerator
{
    /// <summary>Key names and channel names used in DRYRUN calls.</summary>
    internal static readonly string[] Names = ["a", "b", "c", "ab", "ba", "ac", "abc", "bb", "a1", ""];

    /// <summary>Glob patterns for keys and channels (no whitespace: those are generated on purpose elsewhere).</summary>
    internal static readonly string[] Patterns =
    [
        "a", "b", "ab", "a*", "b*", "*a", "*", "?", "a?", "[ab]", "[ab]*", "*b*", "c", "", "a\\*", "[^a]*", "ab*", "a1",
    ];

    // Hash-field expiry: only in 7.4 (the Debian server is 7.0).
    internal static readonly HashSet<string> Only74 = new(StringComparer.Ordinal)
    {
        "hexpire", "hexpireat", "hpexpire", "hpexpireat", "httl", "hpttl", "hexpiretime", "hpexpiretime", "hpersist",
    };

    private static readonly string[] s_passwords = ["p1", "p2", "", "P1", "pass word"];

    private static readonly string[] s_popular =
    [
        "get", "set", "mget", "mset", "del", "exists", "publish", "subscribe", "psubscribe", "ssubscribe", "spublish", "select",
        "config|get", "config|set", "client|list", "client|kill", "hget", "hset", "incr", "lpush", "copy", "rename", "type",
        "ping", "echo", "eval", "evalsha_ro", "zunionstore", "xread", "keys", "flushall", "acl|whoami", "acl|cat", "object|encoding",
        "bitfield", "sort", "blmpop", "lmove", "pfmerge", "unsubscribe", "punsubscribe", "auth", "hello", "info", "scan",
    ];

    private static readonly string[] s_firstArgs = ["0", "1", "a", "b", "GET", "Ab", "x|y"];

    private static readonly string[] s_bogusCommands =
    [
        "nosuchcmd", "gett", "config|nosuch", "get|", "config|", "nosuch|get", "client|kill|x", "config|get|x", "get|a|b",
        "nosuch|get|x", "acl|setuser|x", "", "@", "|", "get||", "|get",
    ];

    private static readonly string[] s_garbage =
    [
        "foo", "@read", "x)", "on2", "ON", "Off", "NOPASS", "ResetPass", "%Z~a", "%X~a", "%RR~a", "%RWR~a", "%R", "%W", "%RW",
        "%WR", "~a b", "+get set", "&a b", "\t", " ", "allkeys ", "~*x", "&*x", "RESET", "ClearSelectors", "nocommands ",
        "\"~a\"", "~a\nb", "resetkeys\r", "~a\0b", "&a\0", "+get\0x", "(~a\0b +get)", "(~b +get\0 -get)", "~\u00e9*", "&\u00e9",
        ">\0", "(~\u00e9 &\u00e9)",
    ];

    private static readonly string[] s_invalidHashes =
    [
        "abc", new string('A', 64), new string('a', 63), new string('a', 65), new string('g', 64), "",
        "5E884898DA28047151D0E56F8DC6292773603D0D6AABBDD62A11EF721D1542D8",
    ];

    private readonly Random _rng;
    private readonly bool _permissive;
    private readonly List<string> _topLevel;
    private readonly List<string> _subcommands;
    private readonly List<string> _plain;
    private readonly List<RedisCommand> _dryRunPool;
    private readonly List<RedisCommand> _popular;

    /// <param name="seed">Random seed.</param>
    /// <param name="server">The server's commands (<see cref="LoadServerCommandsAsync"/>).</param>
    /// <param name="comparable">Commands usable in DRYRUN (same arity and categories in the server and the engine).</param>
    /// <param name="permissive">Fewer failing rules and more grants (for the DRYRUN test, so that allowed calls and key
    /// and channel denials are frequent, not only command denials).</param>
    public AclDifferentialGenerator(int seed, IReadOnlyDictionary<string, ServerCommand> server, IReadOnlySet<string> comparable, bool permissive = false)
    {
        _rng = new Random(seed);
        _permissive = permissive;
        var table = CommandTable.Redis74;
        // Rule names: every command and subcommand both versions know (their category membership does not matter for
        // +cmd / -cmd; DRYRUN is restricted to the comparable ones).
        _topLevel = table.TopLevel.Where(c => server.ContainsKey(c.FullName)).Select(c => c.FullName).ToList();
        _subcommands = table.All.Where(c => c.Parent is not null && server.ContainsKey(c.FullName)).Select(c => c.FullName).ToList();
        _plain = table.TopLevel
            .Where(c => !c.IsContainer && server.ContainsKey(c.FullName) && !server.Keys.Any(k => k.StartsWith(c.FullName + "|", StringComparison.Ordinal)))
            .Select(c => c.FullName).ToList();
        _dryRunPool = table.All.Where(c => !c.IsContainer && comparable.Contains(c.FullName)).ToList();
        _popular = s_popular.Select(n => table.FindByFullName(n)).OfType<RedisCommand>().Where(c => comparable.Contains(c.FullName)).ToList();
    }

    public Random Rng => _rng;

    internal static string Sha256Hex(string password) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(password)));

    /// <summary>The 7.0 metadata of every command and subcommand, from <c>COMMAND</c>.</summary>
    internal static async Task<Dictionary<string, ServerCommand>> LoadServerCommandsAsync(RespClient client)
    {
        var reply = (await client.CallAsync("COMMAND")).ThrowIfError();
        var result = new Dictionary<string, ServerCommand>(StringComparer.Ordinal);
        foreach (var entry in reply.Items)
        {
            Add(entry);
        }

        return result;

        void Add(RespReply e)
        {
            string name = e.Items[0].GetString().ToLowerInvariant();
            var categories = e.Items.Count > 6
                ? e.Items[6].Items.Select(c => c.GetString().TrimStart('@').ToLowerInvariant()).ToHashSet(StringComparer.Ordinal)
                : [];
            result[name] = new ServerCommand(name, e.Items[1].Integer, categories);
            if (e.Items.Count > 9)
            {
                foreach (var sub in e.Items[9].Items)
                {
                    Add(sub);
                }
            }
        }
    }

    /// <summary>The engine's category names for a command.</summary>
    internal static HashSet<string> EngineCategories(RedisCommand cmd)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < AclCategoryNames.All.Count; i++)
        {
            if ((cmd.Categories & (AclCategories)(1u << i)) != 0)
            {
                set.Add(AclCategoryNames.All[i]);
            }
        }

        return set;
    }

    /// <summary>A random rule list (each element one SETUSER argument).</summary>
    public List<string> Rules()
    {
        int n = _rng.Next(10) switch
        {
            0 => 0,
            < 4 => _rng.Next(1, 4),
            < 8 => _rng.Next(3, 8),
            _ => _rng.Next(6, 14),
        };
        var rules = new List<string>();
        if (_permissive && _rng.Next(2) == 0)
        {
            // A broad grant first, so that later rules carve exceptions out of it.
            rules.Add(Pick("+@all", "allcommands", "+@read", "+@write", "+@keyspace", "+@string", "+@pubsub", "+@fast", "+@slow", "+@hash"));
        }

        for (int i = 0; i < n; i++)
        {
            AddRule(rules);
        }

        // A selector left open at the end (the unmatched-parenthesis error), rarely.
        if (_rng.Next(60) == 0)
        {
            rules.Add(_rng.Next(2) == 0 ? "(" : "(" + SelectorToken());
        }

        return rules;
    }

    private void AddRule(List<string> rules)
    {
        int kind = _rng.Next(34);
        if (_permissive && kind is (>= 26 and <= 29) or 31 or 3 or 5 && _rng.Next(4) != 0)
        {
            kind = _rng.Next(2) == 0 ? 33 : 6; // a command rule or a selector token instead of a likely failure
        }

        switch (kind)
        {
            case 0:
                rules.Add(Pick("on", "off", "on", "On"));
                break;
            case 1:
                rules.Add(Pick("nopass", "resetpass"));
                break;
            case 2:
                rules.Add(">" + Pick(s_passwords));
                break;
            case 3:
                rules.Add("<" + Pick(s_passwords));
                break;
            case 4:
            case 5:
                rules.Add((_rng.Next(2) == 0 ? "#" : "!") + (_rng.Next(3) == 0 ? Pick(s_invalidHashes) : Sha256Hex(Pick(s_passwords))));
                break;
            case 6:
            case 7:
            case 8:
            case 9:
            case 10:
            case 11:
            case 12:
            case 13:
            case 14:
            case 15:
            case 16:
            case 17:
            case 18:
                rules.Add(SelectorToken());
                break;
            case 19:
            case 20:
            case 21:
                rules.Add(SelectorToken(keysOnly: true));
                break;
            case 22:
            case 23:
            case 24:
            {
                // A selector in one argument.
                int k = _rng.Next(0, 5);
                var body = new List<string>();
                for (int j = 0; j < k; j++)
                {
                    body.Add(_rng.Next(12) == 0 ? InvalidInSelector() : SelectorToken(quoted: true));
                }

                rules.Add("(" + string.Join(' ', body) + ")");
                break;
            }

            case 25:
            {
                // A selector spread over several arguments: "(" "~a" "+get)" or "(~a" "&b" ")".
                int k = _rng.Next(1, 4);
                var parts = new List<string>();
                for (int j = 0; j < k; j++)
                {
                    parts.Add(SelectorToken(quoted: true));
                }

                if (_rng.Next(2) == 0)
                {
                    rules.Add("(");
                    rules.AddRange(parts);
                    rules.Add(")");
                }
                else
                {
                    parts[0] = "(" + parts[0];
                    parts[^1] += ")";
                    rules.AddRange(parts);
                }

                break;
            }

            case 26:
                rules.Add(Pick("clearselectors", "clearselectors", "reset"));
                break;
            case 27:
                rules.Add(string.Empty);
                break;
            case 28:
            case 29:
                rules.Add(Pick(s_garbage));
                break;
            case 30:
                rules.Add(Pick("sanitize-payload", "skip-sanitize-payload"));
                break;
            case 31:
                rules.Add((_rng.Next(2) == 0 ? "+" : "-") + Pick(s_bogusCommands));
                break;
            default:
                rules.Add(CommandRule());
                break;
        }
    }

    /// <summary>A token valid in both places (root or inside a selector) per §2.4, mostly successful.</summary>
    private string SelectorToken(bool keysOnly = false, bool quoted = false)
    {
        int kind = keysOnly ? _rng.Next(4) : _rng.Next(14);
        switch (kind)
        {
            case 0:
            case 1:
                return "~" + Pick(Patterns);
            case 2:
                // %<perm>~pattern; never %~ (CVE-2024-31227 differs between versions).
                return "%" + Pick("R", "W", "RW", "WR", "rw", "r", "w", "Rw") + "~" + Pick(Patterns);
            case 3:
                return Pick("allkeys", "resetkeys", "~*", "AllKeys", "resetkeys");
            case 4:
            case 5:
                return "&" + Pick(Patterns);
            case 6:
                return Pick("allchannels", "resetchannels", "&*", "resetchannels", "ALLCHANNELS");
            case 7:
                return Pick("allcommands", "nocommands", "+@all", "-@all", "+@ALL");
            case 8:
            case 9:
                return CategoryRule();
            case 10:
                if (quoted)
                {
                    // Balanced quoting, as sdssplitargs reads it inside a selector body.
                    return Pick("~\"a b\"", "'~ab'", "~\"a\\x62\"", "\"+get\"", "&'b*'", "\"\"", "~\"\"");
                }

                return CommandRule();
            default:
                return CommandRule();
        }
    }

    private string InvalidInSelector() =>
        Pick("on", ">p1", "nopass", "reset", "clearselectors", "@read", "foo", "(~a)", "skip-sanitize-payload", "#" + Sha256Hex("p1"));

    private string CategoryRule()
    {
        string cat = _rng.Next(12) == 0 ? Pick("nosuch", "reads", "", "all ", "Read") : AclCategoryNames.All[_rng.Next(AclCategoryNames.All.Count)];
        return (_rng.Next(2) == 0 ? "+@" : "-@") + MixCase(cat);
    }

    private string CommandRule()
    {
        string sign = _rng.Next(5) < (_permissive ? 4 : 3) ? "+" : "-";
        string name = _rng.Next(10) switch
        {
            < 4 => _popular[_rng.Next(_popular.Count)].FullName,
            < 6 => _topLevel[_rng.Next(_topLevel.Count)],
            < 8 => _subcommands[_rng.Next(_subcommands.Count)],
            _ => Pick("select", "get", "set", "ping", "publish", _plain[_rng.Next(_plain.Count)]) + "|" + Pick(s_firstArgs),
        };
        return sign + MixCase(name);
    }

    private string MixCase(string s)
    {
        if (_rng.Next(4) != 0)
        {
            return s;
        }

        var chars = s.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
        {
            if (_rng.Next(2) == 0)
            {
                chars[i] = char.ToUpperInvariant(chars[i]);
            }
        }

        return new string(chars);
    }

    /// <summary>A DRYRUN argv (command name first) with a valid arity for the command.</summary>
    public string[] DryRunArgv(IReadOnlyList<string> ruleTokens)
    {
        RedisCommand cmd;
        int pick = _rng.Next(10);
        var named = pick < 6 ? NamedInRules(ruleTokens, viaCategory: pick >= 3) : null;
        if (named is not null)
        {
            cmd = named;
        }
        else if (pick < 6)
        {
            cmd = _popular[_rng.Next(_popular.Count)];
        }
        else
        {
            cmd = _dryRunPool[_rng.Next(_dryRunPool.Count)];
        }

        return Argv(cmd);
    }

    /// <summary>A command named by a rule (or, with <paramref name="viaCategory"/>, in a category named by one).</summary>
    private RedisCommand? NamedInRules(IReadOnlyList<string> ruleTokens, bool viaCategory)
    {
        var candidates = new List<RedisCommand>();
        foreach (var t in ruleTokens)
        {
            foreach (var part in t.Split([' ', '(', ')'], StringSplitOptions.RemoveEmptyEntries))
            {
                if (viaCategory)
                {
                    if (part.Length > 2 && part[0] == '+' && part[1] == '@' && AclCategoryNames.TryParse(part.AsSpan(2), out var cat))
                    {
                        var inCat = CommandTable.Redis74.InCategory(cat).Where(c => !c.IsContainer && _dryRunPool.Contains(c)).ToList();
                        if (inCat.Count > 0)
                        {
                            candidates.Add(inCat[_rng.Next(inCat.Count)]);
                        }
                    }
                }
                else if (part.Length > 1 && (part[0] == '+' || part[0] == '-') && part[1] != '@')
                {
                    string name = part[1..];
                    var cmd = CommandTable.Redis74.FindByFullName(name) ?? CommandTable.Redis74.FindByFullName(name.Split('|')[0]);
                    if (cmd is not null && !cmd.IsContainer && _dryRunPool.Contains(cmd))
                    {
                        candidates.Add(cmd);
                    }
                }
            }
        }

        return candidates.Count == 0 ? null : candidates[_rng.Next(candidates.Count)];
    }

    private string Key() => _rng.Next(15) == 0 ? string.Empty : Names[_rng.Next(Names.Length - 1)];

    private string Arg() => _rng.Next(10) switch
    {
        < 6 => Key(),
        6 => Pick("0", "1", "2"),
        7 => Pick("GET", "get", "SET", "INCRBY", "u8", "LEFT", "MIN", "STORE", "BY", "NX", "EX", "10"),
        _ => Pick("x", "a*", "ch*", "1.5", "-1", "$", ">"),
    };

    private string[] Argv(RedisCommand cmd)
    {
        string first = MixCase(cmd.Parent?.Name ?? cmd.Name);
        var argv = new List<string> { first };
        if (cmd.Parent is not null)
        {
            argv.Add(MixCase(cmd.Name));
        }

        int min = Math.Abs(cmd.Arity);
        int argc = cmd.Arity >= 0 ? cmd.Arity : min + _rng.Next(0, 4);
        switch (cmd.GetKeysFunction)
        {
            case "evalGetKeys" or "functionGetKeys":
            {
                int keys = _rng.Next(0, 4);
                argv.Add("s");
                argv.Add(NumKeys(keys));
                Repeat(argv, keys, Key);
                Repeat(argv, _rng.Next(0, 2), Arg);
                return [.. argv];
            }

            case "zunionInterDiffStoreGetKeys":
            {
                int keys = _rng.Next(1, 4);
                argv.Add(Key());
                argv.Add(NumKeys(keys));
                Repeat(argv, keys, Key);
                return [.. argv];
            }

            case "zunionInterDiffGetKeys" or "sintercardGetKeys":
            {
                int keys = _rng.Next(1, 4);
                argv.Add(NumKeys(keys));
                Repeat(argv, keys, Key);
                return [.. argv];
            }

            case "lmpopGetKeys" or "zmpopGetKeys" or "blmpopGetKeys" or "bzmpopGetKeys":
            {
                int keys = _rng.Next(1, 4);
                if (cmd.GetKeysFunction.StartsWith('b'))
                {
                    argv.Add("0.01");
                }

                argv.Add(NumKeys(keys));
                Repeat(argv, keys, Key);
                argv.Add(cmd.GetKeysFunction.Contains("lmpop", StringComparison.Ordinal) ? Pick("LEFT", "RIGHT") : Pick("MIN", "MAX"));
                return [.. argv];
            }

            case "xreadGetKeys":
            {
                int keys = _rng.Next(1, 4);
                if (cmd.Name == "xreadgroup")
                {
                    argv.AddRange(["GROUP", Key() is { Length: > 0 } g ? g : "g", "c"]);
                }

                if (_rng.Next(2) == 0)
                {
                    argv.AddRange(["COUNT", "1"]);
                }

                argv.Add("STREAMS");
                Repeat(argv, _rng.Next(40) == 0 ? keys + 1 : keys, Key); // rarely unbalanced
                Repeat(argv, keys, () => cmd.Name == "xreadgroup" ? ">" : "0");
                return [.. argv];
            }

            case "migrateGetKeys":
                if (_rng.Next(2) == 0)
                {
                    argv.AddRange(["h", "1", Key(), "0", "1"]);
                }
                else
                {
                    argv.AddRange(["h", "1", string.Empty, "0", "1", "KEYS"]);
                    Repeat(argv, _rng.Next(1, 4), Key);
                }

                return [.. argv];
            default:
                break;
        }

        while (argv.Count < argc)
        {
            argv.Add(argv.Count == (cmd.Parent is null ? 1 : 2) ? Key() : Arg());
        }

        return [.. argv];
    }

    /// <summary>Usually <paramref name="count"/>; rarely an invalid numkeys (the engine then fails closed).</summary>
    private string NumKeys(int count) =>
        _rng.Next(40) == 0 ? Pick("x", "-1", "9", "0") : count.ToString(CultureInfo.InvariantCulture);

    private static void Repeat(List<string> argv, int n, Func<string> next)
    {
        for (int i = 0; i < n; i++)
        {
            argv.Add(next());
        }
    }

    private string Pick(params string[] options) => options[_rng.Next(options.Length)];
}
