using AclOperator.Acl.Containment;
using AclOperator.Acl.Users;
using Xunit;

namespace AclOperator.Acl.Tests.Containment;

/// <summary>O2: the rule ceiling is checked on effective permissions, never on rule text.</summary>
public sealed class ContainmentTests
{
    internal static AclUser User(string rules)
    {
        var r = AclUserRules.Apply("u", null, Split(rules), AclOptions.Default);
        Assert.True(r.Succeeded, r.Error);
        return r.User!;
    }

    internal static CeilingBuildResult Ceiling(string rules, bool floor = false)
    {
        var r = AclContainment.BuildCeiling(Split(rules), floor, AclOptions.Default);
        Assert.True(r.Succeeded, r.Error);
        return r;
    }

    internal static ContainmentResult Check(string ceiling, string user, bool floor = false)
    {
        var c = Ceiling(ceiling, floor);
        return AclContainment.Check(User(user), c.Ceiling!, c.AllowsNoPass);
    }

    private static string[] Split(string rules) => rules.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static string[] Ids(ContainmentResult r) => r.Violations.Select(v => $"{v.SelectorIndex}:{v.Rule}").ToArray();

    [Theory]
    // Commands through categories, single commands and containers (O2: command bits ⊆ ceiling's).
    [InlineData("+@read", "+get +hget +@string -@write")]
    [InlineData("+@read", "+set", "0:+set")]
    [InlineData("+@string", "+@string -@write")]
    [InlineData("+@read +@write", "+@string")]
    [InlineData("+get +set", "+@all -@all +get")]
    [InlineData("+@all -flushall", "+@write -flushall")]
    [InlineData("+@all -flushall", "+@write -flushdb", "0:+flushall (via +@write)")]
    [InlineData("+@hash", "+@hash -hset +hset")]
    [InlineData("+@hash -hset", "+@hash -hset +hget")]
    [InlineData("+@hash -hset", "+@hash", "0:+hset (via +@hash)")]
    // no-auth commands (AUTH, HELLO, QUIT, RESET) are allowed whatever the bits say, so they never exceed.
    [InlineData("+get", "+get +auth +hello +quit +reset")]
    // Subcommands: the container's own bit is never consulted (a call resolves to its subcommand).
    [InlineData("+config|get", "+config|get")]
    [InlineData("+config", "+config|get +config|set")]
    [InlineData("+config -config|set", "+config|get +config|rewrite")]
    [InlineData("+config -config|set", "+config", "0:+config|set (via +config)")]
    [InlineData("+config|get", "+config|get +config|set", "0:+config|set")]
    [InlineData("+@slow -@dangerous", "+@slow -@admin -@dangerous")]
    // First-args: contained only if the ceiling allows the whole command or the same first-arg (ASCII ci).
    [InlineData("+select|0", "+select|0")]
    [InlineData("+select|AbC", "+select|aBc")]
    [InlineData("+select", "+select|5")]
    [InlineData("+select|0", "+select|1", "0:+select|1")]
    [InlineData("+select|0", "+select", "0:+select")]
    [InlineData("+select|0 +set", "+get|k1 +select|0", "0:+get|k1")]
    [InlineData("+select|0 +get", "+get|k1 +select|0")]
    // The "future commands" bit of +@all needs the ceiling's.
    [InlineData("+@all", "+@all")]
    [InlineData("+@all -get +get", "+@all")]
    [InlineData("+@fast +@slow", "+@fast +@slow")]
    [InlineData("+@fast +@slow", "+@all", "0:+@all")]
    [InlineData("+@all -@admin", "+@all -@admin")]
    // Keys: literal-prefix ceiling patterns cover patterns whose own literal prefix starts with them.
    [InlineData("~a*", "~a* ~ab* ~abc ~a ~a?c ~ab[cd]* ~a\\*")]
    [InlineData("~a*", "~b*", "0:~b*")]
    [InlineData("~ab*", "~a?c", "0:~a?c")]
    [InlineData("~ab*", "~ab? ~ab[cd] ~ab*x*")]
    [InlineData("~a*", "~[a]bc ~*a ~?", "0:~[a]bc", "0:~*a", "0:~?")]
    [InlineData("~a*", "~", "0:~")]
    [InlineData("~abc", "~abc")]
    [InlineData("~abc", "~abcd ~abc* ~ab", "0:~abcd", "0:~abc*", "0:~ab")]
    [InlineData("~a?c", "~a?c")]
    [InlineData("~a?c", "~abc", "0:~abc")]
    [InlineData("~a*b", "~a*b")]
    [InlineData("~a*b", "~ab", "0:~ab")]
    // Key permissions: the covering pattern must grant ⊇ the user's access (from one single pattern).
    [InlineData("%R~a*", "%R~a1 %R~ab*")]
    [InlineData("%R~a*", "~a1 %W~a2", "0:~a1", "0:%W~a2")]
    [InlineData("%W~a*", "%W~a1")]
    [InlineData("%R~a* %W~a*", "~a1")]
    [InlineData("%R~a* %W~ab*", "~ab1", "0:~ab1")]
    [InlineData("%R~a* ~ab*", "~ab1 %R~a2")]
    // allkeys: only under an allkeys ceiling (a `*` pattern does not match the empty key name).
    [InlineData("allkeys", "~* ")]
    [InlineData("~*", "~a* %R~b ~")]
    [InlineData("%RW~*", "~a* %R~b")]
    [InlineData("%RW~*", "~", "0:~")]
    [InlineData("%RW~*", "allkeys", "0:~*")]
    [InlineData("~a*", "allkeys", "0:~*")]
    [InlineData("~a*", "%R~*", "0:%R~*")]
    [InlineData("%R~*", "%R~*")]
    // Channels: same coverage, no permissions; allchannels only under allchannels.
    [InlineData("&news.*", "&news.sport &news.* &news.a?")]
    [InlineData("&news.*", "&other", "0:&other")]
    [InlineData("&news.*", "&*", "0:&*")]
    [InlineData("&*", "&*")]
    [InlineData("allchannels", "&a &b*")]
    // PSUBSCRIBE compares the pattern verbatim, so once both may psubscribe, patterns must be listed as-is.
    [InlineData("&news.* +psubscribe", "&news.* +psubscribe")]
    [InlineData("&news.* +psubscribe", "&news.sport* +psubscribe", "0:&news.sport*")]
    [InlineData("&news.* +subscribe +publish", "&news.sport* +subscribe +publish")]
    [InlineData("&news.* +subscribe", "&news.sport* +psubscribe", "0:+psubscribe")]
    // Selectors: every selector is checked; a violation in a non-root selector counts.
    [InlineData("+get ~a*", "+get ~a1 (+get ~a2) (~a3* +get)")]
    [InlineData("+get ~a*", "+get ~a* (+set ~a*)", "1:+set")]
    [InlineData("+get ~a*", "+get ~a* (~a* +get) (~b* +get)", "2:~b*")]
    [InlineData("+@fast +@slow ~a* &c", "+get (~a* +@all &*)", "1:+@all", "1:&*")]
    public void Table(string ceiling, string user, params string[] expected)
    {
        var r = Check(ceiling, user);
        if (expected.Length == 0)
        {
            Assert.True(r.IsContained, r.FirstViolationMessage);
            Assert.Empty(r.Violations);
            Assert.Null(r.FirstViolationMessage);
        }
        else
        {
            Assert.False(r.IsContained);
            Assert.Equal(expected, Ids(r));
            Assert.Equal(r.Violations[0].Message, r.FirstViolationMessage);
        }
    }

