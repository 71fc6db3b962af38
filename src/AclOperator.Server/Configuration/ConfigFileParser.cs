using System.Globalization;
using System.Text;
using AclOperator.Acl;
using AclOperator.Acl.Rules;
using AclOperator.Acl.Users;

namespace AclOperator.Server.Configuration;

/// <summary>
/// Redis 7.4's <c>loadServerConfigFromString</c>: split on <c>\n</c>, trim, skip <c>#</c> comments, split each line
/// with <c>sdssplitargs</c> quoting, dispatch on the lower-cased directive. <c>include</c> loads another file (with glob
/// patterns) at that point; <c>user</c> lines are validated and collected; the first error stops with Redis's fatal
/// error block.
/// </summary>
public static class ConfigFileParser
{
    /// <summary>The Redis version aclop-server reports (error banner, INFO, --version).</summary>
    public const string RedisVersion = "7.4.1";

    private const int MaxIncludeDepth = 16;

    private static readonly HashSet<string> SilentlyIgnoredDeprecated = new(StringComparer.OrdinalIgnoreCase)
    {
        "list-max-ziplist-entries", "list-max-ziplist-value", "lua-replicate-commands",
    };

    /// <summary>
    /// Parses configuration text (the config file's content, then stdin, then a <c>\n</c> and the command-line
    /// options, as redis-server concatenates them).
    /// </summary>
    /// <param name="text">The configuration text.</param>
    /// <param name="configFile">The absolute config file path (kept for CONFIG REWRITE), or null.</param>
    /// <param name="workingDirectory">The starting <c>dir</c>; the process's current directory by default.</param>
    public static ConfigLoadResult Parse(string text, string? configFile = null, string? workingDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var state = new State(workingDirectory ?? Directory.GetCurrentDirectory());
        try
        {
            ParseText(state, text, 0);
            PostChecks(state);
        }
        catch (ConfigLoadException e)
        {
            return new ConfigLoadResult(null, state.Warnings, e.Kind, e.Message);
        }

        if (state.Values["aclfile"] is string { Length: > 0 } && state.Users.Count > 0)
        {
            return new ConfigLoadResult(null, state.Warnings, ConfigErrorKind.LogMessage,
                "Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. " +
                "This setup is very likely to lead to configuration errors and security holes, please define either an ACL " +
                "file or declare users directly in your redis.conf, but not both.");
        }

        return new ConfigLoadResult(new ServerConfig(state.Values, configFile, state.Users), state.Warnings, ConfigErrorKind.None, null);
    }

