using System.Net;
using AclOperator.Acl;
using AclOperator.Acl.Users;
using AclOperator.Server.AclRuntime;
using AclOperator.Server.AclRuntime.Kubernetes;
using AclOperator.Server.Backend;
using AclOperator.Server.Backend.Garnet;
using AclOperator.Server.Backend.Upstream;
using AclOperator.Server.Commands;
using AclOperator.Server.Configuration;
using AclOperator.Server.Connections;
using Microsoft.Extensions.Logging;

namespace AclOperator.Server.Hosting;

/// <summary>
/// A running enforcement server: configuration → backend → ACL (aclfile or <c>user</c> directives, requirepass) →
/// listeners. Used by <c>Program</c> and by tests that start servers in-process on free ports.
/// </summary>
internal sealed partial class AclopServer : IAsyncDisposable
{
    private readonly RespServer _listener;
    private readonly ILogger _logger;

    private AclopServer(ServerContext context, RespServer listener, ILogger logger)
    {
        Context = context;
        _listener = listener;
        _logger = logger;
    }

    public ServerContext Context { get; }

    /// <summary>How long a connection must be idle before its backend session is released (E14).</summary>
    internal static readonly TimeSpan IdleBackendRelease = TimeSpan.FromSeconds(10);

    private static readonly TimeSpan IdleSweepPeriod = TimeSpan.FromSeconds(2);

    /// <summary>How long start-up waits for an upstream (a sidecar may start after us) before giving up.</summary>
    internal static TimeSpan UpstreamStartupTimeout { get; set; } = TimeSpan.FromSeconds(60);

    private Timer? _idleSweeper;

    /// <summary>Releases the backend sessions of idle connections (they are re-created on the next command).</summary>
    internal int ReleaseIdleBackendSessions(TimeSpan? idle = null)
    {
        long now = Context.NowMs;
        long idleMs = (long)(idle ?? IdleBackendRelease).TotalMilliseconds;
        int released = 0;
        foreach (var c in Context.Clients.All())
        {
            released += c.TryReleaseIdleBackend(now, idleMs) ? 1 : 0;
        }

        return released;
    }

    /// <summary>The first TCP endpoint (tests connect here).</summary>
    public IPEndPoint EndPoint => _listener.EndPoints[0];

    /// <summary>The TLS endpoint when <c>tls-port</c> is configured.</summary>
    public IPEndPoint? TlsEndPoint => _listener.TlsEndPoint;

    /// <summary>Completes when SHUTDOWN was received.</summary>
    public CancellationToken ShutdownRequested => Context.Shutdown.Token;

