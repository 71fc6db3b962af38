using System.Text;
using AclOperator.Acl.Passwords;
using AclOperator.Acl.Rendering;
using AclOperator.Acl.Users;
using Xunit;

namespace AclOperator.Acl.Tests.Rules;

/// <summary>ACL SETUSER rules and error paths, each quoting Redis 7.4.1's exact text (spec §1–§4).</summary>
public sealed class SetUserTests
{
    internal static SetUserResult Set(AclUser? existing, params string[] rules) =>
        AclUserRules.Apply(existing?.Name ?? "u", existing, rules, AclOptions.Default);

    internal static AclUser User(params string[] rules)
    {
        var r = Set(null, rules);
        Assert.True(r.Succeeded, r.Error);
        return r.User!;
    }

    internal static string Line(params string[] rules) => AclUserRenderer.AclListLine(User(rules));

    [Fact]
    public void New_user_is_off_sanitized_without_channels_or_commands()
    {
        Assert.Equal("user u off sanitize-payload resetchannels -@all", Line());
    }

    [Fact]
    public void Acl_pubsub_default_allchannels_gives_new_users_all_channels()
    {
        var options = AclOptions.Default with { PubsubDefaultAllChannels = true };
        var u = AclUserRules.Apply("foo", null, Array.Empty<string>(), options).User!;
        Assert.Equal("user foo off sanitize-payload &* -@all", AclUserRenderer.AclListLine(u));
        var withSelector = AclUserRules.Apply("foo", u, ["(~a)"], options).User!;
        Assert.Equal("user foo off sanitize-payload &* -@all (~a &* -@all)", AclUserRenderer.AclListLine(withSelector));
    }

    [Fact]
    public void Default_user_renders_as_redis()
    {
        var table = new AclUserTable(AclOptions.Default);
        Assert.Equal("user default on nopass sanitize-payload ~* &* +@all", AclUserRenderer.AclListLine(table.Default));
    }

