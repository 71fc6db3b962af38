using AclOperator.Acl.Commands;
using AclOperator.Acl.Containment;
using AclOperator.Acl.Evaluation;
using AclOperator.Acl.Users;
using FsCheck;
using FsCheck.Fluent;
using Xunit;

namespace AclOperator.Acl.Tests.Containment;

/// <summary>
/// O2 property, with the engine's evaluator as oracle: a user that passes the ceiling check can never run what the
/// ceiling denies. Random ceilings (optionally with the tenant floor) and users (root plus selectors) come from a
/// small rule vocabulary; every scenario carries random argv for random commands.
/// </summary>
public sealed class ContainmentPropertyTests
{
    private static readonly string[] Commands =
    [
        "get", "set", "del", "exists", "mget", "mset", "hget", "hset", "hgetall", "lpush", "lrange", "lmove", "sort",
        "sort_ro", "copy", "rename", "publish", "spublish", "subscribe", "ssubscribe", "psubscribe", "select", "keys",
        "scan", "randomkey", "flushall", "flushdb", "config", "config|get", "config|set", "object", "object|encoding",
        "client|list", "client|kill", "eval", "incr", "getdel", "append", "strlen", "type", "touch", "sunionstore",
        "bitfield", "ping", "move", "swapdb", "pubsub|channels", "pubsub|numsub", "unlink", "expire", "getex",
        "hello", "auth", "monitor",
    ];

    private static readonly string[] Categories =
    [
        "read", "write", "string", "hash", "list", "keyspace", "pubsub", "admin", "dangerous", "fast", "slow", "set",
        "sortedset", "scripting", "connection",
    ];

    private static readonly string[] FirstArgRules = ["+select|0", "+select|1", "+get|a", "+get|AB", "+del|ab", "+ping|x"];

    private static readonly string[] KeyBodies =
    [
        "", "a", "b", "ab", "aa", "ba", "abc", "a*", "b*", "ab*", "aa*", "*", "a?", "a?c", "?b", "[ab]*", "a[bc]", "*a",
        "a*b", "a\\*", "ab?*",
    ];

    private static readonly string[] ChannelBodies = ["", "a", "ab", "a*", "ab*", "b*", "a?", "[ab]", "b", "*b"];

    private static readonly string[] ArgValues =
    [
        "", "a", "b", "ab", "aa", "abc", "ba", "a*", "ab*", "b*", "a?", "*", "?b", "0", "1", "2", "A", "AB", "x", "GET", "BY",
        "nosort", "STORE", "ab", "a",
    ];

    private static readonly Gen<string> CommandRule = Gen.Frequency(
        (6, Gen.Elements(Commands).Select(c => "+" + c)),
        (2, Gen.Elements(Commands).Select(c => "-" + c)),
        (4, Gen.Elements(Categories).Select(c => "+@" + c)),
        (2, Gen.Elements(Categories).Select(c => "-@" + c)),
        (1, Gen.Elements("+@all", "-@all", "allcommands")),
        (2, Gen.Elements(FirstArgRules)));

    private static readonly Gen<string> KeyRule = Gen.Frequency(
        (8, from perm in Gen.Elements("~", "~", "%R~", "%W~", "%RW~") from body in Gen.Elements(KeyBodies) select perm + body),
        (1, Gen.Elements("allkeys", "resetkeys")));

    private static readonly Gen<string> ChannelRule = Gen.Frequency(
        (8, Gen.Elements(ChannelBodies).Select(b => "&" + b)),
        (1, Gen.Elements("allchannels", "resetchannels")));

    private static readonly Gen<string> AnyRule = Gen.Frequency((5, CommandRule), (3, KeyRule), (2, ChannelRule));

    private static Gen<string[]> RulesOf(Gen<string> rule, int min, int max) =>
        from n in Gen.Choose(min, max)
        from rules in Gen.ArrayOf(rule, n)
        select rules;

