using System.Collections.Frozen;
using System.Globalization;

namespace AclOperator.Server.Configuration;

/// <summary>
/// Every directive aclop-server knows: Redis 7.4's definitions (names, aliases, bounds, defaults, error texts from
/// src/config.c) for the ones it implements, aclop extensions, the refused ones and the cosmetic ones.
/// </summary>
public static class ConfigRegistry
{
    private static readonly FrozenDictionary<string, ConfigDirective> ByName;

    static ConfigRegistry()
    {
        All = Build();
        var map = new Dictionary<string, ConfigDirective>(StringComparer.OrdinalIgnoreCase);
        foreach (var d in All)
        {
            map.Add(d.Name, d);
            if (d.Alias is not null)
            {
                map.Add(d.Alias, d);
            }
        }

        ByName = map.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>All directives with a value, in a stable order.</summary>
    public static IReadOnlyList<ConfigDirective> All { get; }

    /// <summary>
    /// Redis directives that fail start-up with the given reason (E3). Redis directives that are neither here, in
    /// <see cref="All"/> nor in <see cref="CosmeticDirectives"/> get Redis's own
    /// <c>Bad directive or wrong number of arguments</c>.
    /// </summary>
    public static IReadOnlyDictionary<string, string> RefusedDirectives { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["rename-command"] = "rename-command is not supported by aclop-server: restrict commands with ACL rules instead",
        ["loadmodule"] = "loadmodule is not supported by aclop-server: modules are never loaded",
        ["sentinel"] = "sentinel directive while not in sentinel mode",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Redis directives that only tune things aclop-server does not have (encodings, persistence files, replication
    /// timing, process title, syslog, defragmentation): accepted with a warning and otherwise ignored.
    /// </summary>
    public static IReadOnlySet<string> CosmeticDirectives { get; } = new[]
    {
        "always-show-logo", "set-proc-title", "proc-title-template", "syslog-enabled", "syslog-ident", "syslog-facility",
        "crash-log-enabled", "crash-memcheck-enabled", "locale-collate", "oom-score-adj", "oom-score-adj-values",
        "disable-thp", "jemalloc-bg-thread", "activedefrag", "active-defrag-ignore-bytes", "active-defrag-threshold-lower",
        "active-defrag-threshold-upper", "active-defrag-cycle-min", "active-defrag-cycle-max", "active-defrag-max-scan-fields",
        "io-threads", "io-threads-do-reads", "dynamic-hz", "activerehashing", "lazyfree-lazy-eviction",
        "lazyfree-lazy-expire", "lazyfree-lazy-server-del", "lazyfree-lazy-user-del", "lazyfree-lazy-user-flush",
        "replica-lazy-flush", "slave-lazy-flush", "hash-max-listpack-entries", "hash-max-listpack-value",
        "hash-max-ziplist-entries", "hash-max-ziplist-value", "list-max-listpack-size", "list-max-ziplist-size",
        "list-compress-depth", "set-max-intset-entries", "set-max-listpack-entries", "set-max-listpack-value",
        "zset-max-listpack-entries", "zset-max-listpack-value", "zset-max-ziplist-entries", "zset-max-ziplist-value",
        "hll-sparse-max-bytes", "stream-node-max-bytes", "stream-node-max-entries", "rdbcompression", "rdbchecksum",
        "rdb-del-sync-files", "rdb-save-incremental-fsync", "aof-rewrite-incremental-fsync", "dbfilename",
        "appendfilename", "appenddirname", "appendfsync", "no-appendfsync-on-rewrite", "auto-aof-rewrite-percentage",
        "auto-aof-rewrite-min-size", "aof-load-truncated", "aof-use-rdb-preamble", "aof-timestamp-enabled",
        "stop-writes-on-bgsave-error", "slowlog-log-slower-than", "slowlog-max-len", "latency-monitor-threshold",
        "latency-tracking", "latency-tracking-info-percentiles", "lua-time-limit", "busy-reply-threshold",
        "shutdown-timeout", "shutdown-on-sigint", "shutdown-on-sigterm", "maxmemory-samples",
        "maxmemory-eviction-tenacity", "lfu-log-factor", "lfu-decay-time", "active-expire-effort",
        "repl-diskless-sync", "repl-diskless-sync-delay", "repl-diskless-sync-max-replicas", "repl-diskless-load",
        "repl-ping-replica-period", "repl-ping-slave-period", "repl-timeout", "repl-disable-tcp-nodelay",
        "repl-backlog-size", "repl-backlog-ttl", "replica-serve-stale-data", "slave-serve-stale-data",
        "replica-read-only", "slave-read-only", "replica-priority", "slave-priority", "replica-announced",
        "min-replicas-to-write", "min-slaves-to-write", "min-replicas-max-lag", "min-slaves-max-lag",
        "ignore-warnings",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>Finds a directive by name or alias, case-insensitively.</summary>
    public static ConfigDirective? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>Redis's <c>CONFIG_MIN_HZ</c> and <c>CONFIG_MAX_HZ</c>: <c>hz</c> is clamped into this range.</summary>
    public const int MinHz = 1;

    public const int MaxHz = 500;

    private const long IntMax = int.MaxValue;

    private static ConfigDirective[] Build()
    {
        string cwd = Directory.GetCurrentDirectory();
        return
        [
            Int("port", 0, 65535, 6379) with { Description = "TCP port; 0 = no TCP listener." },
            Bind(),
            Str("unixsocket", "") with { Description = "Unix socket path (relative to dir)." },
            Octal("unixsocketperm", 0, Convert.ToInt64("777", 8), 0),
            Str("aclfile", "") with { Description = "ACL file (immutable; relative to dir)." },
            Str("requirepass", "") with { IsMutable = true, Description = "Password of the default user (applied by the ACL runtime)." },
            Enum("acl-pubsub-default", ["allchannels", "resetchannels"], "resetchannels") with { IsMutable = true },
            Int("acllog-max-len", 0, long.MaxValue, 128) with { IsMutable = true },
            Restricted(Bool("daemonize", false), v => (bool)v
                ? "daemonize yes is not supported by aclop-server: run it in the foreground under a supervisor"
                : null),
            Str("logfile", "") with { Description = "Log file; \"\" = standard output." },
            Dir(cwd),
            Enum("loglevel", ["debug", "verbose", "notice", "warning", "nothing"], "notice") with { IsMutable = true },
            Int("databases", 1, IntMax, 16),
            Int("maxclients", 1, uint.MaxValue, 10000) with { IsMutable = true },
            Bool("protected-mode", true) with { IsMutable = true },
            Int("tls-port", 0, 65535, 0),
            Str("tls-cert-file", ""),
            Str("tls-key-file", ""),
            Str("tls-ca-cert-file", ""),
            Enum("tls-auth-clients", ["no", "yes", "optional"], "yes"),
            Mem("maxmemory", 0, ulong.MaxValue, 0) with { Description = "Sizes the embedded store; 0 = from the container limit." },
            Restricted(
                Enum("maxmemory-policy", ["volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"], "noeviction") with { IsMutable = true },
                v => (string)v == "noeviction" ? null : "only maxmemory-policy noeviction is supported by aclop-server: data is never evicted silently"),
            Int("timeout", 0, IntMax, 0) with { IsMutable = true },
            Mem("client-query-buffer-limit", 1024 * 1024, long.MaxValue, 1024UL * 1024 * 1024) with { IsMutable = true },
            Mem("proto-max-bulk-len", 1024 * 1024, long.MaxValue, 512UL * 1024 * 1024) with { IsMutable = true },
            OutputBufferLimits(),
            Int("hz", 0, IntMax, 10) with { IsMutable = true },
            Save(),
            WarnWhen(Bool("appendonly", false) with { IsMutable = true }, v => (bool)v
                ? "WARNING: appendonly yes is accepted but aclop-server keeps no append-only file: persistence is the backend's"
                : null),
            Restricted(ProtectedAction("enable-debug-command"), v => (string)v == "no" ? null
                : "enable-debug-command can only be 'no': DEBUG is always refused by aclop-server"),
            Restricted(ProtectedAction("enable-module-command"), v => (string)v == "no" ? null
                : "enable-module-command can only be 'no': MODULE is always refused by aclop-server"),
            Restricted(ProtectedAction("enable-protected-configs"), v => (string)v == "no" ? null
                : "enable-protected-configs can only be 'no' in aclop-server"),
            WarnWhen(Enum("supervised", ["upstart", "systemd", "auto", "no"], "no"), v => (string)v == "no" ? null
                : $"WARNING: supervised {v} is ignored: aclop-server does not talk to a supervisor") with { Support = DirectiveSupport.IgnoredWithWarning },
            Str("pidfile", "") with { Description = "Written with the process id at start-up, removed at shutdown." },
            Int("tcp-backlog", 0, IntMax, 511),
            Int("tcp-keepalive", 0, IntMax, 300) with { IsMutable = true },
            Restricted(Str("masterauth", "") with { IsMutable = true }, v => ((string)v).Length == 0 ? null
                : "masterauth is not supported by aclop-server: replication is not available"),
            Restricted(Str("masteruser", "") with { IsMutable = true }, v => ((string)v).Length == 0 ? null
                : "masteruser is not supported by aclop-server: replication is not available"),
            ReplicaOf(),
            Restricted(Bool("cluster-enabled", false), v => (bool)v
                ? "cluster-enabled yes is not supported by aclop-server: cluster support disabled"
                : null),
            Enum("sanitize-dump-payload", ["no", "yes", "clients"], "no") with { IsMutable = true },
            Enum("backend", ["embedded", "upstream"], "embedded") with { IsExtension = true, Description = "The data store behind the ACL front end (upstream is implied by an upstream address)." },
            Str("upstream", "") with { IsExtension = true, Description = "host:port of the upstream Redis-protocol server (backend upstream; a sidecar is 127.0.0.1:port)." },
            Str("upstream-user", "") with { IsExtension = true, Description = "ACL user the server authenticates as on the upstream; \"\" = default user." },
            Str("upstream-password-file", "") with { IsExtension = true, Description = "File holding the upstream password (a mounted Secret); env ACLOP_UPSTREAM_PASSWORD is used when unset." },
            Bool("upstream-tls", false) with { IsExtension = true, Description = "Connect to the upstream with TLS." },
            Str("upstream-tls-ca-file", "") with { IsExtension = true, Description = "PEM CA bundle that signs the upstream's certificate; \"\" = system trust store." },
            Str("upstream-tls-server-name", "") with { IsExtension = true, Description = "Name checked against the upstream certificate; \"\" = the upstream host." },
            Str("manifests", "") with { IsExtension = true, Description = "Local mode: a folder of RedisAclUser/RedisAcl YAML files compiled into the ACL and hot-reloaded." },
            Str("kubernetes", "") with { IsExtension = true, Description = "Kubernetes mode: the RedisAclServer whose published ACL snapshot (ConfigMaps and Secrets) is read and watched through the API." },
            Str("kubernetes-namespace", "") with { IsExtension = true, Description = "Kubernetes mode: the RedisAclServer's namespace; \"\" = env POD_NAMESPACE, else the service account's namespace file." },
            Str("kubernetes-pod", "") with { IsExtension = true, Description = "Kubernetes mode: this pod's name, also the name of the Lease it reports its enforced revision on; \"\" = env POD_NAME." },
            Str("kubernetes-last-good", "") with { IsExtension = true, Description = "Kubernetes mode: file keeping the last applied snapshot, loaded at start before the API is reached; \"\" = <dir>/aclop-last-good.json." },
            Int("kubernetes-lease-renew-seconds", 1, 3600, 10) with { IsExtension = true, Description = "Kubernetes mode: seconds between renewals of the pod's Lease (enforced revision, denial report); a Lease this pod creates lasts three periods." },
            Str("kubeconfig", "") with { IsExtension = true, Description = "Kubernetes mode: kubeconfig file for the API; \"\" = in-cluster configuration, else env KUBECONFIG." },
            Bool("trust-scripts", false) with { IsExtension = true, Description = "E8: allow scripts and functions for every user." },
            Bool("user-denial-metrics", false) with { IsExtension = true, IsMutable = true, Description = "Export aclop_acl_user_denials_total{user,reason}: one series per user with denials (opt-in: a label per user)." },
            Bool("allow-migrate", false) with { IsExtension = true, Description = "E2: forward MIGRATE instead of refusing it." },
            Int("admin-port", 0, 65535, 0) with { IsExtension = true, Description = "Admin listener port; 0 = none." },
            Str("admin-bind", "127.0.0.1") with { IsExtension = true, Description = "Address of the admin HTTP listener (/healthz /readyz /status /metrics)." },
        ];
    }

    private static ConfigDirective Restricted(ConfigDirective d, Func<object, string?> refusal) =>
        Wrap(d, refusal, isWarning: false) with { Support = DirectiveSupport.RestrictedValues };

    private static ConfigDirective WarnWhen(ConfigDirective d, Func<object, string?> warning) => Wrap(d, warning, isWarning: true);

    private static ConfigDirective Wrap(ConfigDirective d, Func<object, string?> check, bool isWarning)
    {
        var wrapped = new ConfigDirective(d.Name, d.Kind, d.DefaultValue, (args, current) =>
        {
            var r = d.Parse(args, current);
            if (r.Error is not null)
            {
                return r;
            }

            string? text = check(r.Value!);
            return text is null ? r : isWarning ? ParsedConfigValue.Ok(r.Value!, text) : ParsedConfigValue.Fail(text);
        }, d.Render, d.RewriteLines)
        {
            Alias = d.Alias,
            Support = d.Support,
            IsMutable = d.IsMutable,
            IsProtected = d.IsProtected,
            IsMultiArgument = d.IsMultiArgument,
            IsExtension = d.IsExtension,
            EnumNames = d.EnumNames,
            Description = d.Description,
        };
        return wrapped;
    }

    private static string Line(string name, string value) => name + " " + value;

    private static ConfigDirective Bool(string name, bool def) => new(name, ConfigValueKind.Bool, def,
        (args, _) => ConfigNumbers.TryParseYesNo(args[0], out bool b) ? ParsedConfigValue.Ok(b) : ParsedConfigValue.Fail("argument must be 'yes' or 'no'"),
        v => (bool)v ? "yes" : "no",
        v => [Line(name, (bool)v ? "yes" : "no")]);

    private static ConfigDirective Str(string name, string def) => new(name, ConfigValueKind.String, def,
        (args, _) => ParsedConfigValue.Ok(args[0]),
        v => (string)v,
        v => [Line(name, SdsArgs.Repr((string)v))]);

    private static ConfigDirective Enum(string name, string[] names, string def) => new(name, ConfigValueKind.Enum, def,
        (args, _) =>
        {
            foreach (var n in names)
            {
                if (string.Equals(n, args[0], StringComparison.OrdinalIgnoreCase))
                {
                    return ParsedConfigValue.Ok(n);
                }
            }

            return ParsedConfigValue.Fail("argument(s) must be one of the following: " + string.Join(", ", names));
        },
        v => (string)v,
        v => [Line(name, (string)v)]) { EnumNames = names };

    private static ConfigDirective ProtectedAction(string name) => Enum(name, ["no", "yes", "local"], "no");

    private static ConfigDirective Int(string name, long min, long max, long def) => new(name, ConfigValueKind.Integer, def,
        (args, _) =>
        {
            if (!ConfigNumbers.TryParseStrictLong(args[0], out long v))
            {
                return ParsedConfigValue.Fail("argument couldn't be parsed into an integer");
            }

            return v < min || v > max
                ? ParsedConfigValue.Fail(string.Create(CultureInfo.InvariantCulture, $"argument must be between {min} and {max} inclusive"))
                : ParsedConfigValue.Ok(v);
        },
        v => ((long)v).ToString(CultureInfo.InvariantCulture),
        v => [Line(name, ((long)v).ToString(CultureInfo.InvariantCulture))]);

    private static ConfigDirective Octal(string name, long min, long max, long def) => new(name, ConfigValueKind.Octal, def,
        (args, _) =>
        {
            long v;
            try
            {
                v = args[0].Length == 0 ? 0 : Convert.ToInt64(args[0], 8);
            }
            catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
            {
                return ParsedConfigValue.Fail("argument couldn't be parsed as an octal number");
            }

            return v < min || v > max
                ? ParsedConfigValue.Fail($"argument must be between {Convert.ToString(min, 8)} and {Convert.ToString(max, 8)} inclusive")
                : ParsedConfigValue.Ok(v);
        },
        v => Convert.ToString((long)v, 8),
        v => [Line(name, Convert.ToString((long)v, 8))]);

    private static ConfigDirective Mem(string name, ulong min, ulong max, ulong def) => new(name, ConfigValueKind.Memory, def,
        (args, _) =>
        {
            if (!ConfigNumbers.TryParseMemory(args[0], out ulong v))
            {
                return ParsedConfigValue.Fail("argument must be a memory value");
            }

            // Signed configs (proto-max-bulk-len, client-query-buffer-limit) see the value as a long long.
            bool signedType = max <= long.MaxValue;
            if (signedType ? (long)v < (long)min || (long)v > (long)max : v < min || v > max)
            {
                return ParsedConfigValue.Fail(signedType
                    ? string.Create(CultureInfo.InvariantCulture, $"argument must be between {(long)min} and {(long)max} inclusive")
                    : string.Create(CultureInfo.InvariantCulture, $"argument must be between {min} and {max} inclusive"));
            }

            return ParsedConfigValue.Ok(v);
        },
        v => ((ulong)v).ToString(CultureInfo.InvariantCulture),
        v => [Line(name, FormatMemory((ulong)v))]);

    /// <summary><c>rewriteConfigFormatMemory</c>: the largest exact unit among gb, mb, kb.</summary>
    internal static string FormatMemory(ulong bytes)
    {
        const ulong Kb = 1024, Mb = Kb * 1024, Gb = Mb * 1024;
        return bytes == 0 ? "0"
            : bytes % Gb == 0 ? string.Create(CultureInfo.InvariantCulture, $"{bytes / Gb}gb")
            : bytes % Mb == 0 ? string.Create(CultureInfo.InvariantCulture, $"{bytes / Mb}mb")
            : bytes % Kb == 0 ? string.Create(CultureInfo.InvariantCulture, $"{bytes / Kb}kb")
            : bytes.ToString(CultureInfo.InvariantCulture);
    }

    private static ConfigDirective Bind() => new("bind", ConfigValueKind.Special, (IReadOnlyList<string>)["*", "-::*"],
        (args, _) =>
        {
            if (args.Count > 16)
            {
                return ParsedConfigValue.Fail("Too many bind addresses specified.");
            }

            IReadOnlyList<string> list = args.Count == 1 && args[0].Length == 0 ? [] : args.ToArray();
            return ParsedConfigValue.Ok(list);
        },
        v => string.Join(' ', (IReadOnlyList<string>)v),
        v => [Line("bind", ((IReadOnlyList<string>)v).Count == 0 ? "\"\"" : string.Join(' ', (IReadOnlyList<string>)v))])
    {
        IsMultiArgument = true,
        Description = "Addresses to listen on; a '-' prefix makes an address optional; \"\" = none.",
    };

    private static ConfigDirective Dir(string cwd) => new("dir", ConfigValueKind.Special, cwd,
        (args, current) =>
        {
            if (args.Count != 1)
            {
                return ParsedConfigValue.Fail("wrong number of arguments");
            }

            string full = Path.GetFullPath(args[0], (string)current);
            if (!Directory.Exists(full))
            {
                return ParsedConfigValue.Fail(File.Exists(full) ? "Not a directory" : "No such file or directory");
            }

            return ParsedConfigValue.Ok(Path.TrimEndingDirectorySeparator(full));
        },
        v => (string)v,
        v => [Line("dir", SdsArgs.Repr((string)v))])
    {
        IsMutable = true,
        IsProtected = true,
        Description = "Base directory for relative paths (the process's working directory is not changed).",
    };

    private static ConfigDirective Save() => new("save", ConfigValueKind.Special, "",
        (args, _) =>
        {
            if (args.Count == 1 && args[0].Length == 0)
            {
                args = [];
            }

            if (args.Count % 2 != 0)
            {
                return ParsedConfigValue.Fail("Invalid save parameters");
            }

            var parts = new List<string>();
            for (int j = 0; j < args.Count; j++)
            {
                if (!ConfigNumbers.TryParseCLong(args[j], out long n) || (j % 2 == 0 && n < 1) || (j % 2 == 1 && n < 0))
                {
                    return ParsedConfigValue.Fail("Invalid save parameters");
                }

                parts.Add(j % 2 == 0 ? n.ToString(CultureInfo.InvariantCulture) : ((int)n).ToString(CultureInfo.InvariantCulture));
            }

            string value = string.Join(' ', parts);
            return value.Length == 0 ? ParsedConfigValue.Ok(value)
                : ParsedConfigValue.Ok(value, $"WARNING: save {value} is accepted but aclop-server writes no RDB snapshots: persistence is the backend's");
        },
        v => (string)v,
        v =>
        {
            var parts = ((string)v).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0)
            {
                return ["save \"\""];
            }

            var lines = new List<string>();
            for (int i = 0; i + 1 < parts.Length; i += 2)
            {
                lines.Add($"save {parts[i]} {parts[i + 1]}");
            }

            return lines;
        })
    {
        IsMutable = true,
        IsMultiArgument = true,
        Description = "Accepted for compatibility; the default is \"\" because aclop-server itself persists nothing.",
    };

    private static ConfigDirective OutputBufferLimits() => new("client-output-buffer-limit", ConfigValueKind.Special, ClientOutputBufferLimits.Default,
        (args, current) =>
        {
            var r = ((ClientOutputBufferLimits)current).Apply(args, out string? error);
            return r is null ? ParsedConfigValue.Fail(error!) : ParsedConfigValue.Ok(r);
        },
        v => ((ClientOutputBufferLimits)v).ToString(),
        v =>
        {
            var l = (ClientOutputBufferLimits)v;
            return
            [
                ObufLine("normal", l.Normal),
                ObufLine("replica", l.Replica),
                ObufLine("pubsub", l.Pubsub),
            ];
        })
    {
        IsMutable = true,
        IsMultiArgument = true,
    };

    private static string ObufLine(string cls, ClientBufferLimit l) =>
        string.Create(CultureInfo.InvariantCulture,
            $"client-output-buffer-limit {cls} {FormatMemory(l.HardLimitBytes)} {FormatMemory(l.SoftLimitBytes)} {l.SoftLimitSeconds}");

    private static ConfigDirective ReplicaOf() => new("replicaof", ConfigValueKind.Special, "",
        (args, _) =>
        {
            if (args.Count != 2)
            {
                return ParsedConfigValue.Fail("wrong number of arguments");
            }

            if (string.Equals(args[0], "no", StringComparison.OrdinalIgnoreCase) && string.Equals(args[1], "one", StringComparison.OrdinalIgnoreCase))
            {
                return ParsedConfigValue.Ok("");
            }

            return !ConfigNumbers.TryParseCLong(args[1], out long port) || port < 0 || port > 65535
                ? ParsedConfigValue.Fail("Invalid master port")
                : ParsedConfigValue.Fail("replicaof is not supported by aclop-server: replication is not available");
        },
        v => (string)v,
        _ => [])
    {
        Alias = "slaveof",
        IsMultiArgument = true,
        Support = DirectiveSupport.RestrictedValues,
        Description = "Only 'no one' is accepted.",
    };
}