    [Theory]
    [InlineData(new[] { "on" }, "user u on sanitize-payload resetchannels -@all")]
    [InlineData(new[] { "on", "off" }, "user u off sanitize-payload resetchannels -@all")]
    [InlineData(new[] { "ON" }, "user u on sanitize-payload resetchannels -@all")]
    [InlineData(new[] { "skip-sanitize-payload" }, "user u off skip-sanitize-payload resetchannels -@all")]
    [InlineData(new[] { "skip-sanitize-payload", "sanitize-payload" }, "user u off sanitize-payload resetchannels -@all")]
    [InlineData(new[] { "nopass" }, "user u off nopass sanitize-payload resetchannels -@all")]
    [InlineData(new[] { "nopass", "resetpass" }, "user u off sanitize-payload resetchannels -@all")]
    [InlineData(new[] { "" }, "user u off sanitize-payload resetchannels -@all")]
    [InlineData(new[] { "allkeys" }, "user u off sanitize-payload ~* resetchannels -@all")]
    [InlineData(new[] { "~*" }, "user u off sanitize-payload ~* resetchannels -@all")]
    [InlineData(new[] { "~a", "allkeys" }, "user u off sanitize-payload ~* resetchannels -@all")]
    [InlineData(new[] { "allkeys", "resetkeys", "~b" }, "user u off sanitize-payload ~b resetchannels -@all")]
    [InlineData(new[] { "~a*", "%R~b*", "%W~c*", "%RW~d*" }, "user u off sanitize-payload ~a* %R~b* %W~c* ~d* resetchannels -@all")]
    [InlineData(new[] { "%WR~d", "%rw~e", "%r~f" }, "user u off sanitize-payload ~d ~e %R~f resetchannels -@all")]
    [InlineData(new[] { "%R~foo", "%W~foo" }, "user u off sanitize-payload ~foo resetchannels -@all")]
    [InlineData(new[] { "~x", "~x" }, "user u off sanitize-payload ~x resetchannels -@all")]
    [InlineData(new[] { "%R" }, "user u off sanitize-payload %R~ resetchannels -@all")]
    [InlineData(new[] { "%W" }, "user u off sanitize-payload %W~ resetchannels -@all")]
    [InlineData(new[] { "%RW" }, "user u off sanitize-payload ~ resetchannels -@all")]
    [InlineData(new[] { "~" }, "user u off sanitize-payload ~ resetchannels -@all")]
    [InlineData(new[] { "&ch1", "&ch2", "&ch1" }, "user u off sanitize-payload resetchannels &ch1 &ch2 -@all")]
    [InlineData(new[] { "allchannels" }, "user u off sanitize-payload &* -@all")]
    [InlineData(new[] { "&*" }, "user u off sanitize-payload &* -@all")]
    [InlineData(new[] { "&a", "allchannels", "resetchannels", "&b" }, "user u off sanitize-payload resetchannels &b -@all")]
    [InlineData(new[] { "&" }, "user u off sanitize-payload resetchannels & -@all")]
    [InlineData(new[] { "+@all" }, "user u off sanitize-payload resetchannels +@all")]
    [InlineData(new[] { "allcommands" }, "user u off sanitize-payload resetchannels +@all")]
    [InlineData(new[] { "+@all", "nocommands" }, "user u off sanitize-payload resetchannels -@all")]
    [InlineData(new[] { "+@all", "-get", "+get" }, "user u off sanitize-payload resetchannels +@all +get")]
    [InlineData(new[] { "-@all", "-get" }, "user u off sanitize-payload resetchannels -@all -get")]
    [InlineData(new[] { "+get", "+set", "-get" }, "user u off sanitize-payload resetchannels -@all +set -get")]
    [InlineData(new[] { "+select|0", "+SELECT|AbC" }, "user u off sanitize-payload resetchannels -@all +select|0 +select|abc")]
    [InlineData(new[] { "+select|0", "+SELECT|AbC", "+select" }, "user u off sanitize-payload resetchannels -@all +select")]
    [InlineData(new[] { "+config|get", "+config", "-config|set" }, "user u off sanitize-payload resetchannels -@all +config -config|set")]
    [InlineData(new[] { "+client|kill", "-client", "+@all", "-client|kill", "+client|kill" }, "user u off sanitize-payload resetchannels +@all +client|kill")]
    [InlineData(new[] { "+@hash", "-@hash" }, "user u off sanitize-payload resetchannels -@all -@hash")]
    [InlineData(new[] { "+get|KEY1", "+@all", "-get", "+get|Key2" }, "user u off sanitize-payload resetchannels +@all -get +get|key2")]
    [InlineData(new[] { "+GET", "+@READ" }, "user u off sanitize-payload resetchannels -@all +get +@read")]
    [InlineData(new[] { "+CONFIG|GET" }, "user u off sanitize-payload resetchannels -@all +config|get")]
    [InlineData(new[] { "()" }, "user u off sanitize-payload resetchannels -@all (resetchannels -@all)")]
    [InlineData(new[] { "(~a)", "(~a)" }, "user u off sanitize-payload resetchannels -@all (~a resetchannels -@all) (~a resetchannels -@all)")]
    [InlineData(new[] { "(", "~a", ")", "(~b", "+get)", "(~c)" }, "user u off sanitize-payload resetchannels -@all (~a resetchannels -@all) (~b resetchannels -@all +get) (~c resetchannels -@all)")]
    [InlineData(new[] { "(~x +hget)", "(%R~y &z +@read)" }, "user u off sanitize-payload resetchannels -@all (~x resetchannels -@all +hget) (%R~y resetchannels &z -@all +@read)")]
    [InlineData(new[] { "(~\"a\\x41\")" }, "user u off sanitize-payload resetchannels -@all (~aA resetchannels -@all)")]
    [InlineData(new[] { "(~a)", "clearselectors" }, "user u off sanitize-payload resetchannels -@all")]
    [InlineData(new[] { "(allkeys allchannels allcommands)" }, "user u off sanitize-payload resetchannels -@all (~* &* +@all)")]
    public void Rules_render_as_redis(string[] rules, string expected)
    {
        Assert.Equal(expected, Line(rules));
    }

    [Fact]
    public void Spec_example_r1_renders_exactly()
    {
        var line = Line("on", ">p1", ">p2", "~a*", "%R~b*", "%W~c*", "~d*", "&ch1", "&ch2", "+set", "-get", "+select|0", "+select|1",
            "+config|get", "-@hash", "+client", "-client|kill", "(~x +hget)", "(%R~y &z +@read)");
        Assert.Equal(
            $"user u on sanitize-payload #{PasswordHasher.Hash("p1"u8)} #{PasswordHasher.Hash("p2"u8)} ~a* %R~b* %W~c* ~d* resetchannels &ch1 &ch2 -@all +set -get +select|0 +select|1 +config|get -@hash +client -client|kill (~x resetchannels -@all +hget) (%R~y resetchannels &z -@all +@read)",
            line);
    }

