using System.Text;
using AclOperator.Acl.Matching;

namespace AclOperator.Server.Configuration;

/// <summary>
/// The live configuration behind CONFIG GET / SET / RESETSTAT / REWRITE (src/config.c semantics). Readers take
/// <see cref="Current"/> (an immutable snapshot); CONFIG SET builds a new snapshot and swaps it atomically.
/// </summary>
public sealed class RuntimeConfig
{
    private readonly Lock _writeLock = new();
    private volatile ServerConfig _current;

    public RuntimeConfig(ServerConfig initial)
    {
        ArgumentNullException.ThrowIfNull(initial);
        _current = initial;
    }

    /// <summary>Raised after a CONFIG SET changed at least one value (the ACL runtime applies requirepass,
    /// acl-pubsub-default and acllog-max-len from here).</summary>
    public event EventHandler<ConfigChangedEventArgs>? Changed;

    /// <summary>Raised by CONFIG RESETSTAT.</summary>
    public event EventHandler? StatsReset;

    /// <summary>The current snapshot.</summary>
    public ServerConfig Current => _current;

    /// <summary>
    /// Supplies the <c>user</c> lines for CONFIG REWRITE (§4 format, <c>user name rules…</c>); set by the ACL runtime.
    /// When null the users from the config file are written back.
    /// </summary>
    public Func<IReadOnlyList<string>>? UserLinesProvider { get; set; }

    /// <summary>
    /// Refuses CONFIG SET of a directive the running mode does not let clients change (Kubernetes mode: requirepass):
    /// returns the reason for Redis's <c>CONFIG SET failed</c> reply, or null.
    /// </summary>
    public Func<string, string?>? SetVeto { get; set; }

    /// <summary>
    /// CONFIG GET: each pattern is a glob matched case-insensitively against every name and alias (an alias is its
    /// own entry, as in Redis); a pattern without <c>[*?</c> is an exact, case-insensitive lookup and is reported as
    /// typed. Each name is reported once.
    /// </summary>
    public IReadOnlyList<(string Name, string Value)> Get(IEnumerable<string> patterns)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        var snapshot = _current;
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var result = new List<(string, string)>();
        foreach (var pattern in patterns)
        {
            if (pattern.AsSpan().IndexOfAny("[*?") < 0)
            {
                var d = ConfigRegistry.Find(pattern);
                if (d is not null && seen.Add(pattern))
                {
                    result.Add((pattern, d.Render(snapshot.Get(d.Name))));
                }

                continue;
            }

            var pat = Encoding.Latin1.GetBytes(pattern);
            foreach (var d in ConfigRegistry.All)
            {
                foreach (var key in d.Alias is null ? [d.Name] : (string[])[d.Name, d.Alias])
                {
                    if (!seen.Contains(key) && GlobMatcher.Match(pat, Encoding.Latin1.GetBytes(key), nocase: true))
                    {
                        seen.Add(key);
                        result.Add((key, d.Render(snapshot.Get(d.Name))));
                    }
                }
            }
        }