    /// <summary>Redis's fatal block for an error at a line (<paramref name="line"/> null: an error after the last line).</summary>
    public static string FormatFatal(int lineNumber, string? line, string reason)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"\n*** FATAL CONFIG FILE ERROR (Redis {RedisVersion}) ***\n");
        if (line is not null)
        {
            sb.Append(CultureInfo.InvariantCulture, $"Reading the configuration file, at line {lineNumber}\n");
            sb.Append(CultureInfo.InvariantCulture, $">>> '{RedactSecrets(line)}'\n");
        }

        return sb.Append(RedactQuotedPasswordRules(reason)).Append('\n').ToString();
    }

    /// <summary>A quoted <c>'&gt;pw'</c> or <c>'&lt;pw'</c> rule inside an error text becomes <c>'&gt;(redacted)'</c>.</summary>
    internal static string RedactQuotedPasswordRules(string text) =>
        System.Text.RegularExpressions.Regex.Replace(text, "'([<>])[^']*'", "'$1(redacted)'");

    /// <summary>
    /// Redis echoes the offending line, secrets included; we never print one: the arguments of password directives
    /// and the <c>&gt;</c>/<c>&lt;</c> password rules of <c>user</c> lines are replaced (hashes are kept: they are what
    /// ACL LIST shows anyway).
    /// </summary>
    internal static string RedactSecrets(string line)
    {
        var words = line.Split(' ');
        if (words.Length == 0)
        {
            return line;
        }

        var directive = words[0].Trim('"', '\'').ToLowerInvariant();
        if (directive is "requirepass" or "masterauth" or "tls-key-file-pass" or "tls-client-key-file-pass")
        {
            return words[0] + (words.Length > 1 ? " (redacted)" : "");
        }

        if (directive == "user")
        {
            for (int i = 2; i < words.Length; i++)
            {
                var w = words[i].TrimStart('"', '\'', '(');
                if (w.StartsWith('>') || w.StartsWith('<'))
                {
                    words[i] = words[i][..(words[i].Length - w.Length)] + w[0] + "(redacted)";
                }
            }

            return string.Join(' ', words);
        }

        return line;
    }

    /// <summary>Reads a config file as Redis does, or fails with its log message.</summary>
    internal static string ReadConfigFile(string path)
    {
        try
        {
            return File.ReadAllText(path, Encoding.Latin1);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigLoadException(ConfigErrorKind.LogMessage,
                $"Fatal error, can't open config file '{path}': {ErrnoText(e)}");
        }
    }

    internal static string ErrnoText(Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => "No such file or directory",
        UnauthorizedAccessException => "Permission denied",
        _ => e.Message,
    };

    private static void ParseText(State state, string text, int depth)
    {
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim(' ', '\t', '\r', '\n');
            int nul = line.IndexOf('\0', StringComparison.Ordinal);
            if (nul >= 0)
            {
                line = line[..nul];
            }

            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            string? error = ParseLine(state, line, depth);
            if (error is not null)
            {
                throw new ConfigLoadException(ConfigErrorKind.FatalConfigFile, FormatFatal(i + 1, line, error));
            }
        }
    }

    private static string? ParseLine(State state, string line, int depth)
    {
        var argv = SdsArgs.Split(line);
        if (argv is null)
        {
            return "Unbalanced quotes in configuration line";
        }

        if (argv.Count == 0)
        {
            return null;
        }

        string name = argv[0].ToLowerInvariant();
        var directive = ConfigRegistry.Find(name);
        if (directive is not null)
        {
            if (!directive.IsMultiArgument && argv.Count != 2)
            {
                return "wrong number of arguments";
            }

            IReadOnlyList<string> args = directive.IsMultiArgument && argv.Count == 2 && argv[1].Length > 0
                ? (IReadOnlyList<string>?)SdsArgs.Split(argv[1]) ?? []
                : argv.GetRange(1, argv.Count - 1);
            var parsed = directive.Parse(args, state.Values[directive.Name]);
            if (parsed.Error is not null)
            {
                return parsed.Error;
            }

            state.Values[directive.Name] = parsed.Value!;
            if (parsed.Warning is not null)
            {
                state.Warnings.Add(parsed.Warning);
            }

            return null;
        }

        if (SilentlyIgnoredDeprecated.Contains(name) && argv.Count == 2)
        {
            return null;
        }

        if (ConfigRegistry.CosmeticDirectives.Contains(name))
        {
            state.Warnings.Add($"WARNING: ignoring the '{name}' directive: it has no effect in aclop-server");
            return null;
        }

        switch (name)
        {
            case "include" when argv.Count == 2:
                Include(state, argv[1], depth);
                return null;
            case "rename-command" when argv.Count == 3:
            case "loadmodule" when argv.Count >= 2:
            case "sentinel" when argv.Count != 1:
                return ConfigRegistry.RefusedDirectives[name];
            case "sentinel":
                return "sentinel mode is not supported by aclop-server";
            case "user" when argv.Count >= 2:
                return AddUser(state, argv);
        }

        if (name.Contains('.', StringComparison.Ordinal))
        {
            return argv.Count < 2 ? "Module config specified without value"
                : "Module configs are not supported by aclop-server: modules are never loaded";
        }

        return "Bad directive or wrong number of arguments";
    }

    private static void Include(State state, string pattern, int depth)
    {
        if (depth >= MaxIncludeDepth)
        {
            throw new ConfigLoadException(ConfigErrorKind.LogMessage,
                $"Fatal error, can't open config file '{pattern}': too many levels of include");
        }

        string baseDir = (string)state.Values["dir"];
        var files = new List<string>();
        if (pattern.AsSpan().IndexOfAny('*', '?', '[') >= 0)
        {
            // glob(3): no match is not an error (an empty conf.d). Only the file-name part may hold wildcards here.
            string full = Path.GetFullPath(pattern, baseDir);
            string? dir = Path.GetDirectoryName(full);
            if (dir is not null && Directory.Exists(dir))
            {
                var filePattern = Encoding.Latin1.GetBytes(Path.GetFileName(full));
                files.AddRange(Directory.GetFiles(dir)
                    .Where(f => Acl.Matching.GlobMatcher.Match(filePattern, Encoding.Latin1.GetBytes(Path.GetFileName(f)))
                        && !Path.GetFileName(f).StartsWith('.'))
                    .Order(StringComparer.Ordinal));
            }
        }
        else
        {
            files.Add(Path.GetFullPath(pattern, baseDir));
        }

        var sb = new StringBuilder();
        foreach (var f in files)
        {
            sb.Append(ReadConfigFile(f));
        }

        ParseText(state, sb.ToString(), depth + 1);
    }

    private static string? AddUser(State state, List<string> argv)
    {
        // ACLAppendUserForLoading, including its quirk: the index of the failing (merged) rule is used to pick the
        // token out of the *whole* line, so the token printed is two before the one that failed (§10.6).
        if (state.UserNames.Contains(argv[1]))
        {
            return $"Error in user declaration '{argv[1]}': {AclRuleErrors.Message(AclRuleError.DuplicateUser)}";
        }

        var merged = MergeSelectors(argv.GetRange(2, argv.Count - 2), out int openIndex);
        if (merged is null)
        {
            return $"Error in user declaration '{argv[openIndex]}': Wrong format";
        }

        AclUser? fake = null;
        for (int j = 0; j < merged.Count; j++)
        {
            var r = AclUserRules.Apply("__fakeuser__", fake, [AclText.GetBytes(merged[j])], AclOptions.Default);
            if (r.Succeeded)
            {
                fake = r.User;
                continue;
            }

            string reason = ReasonOf(r.Error!);
            if (reason == AclRuleErrors.Message(AclRuleError.UnknownCommandOrCategory))
            {
                // Postponed in Redis: modules may add commands later. The ACL runtime reports it at load.
                continue;
            }

            return $"Error in user declaration '{argv[j]}': {reason}";
        }

        state.UserNames.Add(argv[1]);
        state.Users.Add(new ConfiguredUser(argv[1], merged));
        return null;
    }

    private static string ReasonOf(string error)
    {
        foreach (var e in Enum.GetValues<AclRuleError>())
        {
            string m = AclRuleErrors.Message(e);
            if (error.EndsWith("': " + m, StringComparison.Ordinal))
            {
                return m;
            }
        }

        return "Wrong format";
    }

    /// <summary><c>ACLMergeSelectorArguments</c>: joins <c>(</c> … <c>)</c> spans with single spaces; null when one is left open.</summary>
    internal static List<string>? MergeSelectors(IReadOnlyList<string> args, out int openIndex)
    {
        var result = new List<string>();
        openIndex = -1;
        StringBuilder? selector = null;
        for (int j = 0; j < args.Count; j++)
        {
            string op = args[j];
            bool endsWithParen = op.Length > 0 && op[^1] == ')';
            if (openIndex == -1 && op.Length > 0 && op[0] == '(' && !endsWithParen)
            {
                selector = new StringBuilder(op);
                openIndex = j;
                continue;
            }

            if (openIndex != -1)
            {
                selector!.Append(' ').Append(op);
                if (endsWithParen)
                {
                    openIndex = -1;
                    result.Add(selector.ToString());
                }

                continue;
            }

            result.Add(op);
        }

        return openIndex == -1 ? result : null;
    }

    private static void PostChecks(State state)
    {
        var v = state.Values;
        string dir = (string)v["dir"];
        if (v["logfile"] is string { Length: > 0 } logfile)
        {
            try
            {
                using var _ = new FileStream(Path.GetFullPath(logfile, dir), FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ConfigLoadException(ConfigErrorKind.FatalConfigFile, FormatFatal(0, null, $"Can't open the log file: {ErrnoText(e)}"));
            }
        }

        // E19: the TLS listener lives elsewhere, but its files are checked here so a typo fails start-up.
        foreach (var name in (string[])["tls-cert-file", "tls-key-file", "tls-ca-cert-file"])
        {
            if (v[name] is string { Length: > 0 } path && !File.Exists(Path.GetFullPath(path, dir)))
            {
                throw new ConfigLoadException(ConfigErrorKind.FatalConfigFile,
                    FormatFatal(0, null, $"Failed to configure TLS: {name} '{path}': No such file or directory"));
            }
        }

        if ((long)v["tls-port"] != 0)
        {
            foreach (var name in (string[])["tls-cert-file", "tls-key-file"])
            {
                if (v[name] is not string { Length: > 0 })
                {
                    throw new ConfigLoadException(ConfigErrorKind.FatalConfigFile,
                        FormatFatal(0, null, $"Failed to configure TLS: No {name} configured!"));
                }
            }

            if (v["tls-ca-cert-file"] is not string { Length: > 0 } && (string)v["tls-auth-clients"] != "no")
            {
                throw new ConfigLoadException(ConfigErrorKind.FatalConfigFile,
                    FormatFatal(0, null, "Failed to configure TLS: Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled!"));
            }
        }

        v["hz"] = Math.Clamp((long)v["hz"], ConfigRegistry.MinHz, ConfigRegistry.MaxHz);
    }

    private sealed class State
    {
        public State(string workingDirectory)
        {
            Values = ServerConfig.DefaultValues();
            Values["dir"] = Path.TrimEndingDirectorySeparator(Path.GetFullPath(workingDirectory));
        }

        public Dictionary<string, object> Values { get; }

        public List<string> Warnings { get; } = [];

        public List<ConfiguredUser> Users { get; } = [];

        public HashSet<string> UserNames { get; } = new(StringComparer.Ordinal);
    }
}