    [Fact]
    public void Passwords_add_remove_and_clear_nopass()
    {
        var hash = PasswordHasher.Hash("secret"u8);
        var u = User("nopass", ">secret", ">secret", $"#{hash}");
        Assert.False(u.NoPass);
        Assert.Equal([hash], u.PasswordHashes);
        var removed = Set(u, "<secret").User!;
        Assert.Empty(removed.PasswordHashes);
        var viaHash = Set(u, $"!{hash}").User!;
        Assert.Empty(viaHash.PasswordHashes);
        var nopass = Set(u, "nopass").User!;
        Assert.True(nopass.NoPass);
        Assert.Empty(nopass.PasswordHashes);
    }

    [Fact]
    public void Empty_password_is_valid_and_binary_safe()
    {
        var u = AclUserRules.Apply("u", null, [">"u8.ToArray(), [(byte)'>', 0, 0xff]], AclOptions.Default).User!;
        Assert.Equal([PasswordHasher.Hash(""u8), PasswordHasher.Hash([0, 0xff])], u.PasswordHashes);
    }

    [Fact]
    public void Reset_returns_to_a_fresh_user_keeping_the_name()
    {
        var u = User("on", ">x", "~*", "&*", "+@all", "skip-sanitize-payload", "(~a)", "reset");
        Assert.Equal("user u off sanitize-payload resetchannels -@all", AclUserRenderer.AclListLine(u));
    }

    [Fact]
    public void Star_patterns_given_with_permissions_are_plain_patterns()
    {
        // %RW~* is an ordinary pattern (not allkeys), so ~foo after it is accepted (spec §2.4).
        var u = User("%R~*", "~foo");
        Assert.False(u.Root.AllKeys);
        Assert.Equal("user u off sanitize-payload %R~* ~foo resetchannels -@all", AclUserRenderer.AclListLine(u));
    }

    [Fact]
    public void Plain_rw_star_pattern_renders_in_a_form_that_reloads()
    {
        // Redis renders `~* ~baz`, which ACL LOAD then rejects (spec §10.4); we render %RW~*.
        var u = User("%RW~*", "~baz");
        var line = AclUserRenderer.AclListLine(u);
        Assert.Equal("user u off sanitize-payload %RW~* ~baz resetchannels -@all", line);
        var reparsed = User(line.Split(' ')[2..]);
        Assert.Equal(line, AclUserRenderer.AclListLine(reparsed));
    }

