using AclOperator.Server.Configuration;
using Xunit;

namespace AclOperator.Server.Tests.Configuration;

public sealed class ConfigFileParserTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("aclop-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private ConfigLoadResult Parse(string text) => ConfigFileParser.Parse(text, null, _dir);

    private static string Fatal(int line, string text, string reason) =>
        $"\n*** FATAL CONFIG FILE ERROR (Redis 7.4.1) ***\nReading the configuration file, at line {line}\n>>> '{text}'\n{reason}\n";

    [Fact]
    public void Defaults_match_redis()
    {
        var c = Parse("").Config!;
        Assert.Equal(6379, c.Port);
        Assert.Equal(["*", "-::*"], c.Bind);
        Assert.Equal(10000, c.MaxClients);
        Assert.Equal(1024L * 1024 * 1024, c.ClientQueryBufferLimit);
        Assert.Equal(512L * 1024 * 1024, c.ProtoMaxBulkLen);
        Assert.Equal("normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60", c.ClientOutputBufferLimits.ToString());
        Assert.True(c.ProtectedMode);
        Assert.Equal(RedisLogLevel.Notice, c.LogLevel);
        Assert.Equal(16, c.Databases);
        Assert.Equal(128, c.AclLogMaxLen);
        Assert.False(c.AclPubsubDefaultAllChannels);
        Assert.Equal("embedded", c.Backend);
        Assert.Equal(_dir, c.Dir);
    }

    [Fact]
    public void Quotes_comments_units_and_last_value_wins()
    {
        var r = Parse("# comment\n  port 7000  \r\nrequirepass \"p\\x41ss word\"\nmaxmemory 1gb\nPORT 7001\nlogfile ''\nbind 127.0.0.1 -::1\nloglevel WARNING\n");
        Assert.True(r.Succeeded, r.Error);
        var c = r.Config!;
        Assert.Equal(7001, c.Port);
        Assert.Equal("pAss word", c.RequirePass);
        Assert.Equal(1024UL * 1024 * 1024, c.MaxMemory);
        Assert.Equal(["127.0.0.1", "-::1"], c.Bind);
        Assert.Equal(RedisLogLevel.Warning, c.LogLevel);
    }

    [Theory]
    [InlineData("port \"7000", "Unbalanced quotes in configuration line")]
    [InlineData("port \"70\"00", "Unbalanced quotes in configuration line")]
    [InlineData("port 1 2", "wrong number of arguments")]
    [InlineData("port abc", "argument couldn't be parsed into an integer")]
    [InlineData("port 070", "argument couldn't be parsed into an integer")]
    [InlineData("port 70000", "argument must be between 0 and 65535 inclusive")]
    [InlineData("protected-mode maybe", "argument must be 'yes' or 'no'")]
    [InlineData("loglevel loud", "argument(s) must be one of the following: debug, verbose, notice, warning, nothing")]
    [InlineData("maxmemory 1tb", "argument must be a memory value")]
    [InlineData("proto-max-bulk-len 1000", "argument must be between 1048576 and 9223372036854775807 inclusive")]
    [InlineData("maxclients 0", "argument must be between 1 and 4294967295 inclusive")]
    [InlineData("nosuchdirective 1", "Bad directive or wrong number of arguments")]
    [InlineData("client-output-buffer-limit normal 0 0", "Wrong number of arguments in buffer limit configuration.")]
    [InlineData("client-output-buffer-limit master 0 0 0", "Invalid client class specified in buffer limit configuration.")]
    [InlineData("client-output-buffer-limit pubsub 1x 0 0", "Error in hard, soft or soft_seconds setting in buffer limit configuration.")]
    [InlineData("save 0 1", "Invalid save parameters")]
    [InlineData("unixsocketperm 999", "argument couldn't be parsed as an octal number")]
    public void Line_errors_use_redis_fatal_format(string line, string reason)
    {
        var r = Parse("# header\n\n" + line + "\n");
        Assert.False(r.Succeeded);
        Assert.Equal(ConfigErrorKind.FatalConfigFile, r.ErrorKind);
        Assert.Equal(Fatal(3, line, reason), r.Error);
    }

    [Fact]
    public void Multi_argument_directive_given_as_one_quoted_argument_is_split()
    {
        var c = Parse("client-output-buffer-limit \"pubsub 64mb 16mb 30\"\nsave \"\"\nbind \"\"").Config!;
        Assert.Equal("normal 0 0 0 slave 268435456 67108864 60 pubsub 67108864 16777216 30", c.ClientOutputBufferLimits.ToString());
        Assert.Equal("", c.Save);
        Assert.Empty(c.Bind);
    }

    [Fact]
    public void Include_loads_relative_to_dir_and_reports_the_included_line()
    {
        File.WriteAllText(Path.Combine(_dir, "a.conf"), "port 6400\nmaxclients 5\n");
        Directory.CreateDirectory(Path.Combine(_dir, "conf.d"));
        File.WriteAllText(Path.Combine(_dir, "conf.d", "x.conf"), "timeout 7\n");
        var c = Parse("include a.conf\ninclude conf.d/*.conf\ninclude conf.d/none*.conf\nmaxclients 6").Config!;
        Assert.Equal(6400, c.Port);
        Assert.Equal(6, c.MaxClients);
        Assert.Equal(7, c.Timeout);

        File.WriteAllText(Path.Combine(_dir, "bad.conf"), "# x\nport nope\n");
        Assert.Equal(Fatal(2, "port nope", "argument couldn't be parsed into an integer"), Parse("include bad.conf").Error);

        var missing = Parse("include missing.conf");
        Assert.Equal(ConfigErrorKind.LogMessage, missing.ErrorKind);
        Assert.Equal($"Fatal error, can't open config file '{Path.Combine(_dir, "missing.conf")}': No such file or directory", missing.Error);
    }

    [Fact]
    public void Dir_must_exist_and_is_the_base_for_relative_paths()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "data"));
        var c = Parse("dir data\npidfile p.pid").Config!;
        Assert.Equal(Path.Combine(_dir, "data"), c.Dir);
        Assert.Equal(Path.Combine(_dir, "data", "p.pid"), c.ResolvePath(c.PidFile!));
        Assert.Equal(Fatal(1, "dir nope", "No such file or directory"), Parse("dir nope").Error);
    }

    [Fact]
    public void User_lines_are_collected_in_order_with_merged_selectors()
    {
        var c = Parse("user alice on >pw ~k* (+get ~x) +@read\nUSER bob off").Config!;
        Assert.Equal(["alice", "bob"], c.Users.Select(u => u.Name));
        Assert.Equal(["on", ">pw", "~k*", "(+get ~x)", "+@read"], c.Users[0].Rules);
    }

    [Fact]
    public void User_line_errors_are_redis_exact_including_the_off_by_two_token()
    {
        // The failing rule is 'badrule' (merged index 2), Redis prints argv[2] = 'on'. Unlike Redis, the echoed line
        // never shows a password.
        Assert.Equal(Fatal(1, "user alice on >(redacted) badrule", "Error in user declaration 'on': Syntax error"),
            Parse("user alice on >pw badrule").Error);
        Assert.Equal(Fatal(2, "user alice off", "Error in user declaration 'alice': Duplicate user found. A user can only be defined once in config files"),
            Parse("user alice on\nuser alice off").Error);
        // Unmatched '(' at index 1 of the rules: Redis prints argv[1], the username.
        Assert.Equal(Fatal(1, "user alice on (+get ~x", "Error in user declaration 'alice': Wrong format"),
            Parse("user alice on (+get ~x").Error);
        // Unknown commands are postponed to ACL load time, not a config error.
        Assert.True(Parse("user alice on +nosuchcommand").Succeeded);
        Assert.Equal(Fatal(1, "user", "Bad directive or wrong number of arguments"), Parse("user").Error);
    }

    [Fact]
    public void Users_with_an_aclfile_fail_startup_with_redis_message()
    {
        var r = Parse("aclfile users.acl\nuser alice on");
        Assert.Equal(ConfigErrorKind.LogMessage, r.ErrorKind);
        Assert.StartsWith("Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid.", r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Cosmetic_directives_are_ignored_with_a_warning()
    {
        var r = Parse("always-show-logo yes\nhash-max-listpack-entries 128\nlist-max-ziplist-entries 5");
        Assert.True(r.Succeeded);
        Assert.Equal(2, r.Warnings.Count);
        Assert.Contains("'always-show-logo'", r.Warnings[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Persistence_directives_warn_but_are_accepted()
    {
        var r = Parse("save 3600 1 300 100\nappendonly yes");
        Assert.True(r.Succeeded);
        Assert.Equal("3600 1 300 100", r.Config!.Save);
        Assert.Equal(2, r.Warnings.Count);
        Assert.Empty(Parse("save \"\"\nappendonly no").Warnings);
    }

    [Fact]
    public void Hz_is_clamped()
    {
        Assert.Equal(500, Parse("hz 100000").Config!.Hz);
        Assert.Equal("500", Parse("hz 100000").Config!.Render("hz"));
    }

    [Fact]
    public void Logfile_that_cannot_be_opened_is_fatal_after_the_last_line()
    {
        var r = Parse("logfile /nonexistent-dir/x.log");
        Assert.Equal("\n*** FATAL CONFIG FILE ERROR (Redis 7.4.1) ***\nCan't open the log file: No such file or directory\n", r.Error);
    }
}
