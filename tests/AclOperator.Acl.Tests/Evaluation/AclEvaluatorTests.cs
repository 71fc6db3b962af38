using AclOperator.Acl.Commands;
using AclOperator.Acl.Evaluation;
using AclOperator.Acl.Users;
using Xunit;
using static AclOperator.Acl.Tests.Rules.SetUserTests;

namespace AclOperator.Acl.Tests.Evaluation;

/// <summary>Permission evaluation (spec §6.2–§6.4, §8 DRYRUN texts; E1 fail-closed key extraction, E16 SORT).</summary>
public sealed class AclEvaluatorTests
{
    private static readonly CommandTable Table = CommandTable.Redis74;

    internal static RedisCommand Resolve(string[] argv)
    {
        var cmd = Table.FindByFullName(argv[0])!;
        if (cmd.IsContainer)
        {
            cmd = cmd.FindSubcommand(argv[1])!;
        }

        return cmd;
    }

    internal static AclCheckResult Check(AclUser user, params string[] argv)
    {
        var b = ArgvBuilder.From(argv);
        return AclEvaluator.Check(user, Resolve(argv), b.Args);
    }

    /// <summary>What processCommand replies: null when allowed, else the error after the '-'.</summary>
    internal static string? Reply(AclUser user, params string[] argv)
    {
        var r = Check(user, argv);
        return r.IsAllowed ? null : r.ErrorReply(user, Resolve(argv));
    }

    /// <summary>What ACL DRYRUN replies: "OK" or its bulk text.</summary>
    internal static string DryRun(AclUser user, params string[] argv)
    {
        var b = ArgvBuilder.From(argv);
        var cmd = Resolve(argv);
        var r = AclEvaluator.Check(user, cmd, b.Args);
        return r.IsAllowed ? "OK" : r.DryRunText(user, cmd, b.Args);
    }

    private static AclUser Named(string name, params string[] rules)
    {
        var r = AclUserRules.Apply(name, null, rules, AclOptions.Default);
        Assert.True(r.Succeeded, r.Error);
        return r.User!;
    }

    [Fact]
    public void Command_denial_names_user_and_full_command()
    {
        var u = Named("alice", "on", "~*", "+get");
        Assert.Null(Reply(u, "get", "k"));
        Assert.Equal("NOPERM User alice has no permissions to run the 'set' command", Reply(u, "set", "k", "v"));
        Assert.Equal("NOPERM User alice has no permissions to run the 'config|get' command", Reply(u, "config", "get", "x"));
        Assert.Equal("User alice has no permissions to run the 'config|get' command", DryRun(u, "CONFIG", "GET", "x"));
    }

    [Fact]
    public void Key_and_channel_denials_use_the_short_texts_and_dryrun_the_verbose_ones()
    {
        var u = Named("bob", "on", "~app:*", "&news", "+@all");
        Assert.Equal("NOPERM No permissions to access a key", Reply(u, "get", "other"));
        Assert.Equal("User bob has no permissions to access the 'other' key", DryRun(u, "get", "other"));
        Assert.Equal("NOPERM No permissions to access a channel", Reply(u, "publish", "sports", "x"));
        Assert.Equal("User bob has no permissions to access the 'sports' channel", DryRun(u, "publish", "sports", "x"));
        Assert.Equal("OK", DryRun(u, "mset", "app:1", "a", "app:2", "b"));
        Assert.Equal("User bob has no permissions to access the 'x' key", DryRun(u, "mset", "app:1", "a", "x", "b"));
    }

    [Fact]
    public void No_auth_commands_pass_for_every_user()
    {
        var u = Named("none", "on", "-@all");
        Assert.Null(Reply(u, "auth", "a", "b"));
        Assert.Null(Reply(u, "hello", "3"));
        Assert.Null(Reply(u, "quit"));
        Assert.Null(Reply(u, "reset"));
        Assert.NotNull(Reply(u, "ping"));
    }

    [Fact]
    public void Read_write_permissions_follow_key_specs()
    {
        var u = Named("rw", "on", "+@all", "%R~r*", "%W~w*", "~both*");
        Assert.Equal("OK", DryRun(u, "get", "r1"));
        Assert.Equal("User rw has no permissions to access the 'w1' key", DryRun(u, "get", "w1"));
        Assert.Equal("OK", DryRun(u, "set", "w1", "v"));
        Assert.Equal("User rw has no permissions to access the 'r1' key", DryRun(u, "set", "r1", "v"));
        // SET ... GET needs RW.
        Assert.Equal("User rw has no permissions to access the 'w1' key", DryRun(u, "set", "w1", "v", "GET"));
        Assert.Equal("OK", DryRun(u, "set", "both1", "v", "get"));
        // A key spec with no access flags needs any matching pattern: EXISTS with only %W~w* is allowed.
        Assert.Equal("OK", DryRun(u, "exists", "w1"));
        Assert.Equal("User rw has no permissions to access the 'zz' key", DryRun(u, "exists", "zz"));
        // COPY: source R, destination W.
        Assert.Equal("OK", DryRun(u, "copy", "r1", "w1"));
        Assert.Equal("User rw has no permissions to access the 'r2' key", DryRun(u, "copy", "r1", "r2"));
        // BITFIELD with GET only needs R; with SET it needs RW.
        Assert.Equal("OK", DryRun(u, "bitfield", "r1", "GET", "u8", "0"));
        Assert.Equal("User rw has no permissions to access the 'r1' key", DryRun(u, "bitfield", "r1", "SET", "u8", "0", "1"));
    }