    private static readonly Gen<string[]> CeilingRules =
        from commands in RulesOf(CommandRule, 1, 5)
        from keys in RulesOf(KeyRule, 0, 3)
        from channels in RulesOf(ChannelRule, 0, 2)
        from nopass in Gen.Frequency((1, Gen.Constant(true)), (3, Gen.Constant(false)))
        from order in Gen.Shuffle(commands.Concat(keys).Concat(channels).Concat(nopass ? ["nopass"] : Array.Empty<string>()))
        select order.ToArray() into rules
        where AclContainment.BuildCeiling(rules, applyTenantFloor: false, AclOptions.Default).Succeeded
        select rules;

    /// <summary>Narrows a ceiling: a subset of its own rules, refined patterns and extra denials (so many users pass).</summary>
    private static Gen<string[]> DerivedSelector(string[] ceiling) =>
        from subset in Gen.SubListOf(ceiling.Where(r => r != "nopass" && !r.StartsWith('-')).ToArray())
        from refinements in Gen.ArrayOf(Gen.Elements("a", "b", "c", "?", "*", "x*", "[ab]"), ceiling.Length)
        from refine in Gen.Elements(true, false)
        from denials in RulesOf(Gen.Elements("-@write", "-@dangerous", "-@admin", "-@scripting", "-set", "-keys", "-scan", "-select", "-psubscribe", "-@pubsub"), 0, 3)
        from perms in Gen.ArrayOf(Gen.Frequency((6, Gen.Constant<string?>(null)), (1, Gen.Elements<string?>("~", "%R~", "%W~"))), ceiling.Length)
        from extra in Gen.Frequency((1, RulesOf(AnyRule, 1, 1)), (3, Gen.Constant(Array.Empty<string>())))
        select ceiling.Where(r => r.StartsWith('-')).Concat(subset)
            .Select((r, i) => refine && (r.StartsWith('~') || r.StartsWith('%') || r.StartsWith('&')) && r.EndsWith('*') ? r[..^1] + refinements[i] : r)
            .Select((r, i) => perms[i] is { } perm && (r.StartsWith('~') || r.StartsWith('%')) ? perm + r[(r.IndexOf('~', StringComparison.Ordinal) + 1)..] : r)
            .Concat(denials).Concat(extra).ToArray();

    private static readonly Gen<string[]> RandomSelector =
        from commands in RulesOf(CommandRule, 0, 4)
        from keys in RulesOf(KeyRule, 0, 3)
        from channels in RulesOf(ChannelRule, 0, 2)
        select commands.Concat(keys).Concat(channels).ToArray();

    private static Gen<string[]> UserSelector(string[] ceiling) =>
        Gen.Frequency((1, RandomSelector), (6, DerivedSelector(ceiling)));

    private static readonly Gen<string[]> Argv =
        from name in Gen.Elements(Commands.Where(c => CommandTable.Redis74.FindByFullName(c) is { IsContainer: false }).ToArray())
        from extra in Gen.Choose(0, 3)
        from pool in Gen.ArrayOf(Gen.Elements(ArgValues), 8)
        select BuildArgv(name, extra, pool);

    private static readonly Gen<Scenario> Scenarios =
        from ceiling in CeilingRules
        from floor in Gen.Frequency((1, Gen.Constant(true)), (3, Gen.Constant(false)))
        from selectorCount in Gen.Frequency((5, Gen.Constant(1)), (3, Gen.Constant(2)), (1, Gen.Constant(3)))
        from selectors in Gen.ArrayOf(UserSelector(ceiling), selectorCount)
        from nopass in Gen.Frequency((1, Gen.Constant(true)), (6, Gen.Constant(false)))
        from argvs in Gen.ArrayOf(Argv, 100)
        select new Scenario(ceiling, floor, selectors, nopass, argvs);