    [Fact]
    public void Tenant_floor_is_the_O2_list()
    {
        Assert.Equal(
            "-@admin -@dangerous -@scripting -flushall -flushdb -swapdb -keys -scan -randomkey -select -move -copy -monitor -client -pubsub|channels",
            string.Join(' ', AclContainment.TenantFloorRules));
    }

    [Fact]
    public void Floor_rejects_a_tenant_user_with_all_commands()
    {
        var r = Check("+@all ~t1:* &t1:*", "+@all ~t1:* &t1:*", floor: true);
        Assert.False(r.IsContained);
        var ids = Ids(r);
        // The ceiling keeps the future-commands bit (the floor only clears concrete bits), so +@all itself passes.
        Assert.DoesNotContain("0:+@all", ids);
        Assert.Contains("0:+flushall (via +@all)", ids);
        Assert.Contains("0:+keys (via +@all)", ids);
        Assert.Contains("0:+eval (via +@all)", ids);
        Assert.Contains("0:+client|list (via +@all)", ids);
        Assert.Contains("0:+pubsub|channels (via +@all)", ids);
        Assert.DoesNotContain("0:+pubsub|numsub (via +@all)", ids);
        Assert.DoesNotContain("0:+get (via +@all)", ids);
        Assert.All(r.Violations, v => Assert.Equal(0, v.SelectorIndex));
        Assert.Equal("selector 0 allows '+acl|deluser (via +@all)', which the ceiling denies", r.FirstViolationMessage);
    }