    /// <summary>
    /// Starts a server. Start-up errors (bad ACL, both aclfile and user directives) throw
    /// <see cref="StartupException"/> with Redis's message.
    /// </summary>
    public static async Task<AclopServer> StartAsync(ServerConfig config, ILoggerFactory loggerFactory, IBackend? backend = null, bool allowEphemeralPort = false, bool allowEphemeralAdminPort = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        var logger = loggerFactory.CreateLogger("aclop.server");
        if (config.AclFile is not null && config.Users.Count > 0)
        {
            throw new StartupException("Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your redis.conf, but not both.");
        }

        if (config.Manifests is not null && (config.AclFile is not null || config.Users.Count > 0))
        {
            throw new StartupException("Configuring Redis with a manifests folder and at the same time an ACL file or users defined in redis.conf is invalid: the folder defines every user (local mode), please define only one of them.");
        }

        if (config.Kubernetes is not null && (config.AclFile is not null || config.Manifests is not null || config.Users.Count > 0 || config.RequirePass is not null))
        {
            throw new StartupException("Configuring Redis with a Kubernetes ACL source and at the same time an ACL file, a manifests folder, users or requirepass defined in redis.conf is invalid: the RedisAclServer's published ACL defines every user, the default user included (Kubernetes mode), please define only one of them.");
        }

        // Before the backend starts: a bad namespace or API configuration fails start-up at once.
        var kubernetesOptions = config.Kubernetes is not null ? KubernetesSourceOptions.FromConfig(config) : null;
        KubernetesAclSource? kubernetes = kubernetesOptions is not null
            ? new KubernetesAclSource(kubernetesOptions, loggerFactory.CreateLogger("aclop.kubernetes"))
            : null;

        if (backend is null && (config.Upstream is not null || config.Backend == "upstream"))
        {
            backend = await UpstreamBackend.StartAsync(UpstreamOptions.FromConfig(config), loggerFactory, UpstreamStartupTimeout, cancellationToken).ConfigureAwait(false);
        }

        backend ??= await GarnetEmbeddedBackend.StartAsync(
            new GarnetEmbeddedOptions
            {
                MemorySize = config.MaxMemory > 0 ? config.MaxMemory.ToString(System.Globalization.CultureInfo.InvariantCulture) : null,
                DatabaseCount = config.Databases,
                EnableLua = true,
                ResponseBufferSize = 4096,
            },
            loggerFactory,
            cancellationToken).ConfigureAwait(false);

        var clients = new ClientRegistry();
        var options = AclOptions.Default with { PubsubDefaultAllChannels = config.AclPubsubDefaultAllChannels };
        IAclSource? source = kubernetes is not null ? kubernetes
            : config.Manifests is not null ? new ManifestsAclSource(config.Manifests, config.Dir, loggerFactory.CreateLogger("aclop.acl"))
            : config.AclFile is null ? null : new AclFileSource(config.AclFile, config.Dir, loggerFactory.CreateLogger("aclop.acl"));
        var acl = new AclManager(options, source, clients);
        var aclLogger = loggerFactory.CreateLogger("aclop.acl");
        acl.Warning += message => LogAclWarning(aclLogger, message);
        acl.Log.MaxLength = config.AclLogMaxLen;
        if (kubernetes is not null)
        {
            // O7: the last-good copy, before the API is reached; without one nothing is loaded and clients get -LOADING.
            if (await kubernetes.LoadLastGoodAsync(acl.Options, cancellationToken).ConfigureAwait(false) is { Table: { } lastGood } saved)
            {
                acl.Replace(lastGood, saved.Revision);
                saved.Applied?.Invoke();
            }
        }
        else
        {
            await LoadInitialAclAsync(config, acl, cancellationToken).ConfigureAwait(false);
        }

        var settings = new ServerSettings
        {
            TrustScripts = config.TrustScripts,
            AllowMigrate = config.AllowMigrate,
            AclMetricsPerUser = config.AclMetricsPerUser,
            MaxClients = (int)Math.Min(config.MaxClients, int.MaxValue),
            Databases = config.Databases,
            ProtoMaxBulkLen = config.ProtoMaxBulkLen,
            ClientQueryBufferLimit = config.ClientQueryBufferLimit,
            PubSubOutputHardLimit = (long)config.ClientOutputBufferLimits.Pubsub.HardLimitBytes,
        };
        var ctx = new ServerContext(acl, backend, settings, clients, loggerFactory, TimeProvider.System);
        var runtime = new RuntimeConfig(config);
        // In Kubernetes mode the users live in the API: CONFIG REWRITE writes none, and requirepass cannot change the managed default user.
        runtime.UserLinesProvider = kubernetes is not null ? () => [] : () => acl.Current.Users.ListLines();
        if (kubernetes is not null)
        {
            runtime.SetVeto = name => name == "requirepass"
                ? "requirepass cannot be set in Kubernetes mode: the default user is managed by the RedisAclServer (spec.defaultUser)"
                : null;
        }

        runtime.Changed += (_, e) => ApplyChange(ctx, e);
        runtime.StatsReset += (_, _) => ctx.Stats.Reset();
        ctx.Config = runtime;

        var listener = new RespServer(ctx)
        {
            ExplicitZeroPortForTests = allowEphemeralPort,
            ProtectedMode = () => runtime.Current.ProtectedMode,
        };
        listener.Listen(config.Bind, config.Port, config.TcpBacklog, config.UnixSocket is null ? null : config.ResolvePath(config.UnixSocket), config.UnixSocketPerm);
        if (config.TlsPort > 0 || (allowEphemeralPort && config.TlsCertFile is not null))
        {
            listener.ListenTls(config.Bind, config.TlsPort, config.TcpBacklog, TlsOptions.Load(config));
        }
        LogServerInitialized(logger);
        listener.Start();
        var server = new AclopServer(ctx, listener, logger);
        await server.StartAdminAsync(config, allowEphemeralAdminPort, cancellationToken).ConfigureAwait(false);
        LogReady(logger, config.Port == 0 && !allowEphemeralPort ? "unix" : "tcp");
        server._idleSweeper = new Timer(_ => server.ReleaseIdleBackendSessions(), null, IdleSweepPeriod, IdleSweepPeriod);
        (source as ManifestsAclSource)?.StartWatching(acl);
        kubernetes?.StartWatching(acl);
        return server;
    }

