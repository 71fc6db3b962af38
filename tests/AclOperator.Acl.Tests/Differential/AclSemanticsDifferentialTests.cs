using System.Globalization;
using System.Text;
using AclOperator.Acl.Commands;
using AclOperator.Acl.Evaluation;
using AclOperator.Acl.Rendering;
using AclOperator.Acl.Tests.Infrastructure;
using AclOperator.Acl.Users;
using Xunit;

namespace AclOperator.Acl.Tests.Differential;

/// <summary>
/// Seeded differential test of ACL semantics: the engine against a real redis-server (Debian's 7.0 in CI).
/// ACL SETUSER outcomes and error texts, ACL GETUSER flags/passwords/keys/channels (selectors included), and the command
/// permissions compared behaviourally through ACL DRYRUN (the 7.0 rendering of command rules differs from 7.2+, so the
/// commands part of GETUSER is never compared).
/// </summary>
/// <remarks>
/// 7.0 → 7.4 deltas handled here: 7.0 shows the <c>sanitize-payload</c> flag only when it was set explicitly (it is not
/// part of a new user), so that flag is ignored on both sides; commands that 7.0 lacks, or whose arity or categories
/// differ, are never used in DRYRUN (and are not used in rules when 7.0 lacks them). Deliberate engine differences
/// (README): <c>%RW~*</c> renders as <c>%RW~*</c> (Redis: <c>~*</c>); fail-closed key extraction
/// (<see cref="AclCheckOutcome.InvalidArguments"/>) and SORT BY/GET pattern checks (not part of DRYRUN) are counted and
/// skipped; PFMERGE with only a destination checks that key (Redis checks none).
/// </remarks>
public sealed class AclSemanticsDifferentialTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    /// <summary>Fixed seed; <c>ACL_DIFF_SEED</c> overrides it to explore (the suite itself always runs the fixed one).</summary>
    private static readonly int Seed =
        int.TryParse(Environment.GetEnvironmentVariable("ACL_DIFF_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int s) ? s : 740_2024;
    private const int UserCases = 2000;
    private const int DryRunsPerUser = 20;

    private static readonly CommandTable Table = CommandTable.Redis74;

    [Fact]
    public async Task SetUser_outcomes_and_GetUser_match_redis_server()
    {
        var (client, server, comparable) = await ConnectAsync();
        await using var _ = client;
        var cases = BuildCases(Seed, server, comparable, "s");
        var replies = await ApplyOnServerAsync(client, cases);

        var failures = new List<string>();
        int errorsCompared = 0, usersCompared = 0, selectorsCompared = 0;
        var reasons = new SortedDictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            var r = replies[i];
            for (int step = 0; step < c.Steps.Count; step++)
            {
                string theirs = Show(r.SetUser[step]);
                string ours = c.EngineErrors[step] is { } e ? "-ERR " + AclText.ToUtf8(e) : "+OK"; // engine texts are byte-strings
                if (theirs != ours)
                {
                    failures.Add($"SETUSER {c.Name} {ShowArgs(c.Steps[step])}: redis {theirs} / engine {ours}");
                }

                if (ours != "+OK")
                {
                    errorsCompared++;
                    string reason = ours.Contains("Unmatched parenthesis", StringComparison.Ordinal) ? "Unmatched parenthesis"
                        : ours.Contains("': ", StringComparison.Ordinal) ? ours[(ours.LastIndexOf("': ", StringComparison.Ordinal) + 3)..] : ours;
                    reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
                }
            }

            string? diff = CompareGetUser(r.GetUser, c.User);
            if (diff is not null)
            {
                failures.Add($"GETUSER {c.Name} after {string.Join(" ; ", c.Steps.Select(ShowArgs))}: {diff}");
            }
            else if (c.User is not null)
            {
                usersCompared++;
                selectorsCompared += c.User.Selectors.Count - 1;
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"seed {Seed}: {cases.Count} users, {cases.Sum(c => c.Steps.Count)} SETUSER compared ({errorsCompared} errors), {usersCompared} GETUSER compared, {selectorsCompared} extra selectors");
        TestContext.Current.TestOutputHelper?.WriteLine(string.Join('\n', reasons.Select(r => $"  {r.Value,5} {r.Key}")));
        Assert.True(failures.Count == 0, $"{failures.Count} mismatches:\n" + string.Join('\n', failures.Take(40)));
        Assert.True(reasons.Count >= 8, "too few distinct error reasons: " + reasons.Count);
        Assert.True(errorsCompared > 300, "too few error cases: " + errorsCompared);
        Assert.True(usersCompared > 500, "too few successful users: " + usersCompared);
        Assert.True(selectorsCompared > 200, "too few selectors: " + selectorsCompared);
    }

    [Fact]
    public async Task DryRun_matches_redis_server()
    {
        var (client, server, comparable) = await ConnectAsync();
        await using var _ = client;
        var cases = BuildCases(Seed + 1, server, comparable, "d", permissive: true);
        var applied = await ApplyOnServerAsync(client, cases);
        var gen = new AclDifferentialGenerator(Seed + 2, server, comparable);

        // Turn every created user on, on both sides (DRYRUN ignores on/off, but users in the field are on).
        var users = new List<(GeneratedCase Case, AclUser User)>();
        var requests = new List<byte[][]>();
        for (int i = 0; i < cases.Count; i++)
        {
            var c = cases[i];
            if (c.User is null || applied[i].GetUser.IsNull)
            {
                continue;
            }

            var on = AclUserRules.Apply(c.Name, c.User, ["on"], AclOptions.Default);
            Assert.True(on.Succeeded, on.Error);
            users.Add((c, on.User!));
            requests.Add(Encode(["ACL", "SETUSER", c.Name, "on"]));
        }

        var dryRuns = new List<(AclUser User, GeneratedCase Case, string[] Argv)>();
        foreach (var (c, user) in users)
        {
            var tokens = c.Steps.SelectMany(s => s).ToList();
            for (int j = 0; j < DryRunsPerUser; j++)
            {
                string[] argv = gen.DryRunArgv(tokens);
                dryRuns.Add((user, c, argv));
                requests.Add(Encode(["ACL", "DRYRUN", c.Name, .. argv]));
            }
        }

        var replies = await client.PipelineAsync(requests, TestContext.Current.CancellationToken);
        var failures = new List<string>();
        for (int i = 0; i < users.Count; i++)
        {
            if (Show(replies[i]) != "+OK")
            {
                failures.Add($"ACL SETUSER {users[i].Case.Name} on: {replies[i]}");
            }
        }

        int compared = 0, allowed = 0, deniedCmd = 0, deniedKey = 0, deniedChannel = 0, sortPatterns = 0, pfmergeDest = 0;
        var failClosed = new List<(string[] Argv, string Error)>();
        for (int i = 0; i < dryRuns.Count; i++)
        {
            var (user, c, argv) = dryRuns[i];
            var reply = replies[users.Count + i];
            var cmd = Resolve(argv);
            var b = ArgvBuilder.From(argv);
            var result = AclEvaluator.Check(user, cmd, b.Args);
            if (result.Outcome == AclCheckOutcome.InvalidArguments)
            {
                // Deliberate (README): keys that cannot be resolved fail closed with the command's own error; Redis's
                // DRYRUN checks such a call with zero keys. Verified below to happen only for invalid argv.
                failClosed.Add((argv, result.Error!));
                continue;
            }

            if (result.Outcome == AclCheckOutcome.DeniedSortPattern)
            {
                // SORT BY/GET pattern checks are done by sortCommand, not by DRYRUN.
                sortPatterns++;
                continue;
            }

            if (cmd.FullName == "pfmerge" && argv.Length == 2)
            {
                // Deliberate (KeyExtractor): PFMERGE with only the destination checks it; Redis checks no key.
                pfmergeDest++;
                continue;
            }

            string ours = result.IsAllowed ? "+OK" : "$" + AclText.ToUtf8(DryRunText70(result.DryRunText(user, cmd, b.Args), user));
            string theirs = Show(reply);
            compared++;
            switch (result.Outcome)
            {
                case AclCheckOutcome.Allowed: allowed++; break;
                case AclCheckOutcome.DeniedCommand: deniedCmd++; break;
                case AclCheckOutcome.DeniedKey: deniedKey++; break;
                case AclCheckOutcome.DeniedChannel: deniedChannel++; break;
                default: break;
            }

            if (ours != theirs)
            {
                failures.Add($"{AclUserRenderer.AclListLine(user)} | rules {string.Join(" ; ", c.Steps.Select(ShowArgs))} | DRYRUN {ShowArgs(argv)}: redis {theirs} / engine {ours}");
            }
        }

        // Fail-closed calls: Redis's own key extraction must fail too (GETKEYS error), or the command itself must reply
        // exactly the engine's error (the stricter cases of KeyExtractorDifferentialTests).
        var getKeys = await client.PipelineAsync(failClosed.Select(f => Encode(["COMMAND", "GETKEYS", .. f.Argv])).ToList(), TestContext.Current.CancellationToken);
        var toExecute = new List<(string[] Argv, string Error)>();
        for (int i = 0; i < failClosed.Count; i++)
        {
            if (!getKeys[i].IsError)
            {
                toExecute.Add(failClosed[i]);
            }
        }

        var executed = await client.PipelineAsync(toExecute.Select(f => Encode(f.Argv)).ToList(), TestContext.Current.CancellationToken);
        for (int i = 0; i < toExecute.Count; i++)
        {
            var (argv, error) = toExecute[i];
            bool sameError = executed[i].IsError && (executed[i].Text == error || executed[i].Text == ErrorText70(error)
                // FCALL: "Function not found" comes first and depends on the server's functions.
                || (argv[0].StartsWith("fcall", StringComparison.OrdinalIgnoreCase) && executed[i].Text == "ERR Function not found"));
            if (!sameError)
            {
                failures.Add($"fail-closed {ShowArgs(toExecute[i].Argv)}: engine '{toExecute[i].Error}', the command replies {executed[i]}");
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"seed {Seed}: {users.Count} users, {compared} DRYRUN compared (allowed {allowed}, command {deniedCmd}, key {deniedKey}, channel {deniedChannel}); " +
            $"skipped: {failClosed.Count} fail-closed ({toExecute.Count} checked by execution), {sortPatterns} SORT pattern, {pfmergeDest} PFMERGE dest-only");
        Assert.True(failures.Count == 0, $"{failures.Count} mismatches:\n" + string.Join('\n', failures.Take(40)));
        Assert.True(compared > 20_000, "too few DRYRUN comparisons: " + compared);
        Assert.True(failClosed.Count * 50 < dryRuns.Count, $"fail-closed is not rare: {failClosed.Count} of {dryRuns.Count}");
        Assert.True(allowed > 1000 && deniedCmd > 1000 && deniedKey > 1000 && deniedChannel > 50,
            $"unbalanced outcomes: allowed {allowed}, command {deniedCmd}, key {deniedKey}, channel {deniedChannel}");
    }

    [Fact]
    public async Task Edge_cases_match_redis_server()
    {
        var (client, _, _) = await ConnectAsync();
        await using var __ = client;
        var failures = new List<string>();

        async Task<string> Redis(params string[] argv) => Show(await client.CallAsync(Encode(argv), TestContext.Current.CancellationToken));

        void Expect(string what, string theirs, string ours)
        {
            if (theirs != ours)
            {
                failures.Add($"{what}: redis {theirs} / engine {ours}");
            }
        }

        static string EngineSetUser(string name, AclUser? existing, string[] rules, out AclUser? user)
        {
            var r = AclUserRules.Apply(name, existing, rules, AclOptions.Default);
            user = r.User ?? existing;
            return r.Succeeded ? "+OK" : "-ERR " + AclText.ToUtf8(r.Error!);
        }

        string EngineDryRun(AclUser user, params string[] argv)
        {
            var cmd = Resolve(argv);
            var b = ArgvBuilder.From(argv);
            var r = AclEvaluator.Check(user, cmd, b.Args);
            return r.IsAllowed ? "+OK" : "$" + AclText.ToUtf8(DryRunText70(r.DryRunText(user, cmd, b.Args), user));
        }

        async Task DryRunBoth(AclUser user, params string[] argv) =>
            Expect($"DRYRUN {user.Name} {ShowArgs(argv)}", await Redis(["ACL", "DRYRUN", user.Name, .. argv]), EngineDryRun(user, argv));

        // Usernames with whitespace or NUL.
        foreach (string name in new[] { "a b", "a\tb", "a\nb", " ", "a\0b", "a\vb" })
        {
            Expect($"SETUSER {ShowArgs([name])}", await Redis("ACL", "SETUSER", name, "on"), EngineSetUser(name, null, ["on"], out _));
        }

        // The default user cannot be deleted; DEFAULT is just a missing user.
        var table = new AclUserTable(AclOptions.Default);
        int deleted = table.DeleteUsers(["default"], out string? delError);
        Expect("DELUSER default", await Redis("ACL", "DELUSER", "default"), delError is null ? ":" + deleted.ToString(CultureInfo.InvariantCulture) : "-ERR " + delError);
        deleted = table.DeleteUsers(["nosuchuser", "x1", "default"], out delError);
        Expect("DELUSER nosuchuser x1 default", await Redis("ACL", "DELUSER", "nosuchuser", "x1", "default"), delError is null ? ":" + deleted.ToString(CultureInfo.InvariantCulture) : "-ERR " + delError);
        deleted = table.DeleteUsers(["DEFAULT"], out delError);
        Expect("DELUSER DEFAULT", await Redis("ACL", "DELUSER", "DEFAULT"), delError is null ? ":" + deleted.ToString(CultureInfo.InvariantCulture) : "-ERR " + delError);

        // The empty username is accepted.
        Expect("SETUSER \"\"", await Redis("ACL", "SETUSER", "", "on", "~a", "+get"), EngineSetUser("", null, ["on", "~a", "+get"], out var empty));
        Assert.NotNull(empty);
        Expect("GETUSER \"\"", CompareGetUser(await client.CallAsync("ACL", "GETUSER", ""), empty) ?? "same", "same");
        await DryRunBoth(empty, "get", "a");
        await DryRunBoth(empty, "get", "b");
        await DryRunBoth(empty, "set", "a", "v");

        // First-arg rule: +select|0.
        Expect("SETUSER fa", await Redis("ACL", "SETUSER", "fa", "on", "+select|0", "+SELECT|Ab"), EngineSetUser("fa", null, ["on", "+select|0", "+SELECT|Ab"], out var fa));
        await DryRunBoth(fa!, "select", "0");
        await DryRunBoth(fa!, "select", "1");
        await DryRunBoth(fa!, "SELECT", "ab");
        await DryRunBoth(fa!, "get", "0");
        Expect("SETUSER fa -select|0", await Redis("ACL", "SETUSER", "fa", "-select|0"), EngineSetUser("fa", fa, ["-select|0"], out fa));
        Expect("SETUSER fa +select|", await Redis("ACL", "SETUSER", "fa", "+select|"), EngineSetUser("fa", fa, ["+select|"], out fa));
        Expect("SETUSER fa +config|get|x", await Redis("ACL", "SETUSER", "fa", "+config|get|x"), EngineSetUser("fa", fa, ["+config|get|x"], out fa));
        Expect("SETUSER fa -select", await Redis("ACL", "SETUSER", "fa", "-select"), EngineSetUser("fa", fa, ["-select"], out fa));
        await DryRunBoth(fa!, "select", "0");

        // -@all +get versus +@all -get.
        Expect("SETUSER g1", await Redis("ACL", "SETUSER", "g1", "on", "~*", "-@all", "+get"), EngineSetUser("g1", null, ["on", "~*", "-@all", "+get"], out var g1));
        Expect("SETUSER g2", await Redis("ACL", "SETUSER", "g2", "on", "~*", "+@all", "-get"), EngineSetUser("g2", null, ["on", "~*", "+@all", "-get"], out var g2));
        foreach (var u in new[] { g1!, g2! })
        {
            await DryRunBoth(u, "get", "k");
            await DryRunBoth(u, "set", "k", "v");
            await DryRunBoth(u, "GET", "k");
            await DryRunBoth(u, "config", "get", "x");
            await DryRunBoth(u, "auth", "a", "b");
        }

        // PSUBSCRIBE compares patterns literally; SUBSCRIBE and PUBLISH glob-match.
        Expect("SETUSER ps", await Redis("ACL", "SETUSER", "ps", "on", "+@all", "&ch*", "&news"), EngineSetUser("ps", null, ["on", "+@all", "&ch*", "&news"], out var ps));
        await DryRunBoth(ps!, "psubscribe", "ch*");
        await DryRunBoth(ps!, "psubscribe", "ch1*");
        await DryRunBoth(ps!, "psubscribe", "news", "ch?");
        await DryRunBoth(ps!, "subscribe", "ch1", "news");
        await DryRunBoth(ps!, "subscribe", "ch1", "other");
        await DryRunBoth(ps!, "publish", "chx", "m");
        await DryRunBoth(ps!, "publish", "new", "m");
        await DryRunBoth(ps!, "punsubscribe", "zzz");
        await DryRunBoth(ps!, "unsubscribe", "zzz");

        // Selectors: the highest-ranked denial is reported.
        Expect("SETUSER sel", await Redis("ACL", "SETUSER", "sel", "on", "+get", "~a*", "(+set ~b*)", "(+publish &c*)"), EngineSetUser("sel", null, ["on", "+get", "~a*", "(+set ~b*)", "(+publish &c*)"], out var sel));
        await DryRunBoth(sel!, "get", "b1");
        await DryRunBoth(sel!, "del", "a1");
        await DryRunBoth(sel!, "publish", "d", "m");
        await DryRunBoth(sel!, "set", "b1", "v");

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    // ---------------------------------------------------------------------------------------------------------------

    private sealed record GeneratedCase(string Name, List<string[]> Steps, List<string?> EngineErrors, AclUser? User);

    private sealed record ServerReplies(List<RespReply> SetUser, RespReply GetUser);

    private async Task<(RespClient Client, Dictionary<string, ServerCommand> Server, HashSet<string> Comparable)> ConnectAsync()
    {
        Assert.SkipUnless(redis.IsAvailable, redis.SkipReason ?? "redis-server is not available");
        var client = await redis.ConnectAsync(TestContext.Current.CancellationToken);
        client.Timeout = TimeSpan.FromSeconds(30);
        var server = await AclDifferentialGenerator.LoadServerCommandsAsync(client);

        // Comparable in DRYRUN: the server knows the command with the same arity and categories.
        var comparable = new HashSet<string>(StringComparer.Ordinal);
        var differing = new List<string>();
        foreach (var cmd in Table.All)
        {
            if (AclDifferentialGenerator.Only74.Contains(cmd.FullName) || !server.TryGetValue(cmd.FullName, out var s))
            {
                continue;
            }

            if (s.Arity == cmd.Arity && s.Categories.SetEquals(AclDifferentialGenerator.EngineCategories(cmd)))
            {
                comparable.Add(cmd.FullName);
            }
            else
            {
                differing.Add(cmd.FullName);
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"redis {redis.ServerVersion}: {comparable.Count} comparable commands; differing arity/categories: {string.Join(' ', differing)}");
        return (client, server, comparable);
    }

    private static List<GeneratedCase> BuildCases(
        int seed, Dictionary<string, ServerCommand> server, HashSet<string> comparable, string prefix, bool permissive = false)
    {
        var gen = new AclDifferentialGenerator(seed, server, comparable, permissive);
        var cases = new List<GeneratedCase>(UserCases);
        for (int n = 0; n < UserCases; n++)
        {
            string name = prefix + n.ToString(CultureInfo.InvariantCulture);
            var steps = new List<string[]> { gen.Rules().ToArray() };
            if (gen.Rng.Next(4) == 0)
            {
                steps.Add(gen.Rules().ToArray()); // incremental: a second SETUSER on the same user
            }

            AclUser? user = null;
            var errors = new List<string?>();
            foreach (var rules in steps)
            {
                var r = AclUserRules.Apply(name, user, rules.Select(Utf8).ToList(), AclOptions.Default);
                errors.Add(r.Error);
                user = r.User ?? user;
            }

            cases.Add(new GeneratedCase(name, steps, errors, user));
        }

        return cases;
    }

    private static async Task<List<ServerReplies>> ApplyOnServerAsync(RespClient client, List<GeneratedCase> cases)
    {
        var requests = new List<byte[][]>();
        foreach (var c in cases)
        {
            requests.Add(Encode(["ACL", "DELUSER", c.Name]));
            foreach (var rules in c.Steps)
            {
                requests.Add(Encode(["ACL", "SETUSER", c.Name, .. rules]));
            }

            requests.Add(Encode(["ACL", "GETUSER", c.Name]));
        }

        var replies = await client.PipelineAsync(requests, TestContext.Current.CancellationToken);
        var result = new List<ServerReplies>(cases.Count);
        int at = 0;
        foreach (var c in cases)
        {
            at++; // DELUSER
            var setUser = replies.Skip(at).Take(c.Steps.Count).ToList();
            at += c.Steps.Count;
            result.Add(new ServerReplies(setUser, replies[at++]));
        }

        return result;
    }

    /// <summary>
    /// 7.0 → 7.2 delta: Redis 7.0's DRYRUN texts start with <c>This user has no permissions</c>; 7.2+ (and the engine)
    /// name the user: <c>User &lt;name&gt; has no permissions</c>.
    /// </summary>
    private string DryRunText70(string engineText, AclUser user)
    {
        string prefix = "User " + user.Name + " has no permissions";
        return redis.ServerVersion < new Version(7, 2) && engineText.StartsWith(prefix, StringComparison.Ordinal)
            ? "This user has no permissions" + engineText[prefix.Length..]
            : engineText;
    }

    /// <summary>7.0's text for a command error whose wording changed in 7.4 (the 7.4 XREAD text names the command).</summary>
    private static string ErrorText70(string error) =>
        error.StartsWith("ERR Unbalanced '", StringComparison.Ordinal)
            ? "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified."
            : error;

    /// <summary>Compares GETUSER (everything except the commands texts); null when equal.</summary>
    private static string? CompareGetUser(RespReply reply, AclUser? user)
    {
        if (user is null || reply.IsNull)
        {
            return (user is null) == reply.IsNull ? null : $"redis {(reply.IsNull ? "(nil)" : "a user")} / engine {(user is null ? "no user" : "a user")}";
        }

        var theirs = ToMap(reply);
        var ours = AclUserRenderer.GetUser(user);
        var diffs = new List<string>();
        string theirFlags = string.Join(' ', theirs["flags"].Items.Select(f => f.GetString()).Where(f => f != "sanitize-payload"));
        string ourFlags = string.Join(' ', ours.Flags.Where(f => f != "sanitize-payload"));
        Check("flags", theirFlags, ourFlags);
        Check("passwords", string.Join(' ', theirs["passwords"].Items.Select(p => p.GetString())), string.Join(' ', ours.Passwords));
        Check("keys", theirs["keys"].GetString(), NormalizeKeys(AclText.ToUtf8(ours.Keys)));
        Check("channels", theirs["channels"].GetString(), AclText.ToUtf8(ours.Channels));
        var theirSelectors = theirs["selectors"].Items;
        if (theirSelectors.Count != ours.Selectors.Count)
        {
            diffs.Add($"selectors: redis {theirSelectors.Count} / engine {ours.Selectors.Count}");
        }
        else
        {
            for (int i = 0; i < theirSelectors.Count; i++)
            {
                var s = ToMap(theirSelectors[i]);
                Check($"selector {i + 1} keys", s["keys"].GetString(), NormalizeKeys(AclText.ToUtf8(ours.Selectors[i].Keys)));
                Check($"selector {i + 1} channels", s["channels"].GetString(), AclText.ToUtf8(ours.Selectors[i].Channels));
            }
        }

        return diffs.Count == 0 ? null : string.Join("; ", diffs);

        void Check(string what, string redisValue, string engineValue)
        {
            if (redisValue != engineValue)
            {
                diffs.Add($"{what}: redis '{redisValue}' / engine '{engineValue}'");
            }
        }
    }

    /// <summary>Deliberate difference (README, spec §10.4): a plain RW pattern <c>*</c> renders as <c>%RW~*</c>; Redis shows <c>~*</c>.</summary>
    private static string NormalizeKeys(string keys) =>
        string.Join(' ', keys.Split(' ').Select(k => k == "%RW~*" ? "~*" : k));

    private static Dictionary<string, RespReply> ToMap(RespReply reply)
    {
        var map = new Dictionary<string, RespReply>(StringComparer.Ordinal);
        for (int i = 0; i + 1 < reply.Items.Count; i += 2)
        {
            map[reply.Items[i].GetString()] = reply.Items[i + 1];
        }

        return map;
    }

    private static RedisCommand Resolve(string[] argv)
    {
        var cmd = Table.Find(argv[0].AsSpan())!;
        return cmd.IsContainer ? cmd.FindSubcommand(argv[1].ToLowerInvariant().AsSpan())! : cmd;
    }

    /// <summary>A reply as <c>+text</c>, <c>-error</c>, <c>$bulk</c>, <c>:n</c> or <c>(nil)</c>.</summary>
    private static string Show(RespReply reply) => reply.Type switch
    {
        RespReplyType.SimpleString => "+" + reply.Text,
        RespReplyType.Error => "-" + reply.Text,
        RespReplyType.BulkString => "$" + reply.Text,
        RespReplyType.Integer => ":" + reply.Integer.ToString(CultureInfo.InvariantCulture),
        _ => reply.ToString(),
    };

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    private static byte[][] Encode(string[] argv) => Array.ConvertAll(argv, Utf8);

    private static string ShowArgs(string[] argv) =>
        string.Join(' ', argv.Select(a => a.Length == 0 || a.Any(ch => ch is ' ' or '"' or '\\' || char.IsControl(ch))
            ? "\"" + a.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
                .Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal)
                .Replace("\t", "\\t", StringComparison.Ordinal).Replace("\0", "\\0", StringComparison.Ordinal) + "\""
            : a));
}