    [Fact]
    public void Floor_removes_keys_scan_randomkey_and_sort_ro_from_read()
    {
        // KEYS, SCAN and RANDOMKEY are @read (and KEYS and SORT_RO are @dangerous): the floor takes them away.
        var r = Check("+@all ~t1:* &t1:*", "+@read ~t1:*", floor: true);
        Assert.Equal(
            ["0:+keys (via +@read)", "0:+randomkey (via +@read)", "0:+scan (via +@read)", "0:+sort_ro (via +@read)"],
            Ids(r));
        Assert.All(r.Violations, v => Assert.Equal(ContainmentViolationKind.Command, v.Kind));
        Assert.Equal(["keys", "randomkey", "scan", "sort_ro"], r.Violations.Select(v => v.Command));

        Assert.True(Check("+@all ~t1:* &t1:*", "+@read -keys -scan -randomkey -sort_ro ~t1:*", floor: true).IsContained);
        Assert.True(Check("+@all ~t1:* &t1:*", "+@read -@dangerous -scan -randomkey ~t1:*", floor: true).IsContained);
        Assert.True(Check("+@all ~t1:* &t1:*", "+get +set +publish +subscribe ~t1:* &t1:*", floor: true).IsContained);
        Assert.Equal(["0:+select"], Ids(Check("+@all ~t1:* &t1:*", "+get +select ~t1:*", floor: true)));
        Assert.Equal(["0:+select|0"], Ids(Check("+@all ~t1:* &t1:*", "+get +select|0 ~t1:*", floor: true)));
        Assert.Equal(["0:~t2:*", "0:&t2"], Ids(Check("+@all ~t1:* &t1:*", "+get ~t2:* &t2", floor: true)));
    }

    [Fact]
    public void Without_the_floor_the_same_ceiling_admits_all_commands()
    {
        Assert.True(Check("+@all ~t1:* &t1:*", "+@all ~t1:* &t1:*", floor: false).IsContained);
        Assert.True(Check("+@all ~t1:* &t1:*", "+@all -psubscribe ~t1:a* &t1:a", floor: false).IsContained);
        Assert.Equal(["0:&t1:a"], Ids(Check("+@all ~t1:* &t1:*", "+@all ~t1:a* &t1:a", floor: false)));
    }

    [Fact]
    public void Nopass_only_when_the_ceiling_allows_it()
    {
        Assert.True(Check("+get nopass", "nopass +get").IsContained);
        var r = Check("+get", "nopass +get");
        Assert.Equal(["0:nopass"], Ids(r));
        Assert.Equal(ContainmentViolationKind.NoPass, r.Violations[0].Kind);
        Assert.Equal("user has 'nopass', which the ceiling does not allow", r.FirstViolationMessage);

        // allowNoPass is authoritative.
        var c = Ceiling("+get nopass");
        Assert.True(c.AllowsNoPass);
        Assert.True(c.Ceiling!.NoPass);
        Assert.False(AclContainment.Check(User("nopass +get"), c.Ceiling, allowNoPass: false).IsContained);
        Assert.True(AclContainment.Check(User(">secret +get"), Ceiling("+get").Ceiling!, allowNoPass: false).IsContained);
    }

    [Fact]
    public void Messages_name_the_offending_rule_in_the_users_terms()
    {
        var r = Check("+@read ~app:* %R~shared:* &app:*", "+@all -@admin ~app:* (~other* %R~shared:x +get) (~shared:y +get &*)");
        Assert.Equal("selector 0 allows '+@all' (every command, including commands added later), which the ceiling denies", r.Violations[0].Message);
        Assert.Contains(r.Violations, v => v.Message == "selector 0 allows '+set (via +@all)', which the ceiling denies");
        Assert.Contains(r.Violations, v => v.Message == "selector 1 allows '~other*', which the ceiling denies");
        Assert.Contains(r.Violations, v => v.Message == "selector 2 allows '~shared:y', which the ceiling denies (it grants only '%R~shared:*' there)");
        Assert.Contains(r.Violations, v => v.Message == "selector 2 allows '&*' (allchannels), which the ceiling denies");
        Assert.DoesNotContain(r.Violations, v => v.Rule == "%R~shared:x");
        Assert.Equal($"{r.Violations[0].Message} (and {r.Violations.Count - 1} more violations)", r.Summary);

        // Sorted by selector, then command id; deterministic across runs.
        Assert.Equal(r.Violations.Select(v => v.SelectorIndex).Order(), r.Violations.Select(v => v.SelectorIndex));
        Assert.Equal(Ids(r), Ids(Check("+@read ~app:* %R~shared:* &app:*", "+@all -@admin ~app:* (~other* %R~shared:x +get) (~shared:y +get &*)")));

        Assert.Equal("selector 0 allows '+flushall (via +@write)', which the ceiling denies",
            Check("+@all -flushall", "+@write").FirstViolationMessage);
        Assert.Equal("selector 0 allows '+set', which the ceiling denies", Check("+get", "+set").Summary);
        Assert.Equal("selector 0 allows '+config|set (via +@slow)', which the ceiling denies",
            Check("+@slow -config|set", "+@slow").FirstViolationMessage);
        Assert.Equal("selector 0 allows '&news.sport*', which the ceiling denies (PSUBSCRIBE compares patterns verbatim, so the ceiling must list '&news.sport*' itself)",
            Check("+psubscribe &news.*", "+psubscribe &news.sport*").FirstViolationMessage);
    }

