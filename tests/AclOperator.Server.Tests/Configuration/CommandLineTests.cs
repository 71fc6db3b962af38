using AclOperator.Server.Configuration;
using Xunit;
// Garnet's dependency CommandLineParser declares a global 'CommandLine' namespace that hides the type's short name.
using ServerCommandLine = AclOperator.Server.Configuration.CommandLine;

namespace AclOperator.Server.Tests.Configuration;

public sealed class CommandLineTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("aclop-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private CommandLineResult Parse(params string[] args) => ServerCommandLine.Parse(args, () => "maxclients 33\n", _dir);

    [Fact]
    public void Version_and_help()
    {
        var v = Parse("--version");
        Assert.Equal(CommandLineAction.PrintAndExit, v.Action);
        Assert.Equal("Redis server v=7.4.1 sha=00000000:0 malloc=libc bits=64 build=aclop\n", v.Output);
        Assert.Equal(v.Output, Parse("-v").Output);
        Assert.Equal(CommandLineAction.UsageAndExit, Parse("--help").Action);
        Assert.StartsWith("Usage: ./aclop-server [/path/to/redis.conf] [options] [-]", Parse("-h").Output, StringComparison.Ordinal);
    }

    [Fact]
    public void No_arguments_uses_defaults_with_redis_warning()
    {
        var r = Parse();
        Assert.Equal(CommandLineAction.Run, r.Action);
        Assert.Equal([ServerCommandLine.NoConfigFileWarning], r.StartupNotices);
        Assert.Equal(6379, r.Load!.Config!.Port);
    }

    [Fact]
    public void Options_after_the_file_override_it()
    {
        string file = Path.Combine(_dir, "r.conf");
        File.WriteAllText(file, "port 7000\nmaxclients 10");
        var r = Parse(file, "--port", "7001", "--bind", "127.0.0.1", "::1", "--save", "--requirepass", "a \"b\"", "--loglevel verbose");
        Assert.Equal(CommandLineAction.Run, r.Action);
        var c = r.Load!.Config!;
        Assert.Equal(file, c.ConfigFile);
        Assert.Equal(7001, c.Port);
        Assert.Equal(10, c.MaxClients);
        Assert.Equal(["127.0.0.1", "::1"], c.Bind);
        Assert.Equal("", c.Save);
        Assert.Equal("a \"b\"", c.RequirePass);
        Assert.Equal(RedisLogLevel.Verbose, c.LogLevel);
    }

    [Fact]
    public void Dash_reads_stdin_and_errors_point_at_the_appended_line()
    {
        var r = Parse("-", "--port", "7002");
        Assert.Equal(33, r.Load!.Config!.MaxClients);
        Assert.Equal(7002, r.Load.Config.Port);
        Assert.Contains("Reading config from stdin", r.StartupNotices);

        var bad = Parse("--port", "x");
        Assert.Equal(CommandLineAction.Fail, bad.Action);
        Assert.Equal("\n*** FATAL CONFIG FILE ERROR (Redis 7.4.1) ***\nReading the configuration file, at line 2\n>>> 'port \"x\"'\nargument couldn't be parsed into an integer\n", bad.Load!.Error);
    }

    [Fact]
    public void Missing_config_file_is_a_log_error()
    {
        var r = Parse("nope.conf");
        Assert.Equal(CommandLineAction.Fail, r.Action);
        Assert.Equal(ConfigErrorKind.LogMessage, r.Load!.ErrorKind);
        Assert.Equal($"Fatal error, can't open config file '{Path.Combine(_dir, "nope.conf")}': No such file or directory", r.Load.Error);
    }

    [Fact]
    public void E3_refused_directive_on_the_command_line_fails()
    {
        var r = Parse("--enable-debug-command", "yes");
        Assert.Equal(CommandLineAction.Fail, r.Action);
        Assert.EndsWith("enable-debug-command can only be 'no': DEBUG is always refused by aclop-server\n", r.Load!.Error, StringComparison.Ordinal);
    }
}