    /// <summary>Redis start-up order: requirepass, then <c>user</c> directives, then the aclfile (which wins).</summary>
    private static async Task LoadInitialAclAsync(ServerConfig config, AclManager acl, CancellationToken ct)
    {
        var table = new AclUserTable(acl.Options);
        string? revision = null;
        if (config.RequirePass is { } pw)
        {
            var r = table.SetUser(AclUserTable.DefaultUserName, [System.Text.Encoding.ASCII.GetBytes("resetpass"), [(byte)'>', .. AclText.GetBytes(pw)]]);
            System.Diagnostics.Debug.Assert(r.Succeeded, "requirepass rules are valid");
        }

        foreach (var u in config.Users)
        {
            var rules = u.Rules.Select(AclText.GetBytes).ToList();
            if (u.Name == AclUserTable.DefaultUserName)
            {
                // A `user default ...` line first resets the default user (spec §9.5).
                rules.Insert(0, "reset"u8.ToArray());
            }

            var r = table.SetUser(u.Name, rules);
            if (!r.Succeeded)
            {
                throw new StartupException(ConfigFileParser.RedactQuotedPasswordRules($"Error loading ACL rule for the user named '{u.Name}': {r.Error}"));
            }
        }

        if (acl.Source is not null)
        {
            var loaded = await acl.Source.LoadAsync(acl.Options, ct).ConfigureAwait(false);
            if (loaded.Table is null)
            {
                throw new StartupException("Aborting Redis startup because of ACL errors: " + loaded.Error);
            }

            table = loaded.Table;
            revision = loaded.Revision;
        }

        acl.Replace(table, revision);
    }

    private static void ApplyChange(ServerContext ctx, ConfigChangedEventArgs e)
    {
        var c = e.Current;
        foreach (var name in e.Changed)
        {
            switch (name)
            {
                case "requirepass":
                    ctx.Acl.SetRequirePass(c.RequirePass);
                    break;
                case "acl-pubsub-default":
                    ctx.Acl.PubsubDefaultAllChannels = c.AclPubsubDefaultAllChannels;
                    break;
                case "acllog-max-len":
                    ctx.Acl.Log.MaxLength = c.AclLogMaxLen;
                    break;
                case "maxclients":
                    ctx.Settings.MaxClients = (int)Math.Min(c.MaxClients, int.MaxValue);
                    break;
                case "trust-scripts":
                    ctx.Settings.TrustScripts = c.TrustScripts;
                    break;
                case "allow-migrate":
                    ctx.Settings.AllowMigrate = c.AllowMigrate;
                    break;
                case "user-denial-metrics":
                    ctx.Settings.AclMetricsPerUser = c.AclMetricsPerUser;
                    break;
                case "proto-max-bulk-len":
                    ctx.Settings.ProtoMaxBulkLen = c.ProtoMaxBulkLen;
                    break;
                case "client-query-buffer-limit":
                    ctx.Settings.ClientQueryBufferLimit = c.ClientQueryBufferLimit;
                    break;
                case "client-output-buffer-limit":
                    ctx.Settings.PubSubOutputHardLimit = (long)c.ClientOutputBufferLimits.Pubsub.HardLimitBytes;
                    break;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        LogShuttingDown(_logger);
        await StopAdminAsync().ConfigureAwait(false);
        if (_idleSweeper is not null)
        {
            await _idleSweeper.DisposeAsync().ConfigureAwait(false);
        }

        await _listener.DisposeAsync().ConfigureAwait(false);
        if (Context.Acl.Source is IAsyncDisposable watchedSource)
        {
            await watchedSource.DisposeAsync().ConfigureAwait(false);
        }

        await Context.Backend.DisposeAsync().ConfigureAwait(false);
        LogBye(_logger);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Message}")]
    private static partial void LogAclWarning(ILogger logger, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Server initialized")]
    private static partial void LogServerInitialized(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ready to accept connections {Transport}")]
    private static partial void LogReady(ILogger logger, string transport);

    [LoggerMessage(Level = LogLevel.Warning, Message = "User requested shutdown...")]
    private static partial void LogShuttingDown(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis is now ready to exit, bye bye...")]
    private static partial void LogBye(ILogger logger);
}
