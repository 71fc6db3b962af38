using System.Collections.Frozen;

namespace AclOperator.Server.Configuration;

/// <summary>
/// An immutable snapshot of every directive (Redis defaults where the directive is Redis's), plus the config file path
/// and the <c>user</c> directives. <see cref="RuntimeConfig"/> swaps snapshots on CONFIG SET.
/// </summary>
public sealed class ServerConfig
{
    private readonly FrozenDictionary<string, object> _values;

    internal ServerConfig(IReadOnlyDictionary<string, object> values, string? configFile, IReadOnlyList<ConfiguredUser> users)
    {
        _values = values.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        ConfigFile = configFile;
        Users = users;
    }

    /// <summary>All defaults, no config file, no users.</summary>
    public static ServerConfig Default { get; } = new(DefaultValues(), null, []);

    /// <summary>The absolute path of the config file, or null when started without one (CONFIG REWRITE then fails).</summary>
    public string? ConfigFile { get; }

    /// <summary>The <c>user</c> directives in file order.</summary>
    public IReadOnlyList<ConfiguredUser> Users { get; }

    public int Port => (int)Long("port");

    /// <summary>Bind addresses; a leading <c>-</c> marks an address that may be unavailable.</summary>
    public IReadOnlyList<string> Bind => (IReadOnlyList<string>)_values["bind"];

    /// <summary>Unix socket path as configured, or null.</summary>
    public string? UnixSocket => NullIfEmpty("unixsocket");

    public int UnixSocketPerm => (int)Long("unixsocketperm");

    public string? AclFile => NullIfEmpty("aclfile");

    /// <summary><c>requirepass</c>, or null when empty.</summary>
    public string? RequirePass => NullIfEmpty("requirepass");

    public bool AclPubsubDefaultAllChannels => Str("acl-pubsub-default") == "allchannels";

    public long AclLogMaxLen => Long("acllog-max-len");

    public string LogFile => Str("logfile");

    /// <summary>The absolute base directory for relative paths (<c>dir</c>).</summary>
    public string Dir => Str("dir");

    public RedisLogLevel LogLevel => Enum.Parse<RedisLogLevel>(Str("loglevel"), ignoreCase: true);

    public int Databases => (int)Long("databases");

    public long MaxClients => Long("maxclients");

    public bool ProtectedMode => Bool("protected-mode");

    public int TlsPort => (int)Long("tls-port");

    public string? TlsCertFile => NullIfEmpty("tls-cert-file");

    public string? TlsKeyFile => NullIfEmpty("tls-key-file");

    public string? TlsCaCertFile => NullIfEmpty("tls-ca-cert-file");

    public TlsAuthClients TlsAuthClients => Enum.Parse<TlsAuthClients>(Str("tls-auth-clients"), ignoreCase: true);

    /// <summary>Bytes for the embedded store; 0 = derive from the container limit.</summary>
    public ulong MaxMemory => (ulong)_values["maxmemory"];

    /// <summary>Idle seconds before a client is closed; 0 = never.</summary>
    public int Timeout => (int)Long("timeout");

    public long ClientQueryBufferLimit => (long)(ulong)_values["client-query-buffer-limit"];

    public long ProtoMaxBulkLen => (long)(ulong)_values["proto-max-bulk-len"];

    public ClientOutputBufferLimits ClientOutputBufferLimits => (ClientOutputBufferLimits)_values["client-output-buffer-limit"];

    /// <summary><c>hz</c> clamped to 1..500 as Redis does.</summary>
    public int Hz => (int)Math.Clamp(Long("hz"), ConfigRegistry.MinHz, ConfigRegistry.MaxHz);

    /// <summary><c>save</c> as CONFIG GET renders it (<c>""</c> when off).</summary>
    public string Save => Str("save");

    public bool AppendOnly => Bool("appendonly");

    public string? PidFile => NullIfEmpty("pidfile");

    public int TcpBacklog => (int)Long("tcp-backlog");

    public int TcpKeepAlive => (int)Long("tcp-keepalive");

