using System.Globalization;
using System.Text;
using AclOperator.Acl.Commands;
using AclOperator.Acl.Evaluation;
using AclOperator.Acl.Tests.Infrastructure;
using Xunit;

namespace AclOperator.Acl.Tests.Evaluation;

/// <summary>
/// E1 differential test: our key extraction against a real redis-server's <c>COMMAND GETKEYSANDFLAGS</c> over seeded
/// random argv for every command that can have keys. Where we deliberately differ (fail closed) the difference is
/// checked: when we return -1 but Redis reports keys, the command itself must reply our error.
/// </summary>
public sealed class KeyExtractorDifferentialTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private const int PerCommand = 300;

    // Only in 7.4 (hash-field expiry); the Debian server is 7.0.
    private static readonly HashSet<string> s_only74 = new(StringComparer.Ordinal)
    {
        "hexpire", "hexpireat", "hpexpire", "hpexpireat", "httl", "hpttl", "hexpiretime", "hpexpiretime", "hpersist",
    };

    // Commands where, for valid argv, our keys deliberately differ from Redis's (Redis bugs, see KeyExtractor):
    // SORT (sortGetKeys does not consume STORE's argument), XREADGROUP (STREAMS searched from argv[4]).
    private static readonly HashSet<string> s_knownKeyDifferences = new(StringComparer.Ordinal) { "sort", "xreadgroup" };

    // Key-spec flags that changed between 7.0 and 7.4 (the 7.4 JSON is our table; the Debian server is 7.0).
    private static readonly HashSet<string> s_flagChanges70 = new(StringComparer.Ordinal) { "sinterstore" };

    private static readonly string[] s_tokens =
    [
        "k1", "k2", "k3", "", "0", "1", "2", "3", "-1", "x", "01", "+1", "1.5", "10", "STREAMS", "streams", "STORE", "STOREDIST",
        "KEYS", "GET", "get", "SET", "INCRBY", "OVERFLOW", "SAT", "u8", "BY", "LIMIT", "COUNT", "BLOCK", "GROUP", "NOACK",
        "AUTH", "AUTH2", "COPY", "REPLACE", "LEFT", "RIGHT", "MIN", "MAX", "WITHSCORES", "WEIGHTS", "AGGREGATE", "EX", "NX",
        "ASC", "DESC", "ALPHA", "#", "w_*", "km", ">", "$", "FULL", "m", "f",
    ];

    [Fact]
    public async Task GetKeys_matches_redis_server()
    {
        Assert.SkipUnless(redis.IsAvailable, redis.SkipReason ?? "redis-server is not available");
        await using var client = await redis.ConnectAsync(TestContext.Current.CancellationToken);
        client.Timeout = TimeSpan.FromSeconds(5);

        var rng = new Random(20240917);
        var cases = new List<string[]>();
        foreach (var cmd in CommandTable.Redis74.All)
        {
            if (!KeyExtractor.CanHaveKeys(cmd) || s_only74.Contains(cmd.FullName))
            {
                continue;
            }

            for (int i = 0; i < PerCommand; i++)
            {
                cases.Add(Generate(cmd, rng));
            }
        }

        // Hand-written shapes on top of the random ones.
        foreach (var line in new[]
        {
            "EVAL s 0", "EVAL s -1 a", "EVAL s 2abc a b", "EVAL s 9 a", "FCALL f 0", "ZUNIONSTORE d 0 a", "ZUNION 3 a b",
            "SINTERCARD 1 a LIMIT 1", "LMPOP 2 a b", "BLMPOP 0.01 2 a b LEFT", "XREAD STREAMS a", "XREAD STREAMS a b c",
            "XREAD COUNT 1 STREAMS a 0", "XREADGROUP GROUP g c STREAMS a >", "MIGRATE h 1 k 0 1 KEYS a", "PFMERGE d",
            "SORT k STORE d", "SORT k STORE", "GEORADIUS k 0 0 1 km STORE", "BITFIELD k GET u8 0", "SET k v GET",
        })
        {
            cases.Add(line.Split(' '));
        }

        var requests = cases.Select(c => Encode(["COMMAND", "GETKEYSANDFLAGS", .. c])).ToList();
        var replies = await client.PipelineAsync(requests, TestContext.Current.CancellationToken);

        var failures = new List<string>();
        var stricterToCheck = new List<(string[] Argv, string Error)>();
        var redisNoKeysWeHaveKeys = new SortedSet<string>(StringComparer.Ordinal);
        var keyDifferences = new SortedSet<string>(StringComparer.Ordinal);
        var flagDifferences = new SortedSet<string>(StringComparer.Ordinal);
        int compared = 0;
        for (int i = 0; i < cases.Count; i++)
        {
            var argv = cases[i];
            var reply = replies[i];
            var cmd = KeyExtractorTests.Lookup(argv);
            var (n, keys, error) = KeyExtractorTests.Run(argv);
            string ours = n < 0 ? "ERR" : Format(argv, keys);
            if (reply.IsError)
            {
                if (reply.Text!.Contains("Invalid command specified", StringComparison.Ordinal))
                {
                    continue; // not in 7.0
                }

                compared++;
                if (n >= 0)
                {
                    // Redis's ACL path would check no key at all; we check these keys (stricter).
                    redisNoKeysWeHaveKeys.Add(cmd.FullName);
                    if (n == 0)
                    {
                        failures.Add($"{Show(argv)}: Redis fails ({reply.Text}), we return 0 keys");
                    }
                }

                continue;
            }

            compared++;
            string theirs = FormatReply(reply);
            if (n < 0)
            {
                stricterToCheck.Add((argv, error!));
            }
            else if (ours != theirs && Names(ours) == Names(theirs))
            {
                flagDifferences.Add($"{cmd.FullName}: ours {ours} / redis {theirs}");
                // Redis falls back to a getkeys callback that reports no flags (xreadGetKeys, genericGetKeys…) when
                // a key spec does not resolve: its ACL then requires no permission bit; we keep the spec's flags.
                bool callbackWithoutFlags = theirs.Contains(":,", StringComparison.Ordinal) || theirs.EndsWith(":]", StringComparison.Ordinal);
                if (!s_flagChanges70.Contains(cmd.FullName) && !callbackWithoutFlags)
                {
                    failures.Add($"{Show(argv)}: flags ours {ours} / redis {theirs}");
                }
            }
            else if (ours != theirs)
            {
                if (s_knownKeyDifferences.Contains(cmd.FullName))
                {
                    keyDifferences.Add($"{Show(argv)} => ours {ours} / redis {theirs}");
                }
                else
                {
                    failures.Add($"{Show(argv)}: ours {ours} / redis {theirs}");
                }
            }
        }

        // Where we fail closed but GETKEYS gave keys, the command itself must reply exactly our error.
        var executed = await client.PipelineAsync(stricterToCheck.Select(s => Encode(s.Argv)).ToList(), TestContext.Current.CancellationToken);
        for (int i = 0; i < stricterToCheck.Count; i++)
        {
            var (argv, error) = stricterToCheck[i];
            var reply = executed[i];
            string cmdName = KeyExtractorTests.Lookup(argv).FullName;
            if (!reply.IsError)
            {
                failures.Add($"{Show(argv)}: we fail with '{error}' but the command ran: {reply}");
            }
            else if (reply.Text != error && reply.Text != To70(error)
                     && !(cmdName.StartsWith("fcall", StringComparison.Ordinal) && reply.Text == "ERR Function not found"))
            {
                // fcall: "Function not found" comes first and depends on the server's functions.
                failures.Add($"{Show(argv)}: we fail with '{error}', the command replies '{reply.Text}'");
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"compared {compared} argv; {stricterToCheck.Count} fail-closed verified by execution; Redis-no-keys-but-we-have: {string.Join(' ', redisNoKeysWeHaveKeys)}; known key differences: {keyDifferences.Count}");
        TestContext.Current.TestOutputHelper?.WriteLine("flag differences: " + string.Join('\n', flagDifferences.Select(f => f.Split(':')[0]).Distinct()));
        Assert.True(failures.Count == 0, string.Join('\n', failures.Take(60)));
        Assert.True(compared > 10000, "too few comparisons: " + compared);
    }

    [Fact]
    public async Task Redis_key_extraction_bugs_that_we_fix()
    {
        Assert.SkipUnless(redis.IsAvailable, redis.SkipReason ?? "redis-server is not available");
        await using var client = await redis.ConnectAsync(TestContext.Current.CancellationToken);

        // SORT: Redis checks "get", the command writes "victim"; we return victim.
        var sort = await client.CallAsync("COMMAND", "GETKEYS", "SORT", "k", "STORE", "get", "STORE", "victim");
        Assert.Equal("k get", string.Join(" ", sort.Items.Select(r => r.Text)));
        Assert.Equal(5, KeyExtractorTests.Run("SORT", "k", "STORE", "get", "STORE", "victim").Keys[1].Index);

        // XREADGROUP: Redis checks "STREAMS" (found from argv[4]), the command reads "victim".
        var xrg = await client.CallAsync("COMMAND", "GETKEYS", "XREADGROUP", "COUNT", "1", "GROUP", "g", "streams", "STREAMS", "victim", "0");
        Assert.Equal("STREAMS", string.Join(" ", xrg.Items.Select(r => r.Text)));
        Assert.Equal(7, KeyExtractorTests.Run("XREADGROUP", "COUNT", "1", "GROUP", "g", "streams", "STREAMS", "victim", "0").Keys[0].Index);

        // PFMERGE with only the destination: Redis finds no key at all.
        var pf = await client.CallAsync("COMMAND", "GETKEYS", "PFMERGE", "d");
        Assert.True(pf.IsError);
        Assert.Equal(1, KeyExtractorTests.Run("PFMERGE", "d").Count);
    }

    /// <summary>7.0's text for an error whose wording changed in 7.4 (the 7.4 text names the command).</summary>
    private static string To70(string error) =>
        error.StartsWith("ERR Unbalanced '", StringComparison.Ordinal)
            ? "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified."
            : error;

    private static string Names(string formatted) =>
        string.Join(',', formatted.Trim('[', ']').Split(", ", StringSplitOptions.RemoveEmptyEntries).Select(k => k[..Math.Max(0, k.LastIndexOf(':'))]));

    private static string[] Generate(RedisCommand cmd, Random rng)
    {
        int prefix = cmd.Parent is null ? 1 : 2;
        int min = Math.Abs(cmd.Arity);
        int argc = cmd.Arity >= 0 ? cmd.Arity : min + rng.Next(0, 9);
        var argv = new string[argc];
        argv[0] = cmd.Parent?.Name ?? cmd.Name;
        if (prefix == 2)
        {
            argv[1] = cmd.Name;
        }

        for (int i = prefix; i < argc; i++)
        {
            argv[i] = rng.Next(3) == 0 ? "k" + rng.Next(1, 9).ToString(CultureInfo.InvariantCulture) : s_tokens[rng.Next(s_tokens.Length)];
        }

        // Make the common shapes likely: a small numkeys where the command has one, STREAMS for XREAD*.
        if (cmd.GetKeysFunction is not null && rng.Next(2) == 0)
        {
            int at = cmd.GetKeysFunction switch
            {
                "evalGetKeys" or "functionGetKeys" or "zunionInterDiffStoreGetKeys" or "blmpopGetKeys" or "bzmpopGetKeys" => 2,
                "zunionInterDiffGetKeys" or "sintercardGetKeys" or "lmpopGetKeys" or "zmpopGetKeys" => 1,
                _ => 0,
            };
            if (at > 0 && at < argc)
            {
                argv[at] = rng.Next(0, argc).ToString(CultureInfo.InvariantCulture);
                if (cmd.GetKeysFunction is "blmpopGetKeys" or "bzmpopGetKeys")
                {
                    argv[1] = "0.01"; // never block
                }
            }
            else if (cmd.GetKeysFunction == "xreadGetKeys" && argc > 4)
            {
                argv[rng.Next(prefix, argc - 1)] = "STREAMS";
            }
            else if (cmd.GetKeysFunction == "migrateGetKeys" && argc > 6)
            {
                argv[3] = "";
                argv[rng.Next(6, argc)] = "KEYS";
            }
        }

        // Never block for long on a real blocking call.
        if (cmd.Flags.HasFlag(CommandFlags.Blocking))
        {
            for (int i = prefix; i < argc; i++)
            {
                if (argv[i] is "0")
                {
                    argv[i] = "1";
                }
            }
        }

        return argv;
    }

    private static byte[][] Encode(string[] argv) => Array.ConvertAll(argv, a => Encoding.UTF8.GetBytes(a));

    private static string Show(string[] argv) => string.Join(' ', argv.Select(a => a.Length == 0 ? "\"\"" : a));

    private static string Format(string[] argv, KeyReference[] keys) =>
        "[" + string.Join(", ", keys.Select(k => argv[k.Index] + ":" + FlagNames(k.Flags))) + "]";

    private static string FormatReply(RespReply reply) =>
        "[" + string.Join(", ", reply.Items.Select(pair =>
            pair.Items[0].Text + ":" + string.Join('|', pair.Items[1].Items.Select(f => f.Text!.ToUpperInvariant()).Order(StringComparer.Ordinal)))) + "]";

    private static string FlagNames(KeySpecFlags f)
    {
        var names = new List<string>();
        foreach (var (flag, name) in new[]
        {
            (KeySpecFlags.RO, "RO"), (KeySpecFlags.RW, "RW"), (KeySpecFlags.OW, "OW"), (KeySpecFlags.RM, "RM"),
            (KeySpecFlags.Access, "ACCESS"), (KeySpecFlags.Update, "UPDATE"), (KeySpecFlags.Insert, "INSERT"),
            (KeySpecFlags.Delete, "DELETE"), (KeySpecFlags.Incomplete, "INCOMPLETE"), (KeySpecFlags.VariableFlags, "VARIABLE_FLAGS"),
        })
        {
            if ((f & flag) != 0)
            {
                names.Add(name);
            }
        }

        return string.Join('|', names.Order(StringComparer.Ordinal));
    }
}