    public static TheoryData<string[], string> Errors => new()
    {
        { ["heeyyyy"], "ERR Error in ACL SETUSER modifier 'heeyyyy': Syntax error" },
        { ["+nosuchcmd"], "ERR Error in ACL SETUSER modifier '+nosuchcmd': Unknown command or category name in ACL" },
        { ["#abc"], "ERR Error in ACL SETUSER modifier '#abc': The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters" },
        { ["#" + new string('A', 64)], $"ERR Error in ACL SETUSER modifier '#{new string('A', 64)}': The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters" },
        { ["!" + new string('a', 63)], $"ERR Error in ACL SETUSER modifier '!{new string('a', 63)}': The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters" },
        { ["<nosuch"], "ERR Error in ACL SETUSER modifier '<nosuch': The password you are trying to remove from the user does not exist" },
        { ["!" + new string('a', 64)], $"ERR Error in ACL SETUSER modifier '!{new string('a', 64)}': The password you are trying to remove from the user does not exist" },
        { ["(on)"], "ERR Error in ACL SETUSER modifier '(on)': Syntax error" },
        { ["(~a b)"], "ERR Error in ACL SETUSER modifier '(~a b)': Syntax error" },
        { ["(>pw)"], "ERR Error in ACL SETUSER modifier '(>pw)': Syntax error" },
        { ["(nopass)"], "ERR Error in ACL SETUSER modifier '(nopass)': Syntax error" },
        { ["(reset)"], "ERR Error in ACL SETUSER modifier '(reset)': Syntax error" },
        { ["(clearselectors)"], "ERR Error in ACL SETUSER modifier '(clearselectors)': Syntax error" },
        { ["((~a))"], "ERR Error in ACL SETUSER modifier '((~a))': Syntax error" },
        { ["(\"\")"], "ERR Error in ACL SETUSER modifier '(\"\")': Syntax error" },
        { ["(+get \"x)"], "ERR Error in ACL SETUSER modifier '(+get \"x)': Syntax error" },
        { ["(+nosuch)"], "ERR Error in ACL SETUSER modifier '(+nosuch)': Unknown command or category name in ACL" },
        { ["x)"], "ERR Error in ACL SETUSER modifier 'x)': Syntax error" },
        { ["@read"], "ERR Error in ACL SETUSER modifier '@read': Syntax error" },
        { ["+"], "ERR Error in ACL SETUSER modifier '+': Unknown command or category name in ACL" },
        { ["-"], "ERR Error in ACL SETUSER modifier '-': Unknown command or category name in ACL" },
        { ["+@"], "ERR Error in ACL SETUSER modifier '+@': Unknown command or category name in ACL" },
        { ["+@nosuch"], "ERR Error in ACL SETUSER modifier '+@nosuch': Unknown command or category name in ACL" },
        { ["-@nosuch"], "ERR Error in ACL SETUSER modifier '-@nosuch': Unknown command or category name in ACL" },
        { ["+config|nosuch"], "ERR Error in ACL SETUSER modifier '+config|nosuch': Unknown command or category name in ACL" },
        { ["+nosuch|x"], "ERR Error in ACL SETUSER modifier '+nosuch|x': Unknown command or category name in ACL" },
        { ["+config|get|x"], "ERR Error in ACL SETUSER modifier '+config|get|x': Allowing first-arg of a subcommand is not supported" },
        { ["+get|x|y"], "ERR Error in ACL SETUSER modifier '+get|x|y': Unknown command or category name in ACL" },
        { ["+get|"], "ERR Error in ACL SETUSER modifier '+get|': Syntax error" },
        { ["+config|"], "ERR Error in ACL SETUSER modifier '+config|': Syntax error" },
        { ["+nosuch|"], "ERR Error in ACL SETUSER modifier '+nosuch|': Unknown command or category name in ACL" },
        { ["-get|x"], "ERR Error in ACL SETUSER modifier '-get|x': Unknown command or category name in ACL" },
        { ["-config|"], "ERR Error in ACL SETUSER modifier '-config|': Unknown command or category name in ACL" },
        { ["-config|get|x"], "ERR Error in ACL SETUSER modifier '-config|get|x': Unknown command or category name in ACL" },
        { ["allkeys", "~foo"], "ERR Error in ACL SETUSER modifier '~foo': Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns" },
        { ["~*", "%R~foo"], "ERR Error in ACL SETUSER modifier '%R~foo': Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns" },
        { ["allkeys", "%X~foo"], "ERR Error in ACL SETUSER modifier '%X~foo': Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns" },
        { ["&*", "&foo"], "ERR Error in ACL SETUSER modifier '&foo': Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels" },
        { ["~a b"], "ERR Error in ACL SETUSER modifier '~a b': Syntax error" },
        { ["~a\tb"], "ERR Error in ACL SETUSER modifier '~a\tb': Syntax error" },
        { ["&a b"], "ERR Error in ACL SETUSER modifier '&a b': Syntax error" },
        { ["%~p"], "ERR Error in ACL SETUSER modifier '%~p': Syntax error" },
        { ["%~"], "ERR Error in ACL SETUSER modifier '%~': Syntax error" },
        { ["%X~p"], "ERR Error in ACL SETUSER modifier '%X~p': Syntax error" },
        { ["%RR~p"], "ERR Error in ACL SETUSER modifier '%RR~p': Syntax error" },
        { ["%"], "ERR Error in ACL SETUSER modifier '%': Syntax error" },
        { ["(~a"], "ERR Unmatched parenthesis in acl selector starting at '(~a'." },
        { ["(", "~a"], "ERR Unmatched parenthesis in acl selector starting at '('." },
        { ["on", "(~a", "+get"], "ERR Unmatched parenthesis in acl selector starting at '(~a'." },
        { ["~a\nb"], "ERR Error in ACL SETUSER modifier '~a b': Syntax error" },
        { ["+no\rsuch"], "ERR Error in ACL SETUSER modifier '+no such': Unknown command or category name in ACL" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void Errors_are_exact_and_leave_the_user_unchanged(string[] rules, string expected)
    {
        var existing = User("on", ">pw", "~k*", "+get");
        var before = AclUserRenderer.AclListLine(existing);
        var r = Set(existing, rules);
        Assert.False(r.Succeeded);
        Assert.Null(r.User);
        Assert.Equal(expected, "ERR " + r.Error);
        Assert.Equal(before, AclUserRenderer.AclListLine(existing));
    }

    [Fact]
    public void A_failing_rule_after_good_ones_creates_no_user()
    {
        var table = new AclUserTable(AclOptions.Default);
        var r = table.SetUser("newbie", [Encoding.ASCII.GetBytes("on"), Encoding.ASCII.GetBytes("+bogus")]);
        Assert.Equal("Error in ACL SETUSER modifier '+bogus': Unknown command or category name in ACL", r.Error);
        Assert.Null(table.Find("newbie"));
    }

    [Theory]
    [InlineData("a b")]
    [InlineData("a\tb")]
    [InlineData("a\nb")]
    [InlineData("a\vb")]
    [InlineData("a\fb")]
    [InlineData("a\rb")]
    [InlineData("a\0b")]
    public void Usernames_with_spaces_or_nul_are_refused(string name)
    {
        var r = AclUserRules.Apply(name, null, ["on"], AclOptions.Default);
        Assert.Equal("ERR Usernames can't contain spaces or null characters", "ERR " + r.Error);
    }

    [Fact]
    public void Empty_username_is_accepted()
    {
        Assert.True(AclUserRules.Apply("", null, ["on"], AclOptions.Default).Succeeded);
    }

    [Fact]
    public void Merged_token_in_errors_is_cut_at_nul()
    {
        var r = AclUserRules.Apply("u", null, [[(byte)'~', (byte)'a', 0, (byte)'b']], AclOptions.Default);
        Assert.Equal("Error in ACL SETUSER modifier '~a': Syntax error", r.Error);
    }

    [Fact]
    public void Nul_inside_a_selector_body_ends_it()
    {
        var op = Encoding.ASCII.GetBytes("(~a\0b +get)");
        var u = AclUserRules.Apply("u", null, [op], AclOptions.Default).User!;
        Assert.Equal("user u off sanitize-payload resetchannels -@all (~a resetchannels -@all)", AclUserRenderer.AclListLine(u));
    }

    [Fact]
    public void Keywords_are_c_strings_so_trailing_nul_is_ignored()
    {
        var u = AclUserRules.Apply("u", null, [Encoding.ASCII.GetBytes("on\0junk")], AclOptions.Default).User!;
        Assert.True(u.Enabled);
    }

    [Fact]
    public void Container_allow_propagates_to_subcommands_and_category_to_children()
    {
        var table = AclOptions.Default.Commands;
        var u = User("+config", "-config|set");
        Assert.True(u.Root.HasCommandBit(table.FindByFullName("config|get")!.Id));
        Assert.False(u.Root.HasCommandBit(table.FindByFullName("config|set")!.Id));

        // Every container parent is @slow, so -@slow toggles all their subcommands, even @fast ones.
        var slow = User("+@all", "-@slow");
        Assert.False(slow.Root.HasCommandBit(table.FindByFullName("client|id")!.Id));
        Assert.True(slow.Root.HasCommandBit(table.FindByFullName("get")!.Id));
        Assert.False(slow.Root.AllCommands);
        Assert.True(slow.Root.FutureCommands);
    }

    [Fact]
    public void First_arg_rule_does_not_set_the_command_bit()
    {
        var table = AclOptions.Default.Commands;
        var u = User("+select|0");
        var select = table.Find("select"u8)!;
        Assert.False(u.Root.HasCommandBit(select.Id));
        Assert.Equal(["0"], u.Root.FirstArgsOf(select.Id));
        var cleared = Set(u, "-select").User!;
        Assert.Null(cleared.Root.FirstArgsOf(select.Id));
    }

    [Fact]
    public void Replaying_the_rules_text_reproduces_the_bitmap()
    {
        // Redis asserts this in ACLDescribeSelectorCommandRules; we check it on a mix of rules.
        var u = User("+@all", "-@dangerous", "+config|get", "-@hash", "+hget", "+select|1", "-client", "+client|id");
        var rendered = AclUserRenderer.CommandRules(u.Root).Split(' ');
        var replay = User(rendered);
        for (int id = 0; id < AclOptions.Default.Commands.Count; id++)
        {
            Assert.Equal(u.Root.HasCommandBit(id), replay.Root.HasCommandBit(id));
        }
    }
}