    public SanitizeDumpPayload SanitizeDumpPayload => Enum.Parse<SanitizeDumpPayload>(Str("sanitize-dump-payload"), ignoreCase: true);

    /// <summary>aclop extension: <c>embedded</c> (default) or <c>upstream</c>.</summary>
    public string Backend => Str("backend");

    /// <summary>aclop extension (E8).</summary>
    public bool TrustScripts => Bool("trust-scripts");

    /// <summary>aclop extension: per-user denial metrics (a label per user, so opt-in).</summary>
    public bool AclMetricsPerUser => Bool("user-denial-metrics");

    /// <summary>aclop extension (E2).</summary>
    public bool AllowMigrate => Bool("allow-migrate");

    /// <summary>aclop extension: admin listener port, 0 = none.</summary>
    public int AdminPort => (int)Long("admin-port");

    /// <summary>aclop extension: admin listener address.</summary>
    public string AdminBind => Str("admin-bind");

    /// <summary>aclop extension: upstream <c>host:port</c>, or null for the embedded backend.</summary>
    public string? Upstream => NullIfEmpty("upstream");

    public string? UpstreamUser => NullIfEmpty("upstream-user");

    public string? UpstreamPasswordFile => NullIfEmpty("upstream-password-file");

    public bool UpstreamTls => Bool("upstream-tls");

    public string? UpstreamTlsCaFile => NullIfEmpty("upstream-tls-ca-file");

    public string? UpstreamTlsServerName => NullIfEmpty("upstream-tls-server-name");

    /// <summary>aclop extension: local mode folder of CR YAML files, or null.</summary>
    public string? Manifests => NullIfEmpty("manifests");

    /// <summary>aclop extension: Kubernetes mode, the RedisAclServer's name, or null.</summary>
    public string? Kubernetes => NullIfEmpty("kubernetes");

    /// <summary>aclop extension: the RedisAclServer's namespace as configured, or null (environment defaults apply).</summary>
    public string? KubernetesNamespace => NullIfEmpty("kubernetes-namespace");

    /// <summary>aclop extension: this pod's name as configured, or null (env POD_NAME).</summary>
    public string? KubernetesPod => NullIfEmpty("kubernetes-pod");

    /// <summary>aclop extension: the last-good snapshot file as configured, or null (<c>&lt;dir&gt;/aclop-last-good.json</c>).</summary>
    public string? KubernetesLastGood => NullIfEmpty("kubernetes-last-good");

    /// <summary>aclop extension: seconds between Lease renewals in Kubernetes mode.</summary>
    public int KubernetesLeaseRenewSeconds => (int)Long("kubernetes-lease-renew-seconds");

    /// <summary>aclop extension: a kubeconfig file, or null (in-cluster configuration, else env KUBECONFIG).</summary>
    public string? Kubeconfig => NullIfEmpty("kubeconfig");

    /// <summary>A configured path resolved against <see cref="Dir"/>, as Redis resolves it after <c>chdir(dir)</c>.</summary>
    public string ResolvePath(string path) => Path.GetFullPath(path, Dir);

    /// <summary>The value of <paramref name="name"/> (or an alias) as CONFIG GET renders it.</summary>
    public string Render(string name)
    {
        var d = ConfigRegistry.Find(name) ?? throw new ArgumentException($"Unknown directive '{name}'", nameof(name));
        return d.Render(_values[d.Name]);
    }

    internal object Get(string name) => _values[name];

    internal IReadOnlyDictionary<string, object> Values => _values;

    internal ServerConfig With(IReadOnlyDictionary<string, object> values) => new(values, ConfigFile, Users);

    internal static Dictionary<string, object> DefaultValues()
    {
        var d = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
        foreach (var c in ConfigRegistry.All)
        {
            d[c.Name] = c.DefaultValue;
        }

        return d;
    }

    private long Long(string name) => (long)_values[name];

    private bool Bool(string name) => (bool)_values[name];

    private string Str(string name) => (string)_values[name];

    private string? NullIfEmpty(string name) => Str(name) is { Length: > 0 } s ? s : null;
}
