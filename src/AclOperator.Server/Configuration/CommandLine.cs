using System.Text;
using AclOperator.Acl;

namespace AclOperator.Server.Configuration;

/// <summary>
/// redis-server's command line (src/server.c <c>main</c>): <c>aclop-server [/path/to/redis.conf|-] [--directive value ...]</c>.
/// Options are appended to the config file text as lines (<c>--port 6380</c> → <c>port "6380"</c>), so the last
/// occurrence of a directive wins and errors use the same fatal format.
/// </summary>
public static class CommandLine
{
    /// <summary>The <c>--version</c> line, shaped like redis-server's so tools that parse it keep working.</summary>
    public const string VersionLine = "Redis server v=" + ConfigFileParser.RedisVersion + " sha=00000000:0 malloc=libc bits=64 build=aclop";

    /// <summary>Redis's warning when started without a config file.</summary>
    public const string NoConfigFileWarning =
        "Warning: no config file specified, using the default config. In order to specify a config file use aclop-server /path/to/redis.conf";

    /// <summary>The usage text printed by <c>--help</c>.</summary>
    public const string Usage =
        "Usage: ./aclop-server [/path/to/redis.conf] [options] [-]\n" +
        "       ./aclop-server - (read config from stdin)\n" +
        "       ./aclop-server -v or --version\n" +
        "       ./aclop-server -h or --help\n\n" +
        "Examples:\n" +
        "       ./aclop-server (run the server with default conf)\n" +
        "       echo 'maxmemory 128mb' | ./aclop-server -\n" +
        "       ./aclop-server /etc/redis/6379.conf\n" +
        "       ./aclop-server --port 7777\n" +
        "       ./aclop-server /etc/myredis.conf --loglevel verbose -\n" +
        "       ./aclop-server /etc/myredis.conf --loglevel verbose\n\n" +
        "aclop extensions: backend embedded|upstream, trust-scripts yes|no, allow-migrate yes|no, admin-port <port>,\n" +
        "       manifests <dir>, kubernetes <server> [kubernetes-namespace <ns>] [kubernetes-pod <pod>]\n" +
        "       [kubernetes-last-good <file>] [kubeconfig <file>]\n";

    /// <summary>Parses the arguments (without the program name).</summary>
    /// <param name="args">The process arguments.</param>
    /// <param name="readStdin">Reads standard input when <c>-</c> is given; defaults to <see cref="Console.In"/>.</param>
    /// <param name="workingDirectory">The directory relative paths start from; the current directory by default.</param>
    public static CommandLineResult Parse(IReadOnlyList<string> args, Func<string>? readStdin = null, string? workingDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        string cwd = workingDirectory ?? Directory.GetCurrentDirectory();
        var notices = new List<string>();
        if (args.Count == 0)
        {
            notices.Add(NoConfigFileWarning);
            return Run(ConfigFileParser.Parse("", null, cwd), null, notices);
        }

        if (args[0] is "-v" or "--version")
        {
            return new CommandLineResult(CommandLineAction.PrintAndExit, VersionLine + "\n", null, null, notices);
        }

        if (args[0] is "--help" or "-h")
        {
            return new CommandLineResult(CommandLineAction.UsageAndExit, Usage, null, null, notices);
        }

        // Arguments are byte-strings from here on, like every config value.
        var argv = args.Select(AclText.FromUtf8).ToList();
        int j = 0;
        string? configFile = null;
        if (argv[0].Length == 0 || argv[0][0] != '-')
        {
            configFile = Path.GetFullPath(argv[0], cwd);
            j = 1;
        }

        bool fromStdin = false;
        var options = new StringBuilder();
        bool handledLastConfigArg = true;
        for (; j < argv.Count; j++)
        {
            string a = argv[j];
            if (a == "-" && (j == 0 || j == argv.Count - 1))
            {
                fromStdin = true;
            }
            else if (handledLastConfigArg && a.StartsWith("--", StringComparison.Ordinal))
            {
                if (options.Length > 0)
                {
                    options.Append('\n');
                }

                options.Append(a, 2, a.Length - 2).Append(' ');
                var split = SdsArgs.Split(a);
                if (split is { Count: 1 })
                {
                    handledLastConfigArg = false;
                    bool nextIsOption = j != argv.Count - 1 && argv[j + 1].StartsWith("--", StringComparison.Ordinal);
                    if (string.Equals(a, "--save", StringComparison.OrdinalIgnoreCase) && (nextIsOption || j == argv.Count - 1))
                    {
                        // `--save --port 1` and a trailing `--save` mean `save ""` (pre-7.0 compatibility).
                        options.Append("\"\"");
                        handledLastConfigArg = nextIsOption || handledLastConfigArg;
                    }
                    else if (string.Equals(a, "--sentinel", StringComparison.OrdinalIgnoreCase) && nextIsOption)
                    {
                        handledLastConfigArg = true;
                    }
                }
                else
                {
                    handledLastConfigArg = true;
                }
            }
            else
            {
                options.Append(SdsArgs.Repr(a)).Append(' ');
                handledLastConfigArg = true;
            }
        }

        var text = new StringBuilder();
        try
        {
            if (configFile is not null)
            {
                text.Append(ConfigFileParser.ReadConfigFile(configFile));
            }
        }
        catch (ConfigLoadException e)
        {
            return new CommandLineResult(CommandLineAction.Fail, null, new ConfigLoadResult(null, [], e.Kind, e.Message), configFile, notices);
        }

        if (fromStdin)
        {
            notices.Add("Reading config from stdin");
            text.Append(AclText.FromUtf8((readStdin ?? (() => Console.In.ReadToEnd()))()));
        }

        if (options.Length > 0)
        {
            text.Append('\n').Append(options);
        }

        notices.Add("Configuration loaded");

        return Run(ConfigFileParser.Parse(text.ToString(), configFile, cwd), configFile, notices);
    }

    private static CommandLineResult Run(ConfigLoadResult load, string? configFile, List<string> notices) =>
        new(load.Succeeded ? CommandLineAction.Run : CommandLineAction.Fail, null, load, configFile, notices);
}