        return result;
    }

    /// <summary>
    /// CONFIG SET with one or more name/value pairs: all are validated and applied, or none. Returns null on success,
    /// otherwise the exact error reply (with its <c>ERR </c> prefix). An odd argument count is the caller's
    /// <c>ERR syntax error</c>.
    /// </summary>
    public string? Set(IReadOnlyList<(string Name, string Value)> pairs)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        ConfigChangedEventArgs? changedArgs;
        lock (_writeLock)
        {
            var directives = new ConfigDirective[pairs.Count];
            string? invalidArgName = null, errArgName = null, errstr = null;
            bool invalid = false;
            for (int i = 0; i < pairs.Count; i++)
            {
                var d = ConfigRegistry.Find(pairs[i].Name);
                if (d is null)
                {
                    if (!invalid)
                    {
                        invalidArgName = pairs[i].Name;
                        invalid = true;
                    }

                    continue;
                }

                if (invalid)
                {
                    continue;
                }

                if (!d.IsMutable || d.IsProtected)
                {
                    errstr = d.IsMutable ? "can't set protected config" : "can't set immutable config";
                    errArgName = pairs[i].Name;
                    invalid = true;
                    continue;
                }

                if (SetVeto?.Invoke(d.Name) is { } veto)
                {
                    errstr = veto;
                    errArgName = pairs[i].Name;
                    invalid = true;
                    continue;
                }

                for (int j = 0; j < i; j++)
                {
                    // Redis compares config entries: a name and its alias are different entries.
                    if (ReferenceEquals(directives[j], d) && EntryName(pairs[j].Name, d) == EntryName(pairs[i].Name, d))
                    {
                        errstr = "duplicate parameter";
                        errArgName = pairs[i].Name;
                        invalid = true;
                        break;
                    }
                }

                directives[i] = d;
            }

            if (invalidArgName is not null)
            {
                return $"ERR Unknown option or number of arguments for CONFIG SET - '{invalidArgName}'";
            }

            if (invalid)
            {
                return $"ERR CONFIG SET failed (possibly related to argument '{errArgName}') - {errstr}";
            }

            var previous = _current;
            var values = new Dictionary<string, object>(previous.Values, StringComparer.OrdinalIgnoreCase);
            var changed = new List<string>();
            for (int i = 0; i < pairs.Count; i++)
            {
                var d = directives[i];
                IReadOnlyList<string> args = d.IsMultiArgument ? SdsArgs.SplitOnSpace(pairs[i].Value) : [pairs[i].Value];
                var parsed = d.Parse(args, values[d.Name]);
                if (parsed.Error is not null)
                {
                    return $"ERR CONFIG SET failed (possibly related to argument '{EntryName(pairs[i].Name, d)}') - {parsed.Error}";
                }

                object value = d.Name == "hz" ? Math.Clamp((long)parsed.Value!, ConfigRegistry.MinHz, ConfigRegistry.MaxHz) : parsed.Value!;
                if (!Equals(d.Render(values[d.Name]), d.Render(value)) && !changed.Contains(d.Name))
                {
                    changed.Add(d.Name);
                }

                values[d.Name] = value;
            }

            var next = previous.With(values);
            _current = next;
            changedArgs = changed.Count > 0 ? new ConfigChangedEventArgs(previous, next, changed) : null;
        }

        if (changedArgs is not null)
        {
            Changed?.Invoke(this, changedArgs);
        }

        return null;
    }

    /// <summary>CONFIG RESETSTAT: raises <see cref="StatsReset"/>; the reply is always <c>+OK</c>.</summary>
    public void ResetStats() => StatsReset?.Invoke(this, EventArgs.Empty);

    /// <summary>
    /// CONFIG REWRITE: rewrites the config file in place (comments, unknown and cosmetic lines kept; directives
    /// replaced where they stand or appended). Returns null on success or the exact error reply.
    /// </summary>
    public string? Rewrite()
    {
        var snapshot = _current;
        if (snapshot.ConfigFile is null)
        {
            return "ERR The server is running without a config file";
        }

        IReadOnlyList<string>? userLines = null;
        if (snapshot.AclFile is null)
        {
            userLines = UserLinesProvider?.Invoke()
                ?? snapshot.Users.Select(u => string.Join(' ', new[] { "user", u.Name }.Concat(u.Rules))).ToList();
        }

        try
        {
            string old = File.Exists(snapshot.ConfigFile) ? File.ReadAllText(snapshot.ConfigFile, Encoding.Latin1) : "";
            string text = ConfigRewriter.Rewrite(old, snapshot, userLines);
            string temp = snapshot.ConfigFile + ".tmp-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            File.WriteAllText(temp, text, Encoding.Latin1);
            File.Move(temp, snapshot.ConfigFile, overwrite: true);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "ERR Rewriting config file: " + ConfigFileParser.ErrnoText(e);
        }
    }

    /// <summary>The name of the registry entry Redis reports: the alias when the alias was used.</summary>
    private static string EntryName(string typed, ConfigDirective d) =>
        d.Alias is not null && string.Equals(typed, d.Alias, StringComparison.OrdinalIgnoreCase) ? d.Alias : d.Name;
}
