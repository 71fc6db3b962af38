using System.Text;
using AclOperator.Acl.AclFile;
using AclOperator.Acl.Rendering;
using Xunit;

namespace AclOperator.Acl.Tests.AclFile;

/// <summary>aclfile grammar, ACL LOAD error texts and ACL SAVE round trip (spec §9).</summary>
public sealed class AclFileTests
{
    private static AclFileLoadResult Read(string content) =>
        AclFileReader.Read(Encoding.Latin1.GetBytes(content), "users.acl", AclOptions.Default);

    [Fact]
    public void Spec_example_collects_every_error_in_order()
    {
        var r = Read(string.Join('\n',
            "user a on +nosuch",
            "foo a",
            "user c on bogus +nosuch2 ~x bogus2",
            "user d on",
            "user a off"));
        Assert.False(r.Succeeded);
        Assert.Equal(
            "users.acl:1: Error in applying operation '+nosuch': Unknown command or category name in ACL. " +
            "users.acl:2 should start with user keyword followed by the username. " +
            "users.acl:3: Syntax error. " +
            "users.acl:3: Error in applying operation '+nosuch2': Unknown command or category name in ACL. " +
            "WARNING: Duplicate user 'a' found on line 5. " +
            "WARNING: ACL errors detected, no change to the previously active ACL rules was performed",
            r.ErrorMessage);
    }

    [Theory]
    [InlineData("# a comment", "users.acl:1 should start with user keyword followed by the username. ")]
    [InlineData("USER a on", "users.acl:1 should start with user keyword followed by the username. ")]
    [InlineData("user", "users.acl:1 should start with user keyword followed by the username. ")]
    [InlineData("user   x on", "users.acl:1: Syntax error. ")]
    [InlineData("user a \"~z\"", "users.acl:1: Syntax error. ")]
    [InlineData("user a\vb on", "'users.acl:1: username 'a\vb' contains invalid characters. ")]
    [InlineData("user a on (~x +nosuch)", "users.acl:1: Error in applying operation '(~x +nosuch)': Unknown command or category name in ACL. ")]
    [InlineData("user a (+get ~x", "users.acl:1: Unmatched parenthesis in selector definition.")]
    [InlineData("user a on (+get", "users.acl:1: Unmatched parenthesis in selector definition.")]
    [InlineData("user a on %~", "users.acl:1: Syntax error. ")]
    [InlineData("user a on allkeys ~x &* &y", "users.acl:1: Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns. ")]
    public void Line_errors_are_exact(string line, string fragment)
    {
        var r = Read(line);
        Assert.Equal(fragment + AclFileLoadResult.NoChangeWarning, r.ErrorMessage);
    }

    [Fact]
    public void Redis_crash_inputs_are_reported_not_crashing()
    {
        // Redis 7.4.1 dereferences a freed array for an unmatched `(` after other rules (spec §10.1).
        var r = Read("user ok on\nuser a on (+get\nuser b on %~");
        Assert.Equal(
            "users.acl:2: Unmatched parenthesis in selector definition.users.acl:3: Syntax error. " + AclFileLoadResult.NoChangeWarning,
            r.ErrorMessage);
    }

    [Fact]
    public void Blank_lines_and_trimming_and_empty_tokens_are_accepted()
    {
        var r = Read("\n  user a on  ~x  +get \r\n\t\n\nuser b off\n");
        Assert.True(r.Succeeded, r.ErrorMessage);
        Assert.Equal(
            ["user a on sanitize-payload ~x resetchannels -@all +get", "user b off sanitize-payload resetchannels -@all", "user default on nopass sanitize-payload ~* &* +@all"],
            r.Table!.ListLines());
    }

    [Fact]
    public void Empty_file_leaves_only_the_stock_default_user()
    {
        var r = Read("");
        Assert.True(r.Succeeded);
        Assert.Equal(["user default on nopass sanitize-payload ~* &* +@all"], r.Table!.ListLines());
    }

    [Fact]
    public void Default_line_replaces_the_stock_default()
    {
        var r = Read("user default on >pw ~* +@all");
        Assert.True(r.Succeeded);
        Assert.False(r.Table!.Default.NoPass);
        Assert.True(r.Table.Default.CheckPassword("pw"u8));
        Assert.False(r.Table.Default.CheckPassword("nope"u8));
    }

    [Fact]
    public void Users_are_sorted_bytewise()
    {
        var r = Read("user default on nopass\nuser ab on\nuser a on\nuser B on");
        Assert.Equal(["B", "a", "ab", "default"], r.Table!.Users.Select(u => u.Name));
    }

    [Fact]
    public void Selectors_spread_over_tokens_are_merged()
    {
        var r = Read("user a on ( ~x +get ) (~y +set)");
        Assert.True(r.Succeeded, r.ErrorMessage);
        Assert.Equal("user a on sanitize-payload resetchannels -@all (~x resetchannels -@all +get) (~y resetchannels -@all +set)",
            AclUserRenderer.AclListLine(r.Table!.Find("a")!));
    }

    [Fact]
    public void Save_then_load_round_trips_byte_for_byte()
    {
        var source = "user alice on #" + new string('a', 64) + " ~app:* %R~ro:* &news.* -@all +@read +set -keys (~other:* +get)\n" +
                     "user bob off nopass skip-sanitize-payload %RW~* ~baz resetchannels -@all\n" +
                     "user default off resetpass\n" +
                     "user \xe9t\xe9 on ~\xff* +select|1\n";
        var first = Read(source);
        Assert.True(first.Succeeded, first.ErrorMessage);
        var saved = AclFileWriter.Render(first.Table!);
        var second = AclFileReader.Read(saved, "users.acl", AclOptions.Default);
        Assert.True(second.Succeeded, second.ErrorMessage);
        Assert.Equal(saved, AclFileWriter.Render(second.Table!));
        Assert.Equal(
            "user alice on sanitize-payload #" + new string('a', 64) + " ~app:* %R~ro:* resetchannels &news.* -@all +@read +set -keys (~other:* resetchannels -@all +get)\n" +
            "user bob off nopass skip-sanitize-payload %RW~* ~baz resetchannels -@all\n" +
            "user default off sanitize-payload resetchannels -@all\n" +
            "user \xe9t\xe9 on sanitize-payload ~\xff* resetchannels -@all +select|1\n",
            Encoding.Latin1.GetString(saved));
    }

    [Fact]
    public void Open_error_text_matches_redis()
    {
        Assert.Equal("Error loading ACLs, opening file '/nope/users.acl': No such file or directory",
            AclFileReader.OpenError("/nope/users.acl", "No such file or directory"));
    }
}