    [Fact]
    public void Contained_users_never_run_what_the_ceiling_denies()
    {
        int scenarios = 0, contained = 0, notContained = 0, allowedCalls = 0, deniedByCeilingCalls = 0;
        var config = Config.QuickThrowOnFailure.WithMaxTest(300).WithQuietOnSuccess(true);
        var property = Prop.ForAll(Arb.From(Scenarios), (Scenario s) =>
        {
            var built = AclContainment.BuildCeiling(s.CeilingRules, s.Floor, AclOptions.Default);
            if (!built.Succeeded)
            {
                throw new InvalidOperationException("generated ceiling rules are valid: " + built.Error);
            }

            var ceiling = built.Ceiling!;
            var user = s.BuildUser();
            var result = AclContainment.Check(user, ceiling, built.AllowsNoPass);
            scenarios++;
            if (!result.IsContained)
            {
                notContained++;
                return true;
            }

            contained++;
            foreach (var args in s.Argvs.Concat(Probes(user)))
            {
                var command = Resolve(args);
                var argv = ArgvBuilder.From(args).Args;
                var byUser = AclEvaluator.Check(user, command, argv);
                if (byUser.Outcome == AclCheckOutcome.InvalidArguments || !byUser.IsAllowed)
                {
                    continue;
                }

                allowedCalls++;
                var byCeiling = AclEvaluator.Check(ceiling, command, argv);
                if (!byCeiling.IsAllowed)
                {
                    throw new InvalidOperationException(
                        $"contained user may run [{string.Join(' ', args.Select(a => $"'{a}'"))}] but the ceiling gives {byCeiling.Outcome}");
                }
            }

            // Ceilings do deny things in contained scenarios: the property is not trivially true.
            foreach (var args in s.Argvs)
            {
                var r = AclEvaluator.Check(ceiling, Resolve(args), ArgvBuilder.From(args).Args);
                if (r.IsAclDenial)
                {
                    deniedByCeilingCalls++;
                }
            }

            return true;
        });
        Check.One(config, property);

        string stats = $"{scenarios} scenarios, {contained} contained, {notContained} not, {allowedCalls} calls allowed to contained users, {deniedByCeilingCalls} denied by their ceilings";
        TestContext.Current.SendDiagnosticMessage(stats);
        Assert.Equal(300, scenarios);
        Assert.True(contained >= scenarios / 5, stats);
        Assert.True(notContained >= scenarios / 5, stats);
        Assert.True(allowedCalls >= 400, stats);
        Assert.True(deniedByCeilingCalls >= 2000, stats);
    }

    private static readonly Gen<string[]> PatternRules =
        from keys in RulesOf(Gen.Frequency(
            (8, from perm in Gen.Elements("~", "%R~", "%W~", "%RW~") from body in Gen.Elements(KeyBodies) select perm + body),
            (1, Gen.Constant("allkeys"))), 0, 3)
        from channels in RulesOf(Gen.Frequency((8, Gen.Elements(ChannelBodies).Select(b => "&" + b)), (1, Gen.Constant("allchannels"))), 0, 2)
        select keys.Concat(channels).ToArray();

    /// <summary>Ceiling and user both +@all (or a read-only variant), keys and channels random: stresses pattern coverage.</summary>
    private static readonly Gen<Scenario> PatternScenarios =
        from ceilingPatterns in PatternRules
        from ceilingCommands in Gen.Elements(new[] { "+@all" }, new[] { "+@all", "-@write" }, new[] { "+@all", "-psubscribe" })
        let ceiling = ceilingCommands.Concat(ceilingPatterns).ToArray()
        where AclContainment.BuildCeiling(ceiling, applyTenantFloor: false, AclOptions.Default).Succeeded
        from selectorCount in Gen.Choose(1, 2)
        from selectors in Gen.ArrayOf(
            from patterns in Gen.Frequency((1, PatternRules), (2, Gen.SubListOf(ceilingPatterns).Select(l => l.ToArray())))
            from refined in Gen.ArrayOf(Gen.Elements("", "a", "b", "?", "*", "[ab]", "\\*"), patterns.Length)
            from commands in Gen.Elements(new[] { "+@all" }, new[] { "+@read" }, new[] { "+@all", "-@write" }, new[] { "+@all", "-psubscribe" })
            select commands.Concat(patterns.Select((r, i) => r.EndsWith('*') && r != "&*" ? r[..^1] + refined[i] : r)).ToArray(),
            selectorCount)
        select new Scenario(ceiling, false, selectors, false, []);