    [Fact]
    public void Violation_source_is_the_last_rule_that_set_the_bit()
    {
        Assert.Equal(["0:+hset"], Ids(Check("+hget", "+@hash -hset +hset -@hash +hset +hget")));
        Assert.Equal(["0:+hset (via +@hash)"], Ids(Check("+@hash -hset", "+@hash -@write +@hash")));
        Assert.Equal(["0:+@all", "0:+set (via +@all)"], Ids(Check("+@fast +@slow -set", "+@all -get")));
        Assert.Equal(["0:+config|set (via +config)"], Ids(Check("+config -config|set", "+config|get +config -config|get +config|get")));
    }

    [Fact]
    public void Build_ceiling_rejects_selectors_and_user_level_rules()
    {
        foreach (var bad in new[] { "(~a +get)", "(", "on", "OFF", ">pw", "<pw", "#" + new string('a', 64), "!" + new string('a', 64), "reset", "resetpass", "clearselectors", "skip-sanitize-payload", "sanitize-payload" })
        {
            var r = AclContainment.BuildCeiling(["+get", bad], applyTenantFloor: false, AclOptions.Default);
            Assert.False(r.Succeeded, bad);
            Assert.Null(r.Ceiling);
            Assert.StartsWith($"ceiling rule '{bad}' is a ", r.Error, StringComparison.Ordinal);
        }

        Assert.Equal("ceiling rule '(~a' is a selector; a ceiling is one selector-free rule",
            AclContainment.BuildCeiling(["(~a", "+get)"], false, AclOptions.Default).Error);
        Assert.Equal("ceiling rule 'on' is a user-level rule; only 'nopass' is allowed in a ceiling",
            AclContainment.BuildCeiling(["on"], false, AclOptions.Default).Error);
        Assert.Equal("invalid ceiling rule: Error in ACL SETUSER modifier '+nosuch': Unknown command or category name in ACL",
            AclContainment.BuildCeiling(["+nosuch"], true, AclOptions.Default).Error);
        Assert.Equal("invalid ceiling rule: Error in ACL SETUSER modifier '~a': Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns",
            AclContainment.BuildCeiling(["allkeys", "~a"], false, AclOptions.Default).Error);
    }

    [Fact]
    public void Build_ceiling_is_one_selector_and_grants_no_channels_by_default()
    {
        var options = AclOptions.Default with { PubsubDefaultAllChannels = true };
        var r = AclContainment.BuildCeiling(["+get", "~a*"], applyTenantFloor: true, options);
        Assert.True(r.Succeeded, r.Error);
        Assert.Single(r.Ceiling!.Selectors);
        Assert.False(r.Ceiling.Root.AllChannels);
        Assert.False(r.AllowsNoPass);
        Assert.Equal(AclContainment.CeilingUserName, r.Ceiling.Name);

        // A user created under the same options (allchannels by default) then exceeds it on channels only.
        var user = AclUserRules.Apply("t.u", null, ["+get", "~a1"], options).User!;
        var check = AclContainment.Check(user, r.Ceiling, r.AllowsNoPass, options);
        Assert.Equal(["0:&*"], Ids(check));
    }

    [Fact]
    public void Ceiling_with_selectors_is_refused()
    {
        Assert.Throws<ArgumentException>(() => AclContainment.Check(User("+get"), User("+get (~a)"), allowNoPass: false));
    }

    [Fact]
    public void Ten_thousand_checks_are_fast()
    {
        var ceiling = Ceiling("+@all ~t1:* %R~shared:* &t1:*", floor: true).Ceiling!;
        var users = Enumerable.Range(0, 100).Select(i => User($"+@read +@write -@dangerous -@scripting -scan -randomkey -copy -move ~t1:{i}:* %R~shared:{i} &t1:{i} (+get ~t1:x{i})")).ToArray();
        var sw = System.Diagnostics.Stopwatch.StartNew();
        int contained = 0;
        for (int n = 0; n < 10_000; n++)
        {
            var r = AclContainment.Check(users[n % users.Length], ceiling, allowNoPass: false);
            Assert.True(r.IsContained, r.FirstViolationMessage);
            contained++;
        }

        sw.Stop();
        Assert.Equal(10_000, contained);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(2), $"10,000 checks took {sw.Elapsed}");
    }
}