    [Fact]
    public void Selectors_are_ored_and_the_reported_denial_is_the_highest_ranked()
    {
        var u = Named("s", "on", "+get", "~a*", "(+set ~b*)", "(+publish &c*)");
        Assert.Equal("OK", DryRun(u, "get", "a1"));
        Assert.Equal("OK", DryRun(u, "set", "b1", "v"));
        Assert.Equal("OK", DryRun(u, "publish", "c1", "m"));
        // Root denies the key, selector 1 denies the command: the key denial wins.
        Assert.Equal("User s has no permissions to access the 'b1' key", DryRun(u, "get", "b1"));
        // Every selector denies the command.
        Assert.Equal("User s has no permissions to run the 'del' command", DryRun(u, "del", "a1"));
        // Channel beats key.
        var v = Named("v", "on", "+publish", "+get", "~k", "(+get ~other)", "(+publish &x)");
        Assert.Equal("User v has no permissions to access the 'y' channel", DryRun(v, "publish", "y", "m"));
        // Equal rank: the larger index wins.
        var w = Named("w", "on", "+mget", "~a", "(+mget ~b)");
        Assert.Equal("User w has no permissions to access the 'a' key", DryRun(w, "mget", "b", "a", "c"));
    }

    [Fact]
    public void Channel_rules_glob_match_names_and_compare_psubscribe_patterns_literally()
    {
        var u = Named("p", "on", "+@pubsub", "&ch*");
        Assert.Equal("OK", DryRun(u, "subscribe", "ch1", "ch2"));
        Assert.Equal("User p has no permissions to access the 'x' channel", DryRun(u, "subscribe", "ch1", "x"));
        Assert.Equal("OK", DryRun(u, "psubscribe", "ch*"));
        Assert.Equal("User p has no permissions to access the 'ch1*' channel", DryRun(u, "psubscribe", "ch1*"));
        Assert.Equal("OK", DryRun(u, "spublish", "chx", "m"));
        // UNSUBSCRIBE family is never checked.
        Assert.Equal("OK", DryRun(u, "unsubscribe", "zzz"));
        Assert.Equal("OK", DryRun(u, "punsubscribe", "zzz"));
    }

    [Fact]
    public void First_args_allow_only_that_argument_case_insensitively()
    {
        var u = Named("f", "on", "~*", "+select|0", "+get|Key1");
        Assert.Equal("OK", DryRun(u, "select", "0"));
        Assert.Equal("User f has no permissions to run the 'select' command", DryRun(u, "select", "1"));
        Assert.Equal("OK", DryRun(u, "get", "KEY1"));
        Assert.Equal("User f has no permissions to run the 'get' command", DryRun(u, "get", "key2"));
    }

    [Fact]
    public void Star_pattern_does_not_match_the_empty_key_but_allkeys_does()
    {
        var plain = Named("a", "on", "+@all", "%RW~*");
        Assert.Equal("User a has no permissions to access the '' key", DryRun(plain, "get", ""));
        var all = Named("b", "on", "+@all", "allkeys");
        Assert.Equal("OK", DryRun(all, "get", ""));
    }

    [Fact]
    public void Many_keys_beyond_the_stack_buffer_are_all_checked()
    {
        var u = Named("m", "on", "+@all", "~k*");
        var argv = new List<string> { "mget" };
        for (int i = 0; i < 200; i++)
        {
            argv.Add("k" + i);
        }

        Assert.Equal("OK", DryRun(u, [.. argv]));
        argv.Add("bad");
        Assert.Equal("User m has no permissions to access the 'bad' key", DryRun(u, [.. argv]));
    }

    [Fact]
    public void Sort_by_and_get_need_full_read_access()
    {
        var limited = Named("l", "on", "+@all", "~list*", "~w*");
        Assert.Null(Reply(limited, "sort", "list1"));
        Assert.Null(Reply(limited, "sort", "list1", "BY", "nosort"));
        Assert.Equal("ERR BY option of SORT denied due to insufficient ACL permissions.", Reply(limited, "sort", "list1", "BY", "w_*"));
        Assert.Equal("ERR GET option of SORT denied due to insufficient ACL permissions.", Reply(limited, "sort", "list1", "GET", "#"));
        Assert.Equal("ERR GET option of SORT denied due to insufficient ACL permissions.", Reply(limited, "sort_ro", "list1", "GET", "w*", "BY", "w*"));
        var full = Named("f", "on", "+@all", "%R~*", "~list*");
        Assert.Null(Reply(full, "sort", "list1", "BY", "w_*", "GET", "#"));
    }

    [Fact]
    public void Unresolvable_keys_fail_closed_with_the_commands_own_error()
    {
        var u = Named("e", "on", "+@all", "~k*");
        var r = Check(u, "eval", "return 1", "5", "k1");
        Assert.Equal(AclCheckOutcome.InvalidArguments, r.Outcome);
        Assert.Equal("ERR Number of keys can't be greater than number of args", r.Error);
        Assert.Equal(AclCheckOutcome.InvalidArguments, Check(u, "zunionstore", "k1", "x", "k2").Outcome);
        Assert.Equal(AclCheckOutcome.InvalidArguments, Check(u, "xread", "COUNT", "1", "k1", "0").Outcome);
        // With allkeys there is nothing to resolve: Redis forwards and the command itself fails.
        var all = Named("a", "on", "+@all", "allkeys");
        Assert.True(Check(all, "eval", "return 1", "5", "k1").IsAllowed);
    }

    [Fact]
    public void Exec_recheck_and_log_reason_texts()
    {
        var u = Named("x", "on", "+get", "~a");
        var cmd = Check(u, "set", "a", "1");
        Assert.Equal("NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: no permission to execute the command or subcommand", cmd.ExecRecheckReply());
        Assert.Equal("command", cmd.LogReason);
        var key = Check(u, "get", "b");
        Assert.EndsWith("no permission to touch the specified keys", key.ExecRecheckReply());
        Assert.Equal("key", key.LogReason);
    }
}