    [Fact]
    public void Contained_patterns_never_reach_what_the_ceiling_denies()
    {
        var (scenarios, contained, allowedCalls) = (0, 0, 0);
        var property = Prop.ForAll(Arb.From(PatternScenarios), (Scenario s) =>
        {
            var built = AclContainment.BuildCeiling(s.CeilingRules, s.Floor, AclOptions.Default);
            var user = s.BuildUser();
            scenarios++;
            if (!AclContainment.Check(user, built.Ceiling!, built.AllowsNoPass).IsContained)
            {
                return true;
            }

            contained++;
            foreach (var args in Probes(user))
            {
                var command = Resolve(args);
                var argv = ArgvBuilder.From(args).Args;
                var byUser = AclEvaluator.Check(user, command, argv);
                if (!byUser.IsAllowed)
                {
                    continue;
                }

                allowedCalls++;
                var byCeiling = AclEvaluator.Check(built.Ceiling!, command, argv);
                if (!byCeiling.IsAllowed)
                {
                    throw new InvalidOperationException(
                        $"contained user may run [{string.Join(' ', args.Select(a => $"'{a}'"))}] but the ceiling gives {byCeiling.Outcome}");
                }
            }

            return true;
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(500).WithQuietOnSuccess(true), property);

        string stats = $"{scenarios} scenarios, {contained} contained, {allowedCalls} calls allowed to contained users";
        TestContext.Current.SendDiagnosticMessage(stats);
        Assert.True(contained >= scenarios / 5 && contained <= scenarios * 9 / 10, stats);
        Assert.True(allowedCalls >= 2000, stats);
    }

    [Theory]
    // allkeys matches the empty key name; the ordinary pattern `*` does not (so only an allkeys ceiling covers allkeys).
    [InlineData("+get %RW~*", "+get allkeys", "get", "")]
    // Only the empty pattern matches the empty name, so `*` does not cover `~` (the empty pattern).
    [InlineData("+get %R~*", "+get %R~", "get", "")]
    // PSUBSCRIBE compares the pattern verbatim: `&a*` does not admit PSUBSCRIBE ab*, so it does not cover `&ab*` there.
    [InlineData("+psubscribe &a*", "+psubscribe &ab*", "psubscribe", "ab*")]
    // One pattern must grant the whole access: %R~a* plus %W~ab* do not allow GETDEL ab1 (RW).
    [InlineData("+getdel %R~a* %W~ab*", "+getdel ~ab*", "getdel", "ab1")]
    public void Rejected_edge_cases_are_real_escapes_per_the_evaluator(string ceilingRules, string userRules, string command, string arg)
    {
        var ceiling = ContainmentTests.Ceiling(ceilingRules).Ceiling!;
        var user = ContainmentTests.User(userRules);
        Assert.False(AclContainment.Check(user, ceiling, allowNoPass: false).IsContained);
        var cmd = CommandTable.Redis74.Find(command.AsSpan())!;
        var argv = ArgvBuilder.From(command, arg).Args;
        Assert.True(AclEvaluator.Check(user, cmd, argv).IsAllowed);
        Assert.False(AclEvaluator.Check(ceiling, cmd, argv).IsAllowed);
    }

    /// <summary>
    /// Directed calls for each key/channel text the user's own patterns suggest (the pattern itself, and with its
    /// wildcards filled in), so the edge cases of coverage (empty names, verbatim PSUBSCRIBE patterns, access flags,
    /// first-args, SORT BY) are reached far more often than by uniform argv.
    /// </summary>
    private static IEnumerable<string[]> Probes(AclUser user)
    {
        var texts = new SortedSet<string>(StringComparer.Ordinal) { "", "a", "ab", "b", "0", "1", "AB", "x" };
        foreach (var selector in user.Selectors)
        {
            foreach (var body in selector.KeyPatterns.Select(k => AclText.FromBytes(k.Pattern)).Concat(selector.ChannelPatterns.Select(c => AclText.FromBytes(c))))
            {
                texts.Add(body);
                texts.Add(body.Replace("*", "", StringComparison.Ordinal).Replace("?", "a", StringComparison.Ordinal));
                texts.Add(body.Replace("*", "zz", StringComparison.Ordinal).Replace("?", "b", StringComparison.Ordinal).Replace("\\", "", StringComparison.Ordinal));
            }
        }

        foreach (var t in texts)
        {
            yield return ["get", t];
            yield return ["set", t, "v"];
            yield return ["set", t, "v", "GET"];
            yield return ["exists", t];
            yield return ["getdel", t];
            yield return ["del", t, "a"];
            yield return ["copy", t, "ab"];
            yield return ["lmove", t, "a", "LEFT", "RIGHT"];
            yield return ["bitfield", t, "GET", "u8", "0"];
            yield return ["sort", t, "BY", "x"];
            yield return ["sort_ro", t, "GET", "#"];
            yield return ["object", "encoding", t];
            yield return ["psubscribe", t];
            yield return ["psubscribe", t, "a*"];
            yield return ["subscribe", t];
            yield return ["publish", t, "m"];
            yield return ["spublish", t, "m"];
            yield return ["select", t];
            yield return ["ping", t];
            yield return ["config", "get", t];
        }
    }

    private static RedisCommand Resolve(string[] args)
    {
        var cmd = CommandTable.Redis74.Find(args[0].AsSpan())!;
        return cmd.IsContainer ? cmd.FindSubcommand(args[1].AsSpan())! : cmd;
    }

    private static string[] BuildArgv(string fullName, int extra, string[] pool)
    {
        var cmd = CommandTable.Redis74.FindByFullName(fullName)!;
        var head = fullName.Split('|');
        int argc = cmd.Arity >= 0 ? cmd.Arity : -cmd.Arity + extra;
        argc = Math.Max(argc, head.Length);
        var args = new string[argc];
        head.CopyTo(args, 0);
        for (int i = head.Length; i < argc; i++)
        {
            args[i] = pool[i % pool.Length];
        }

        return args;
    }

    /// <summary>One generated case; printed by FsCheck when the property fails.</summary>
    public sealed class Scenario(string[] ceilingRules, bool floor, string[][] selectors, bool nopass, string[][] argvs)
    {
        public string[] CeilingRules { get; } = ceilingRules;

        public bool Floor { get; } = floor;

        public string[][] Selectors { get; } = selectors;

        public bool NoPass { get; } = nopass;

        public string[][] Argvs { get; } = argvs;

        /// <summary>Root from the first rule list, one <c>(...)</c> selector per other list; rules Redis rejects are skipped.</summary>
        public AclUser BuildUser()
        {
            var user = AclUserRules.Apply("t.u", null, NoPass ? ["on", "nopass"] : ["on", ">pw"], AclOptions.Default).User!;
            foreach (var rule in Selectors[0])
            {
                user = AclUserRules.Apply(user.Name, user, [rule], AclOptions.Default).User ?? user;
            }

            foreach (var selector in Selectors.Skip(1))
            {
                var body = string.Join(' ', selector.Where(r => !r.Contains('\\', StringComparison.Ordinal)));
                user = AclUserRules.Apply(user.Name, user, ["(" + body + ")"], AclOptions.Default).User
                    ?? AclUserRules.Apply(user.Name, user, ["(" + string.Join(' ', selector.Where(r => r.StartsWith('+') || r.StartsWith('-'))) + ")"], AclOptions.Default).User
                    ?? user;
            }

            return user;
        }

        public override string ToString() =>
            $"ceiling [{string.Join(' ', CeilingRules)}]{(Floor ? " + floor" : "")}; user {(NoPass ? "nopass " : "")}" +
            string.Join(' ', Selectors.Select((s, i) => i == 0 ? string.Join(' ', s) : "(" + string.Join(' ', s) + ")"));
    }
}
