using System.Diagnostics;
using AclOperator.Server.AclRuntime;
using AclOperator.Server.AclRuntime.Kubernetes;
using AclOperator.Server.Hosting;
using Prometheus;

namespace AclOperator.Server.Admin;

/// <summary>
/// The server's Prometheus metrics, in a registry of its own (several servers share a test process). What the command
/// path counts is a plain Interlocked field exported when scraped, and the backend latency histogram is created up
/// front, so counting allocates nothing (E15). Everything else (connections, denials, reloads, revision, users,
/// backend health) is read from the server's state at scrape time.
/// </summary>
internal sealed class ServerMetrics
{
    /// <summary>Seconds; from the embedded store's microseconds to a slow upstream.</summary>
    internal static readonly double[] BackendLatencyBuckets =
        [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

    private static readonly string[] ResultLabels = ["forwarded", "local", "denied", "rejected"];

    private readonly ServerContext _ctx;
    private readonly long[] _commands = new long[ResultLabels.Length];
    private readonly Counter.Child[] _commandsTotal;
    private readonly Histogram _backendLatency;
    private readonly Gauge _connections;
    private readonly Counter _connectionsAccepted;
    private readonly Counter _connectionsRejected;
    private readonly Counter.Child _deniedAuth;
    private readonly Counter.Child _deniedCommand;
    private readonly Counter.Child _deniedKey;
    private readonly Counter.Child _deniedChannel;
    private readonly Counter.Child _reloadsOk;
    private readonly Counter.Child _reloadsFailed;
    private readonly Gauge _revisionInfo;
    private readonly Gauge _users;
    private readonly Gauge.Child _backendHealthy;
    private readonly Gauge? _snapshotAge;
    private readonly Counter _userDenials;
    private readonly HashSet<string> _exportedUsers = new(StringComparer.Ordinal);
    private readonly Lock _collectLock = new();
    private string? _exportedRevision;

    public ServerMetrics(ServerContext ctx)
    {
        _ctx = ctx;
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        factory.ExemplarBehavior = ExemplarBehavior.NoExemplars();

        var commands = factory.CreateCounter("aclop_commands_total", "Client requests by result: forwarded to the backend, answered locally, denied by the ACL, rejected before the ACL check.", ["result"]);
        _commandsTotal = [.. ResultLabels.Select(r => commands.WithLabels(r))];

        _backendLatency = factory.CreateHistogram("aclop_backend_latency_seconds", "Time of one backend call (one run of pipelined forwarded commands).", new HistogramConfiguration { Buckets = BackendLatencyBuckets });
        _connections = factory.CreateGauge("aclop_connections", "Client connections open now.");
        _connectionsAccepted = factory.CreateCounter("aclop_connections_accepted_total", "Client connections accepted (including those then refused).");
        _connectionsRejected = factory.CreateCounter("aclop_connections_rejected_total", "Client connections refused (maxclients, protected mode).");

        var denials = factory.CreateCounter("aclop_acl_denials_total", "ACL denials by reason (INFO acl_access_denied_*; not reset by CONFIG RESETSTAT).", ["reason"]);
        _deniedAuth = denials.WithLabels(ReasonLabel(DenialKind.Auth));
        _deniedCommand = denials.WithLabels(ReasonLabel(DenialKind.Command));
        _deniedKey = denials.WithLabels(ReasonLabel(DenialKind.Key));
        _deniedChannel = denials.WithLabels(ReasonLabel(DenialKind.Channel));

        _userDenials = factory.CreateCounter("aclop_acl_user_denials_total",
            "ACL denials of existing users by user and reason (directive user-denial-metrics yes; failed AUTH naming an unknown user is only in aclop_acl_denials_total).",
            new CounterConfiguration { LabelNames = ["user", "reason"], SuppressInitialValue = true });

        var reloads = factory.CreateCounter("aclop_acl_reloads_total", "ACL reloads after start-up (ACL LOAD, watched sources) by result.", ["result"]);
        _reloadsOk = reloads.WithLabels("ok");
        _reloadsFailed = reloads.WithLabels("failed");

        _revisionInfo = factory.CreateGauge("aclop_acl_revision_info", "The ACL revision enforced now (value 1).", ["revision"]);
        _users = factory.CreateGauge("aclop_acl_users", "Users in the enforced ACL, default included.");
        _backendHealthy = factory.CreateGauge("aclop_backend_healthy", "1 when the backend takes new sessions, else 0.", ["backend"]).WithLabels(ctx.Backend.Name);

        if (ctx.Acl.Source is KubernetesAclSource)
        {
            _snapshotAge = factory.CreateGauge("aclop_acl_snapshot_age_seconds",
                "Kubernetes mode: seconds since the enforced ACL revision was last read from or confirmed by the API (absent while nothing is loaded).",
                new GaugeConfiguration { SuppressInitialValue = true });
        }

        Registry.AddBeforeCollectCallback(Collect);
    }

    /// <summary>This server's registry (/metrics exports it).</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>Counts one client request (hot path: one interlocked increment).</summary>
    public void CountCommand(CommandResult result) => Interlocked.Increment(ref _commands[(int)result]);

    /// <summary>Requests counted with <paramref name="result"/> since start.</summary>
    public long Commands(CommandResult result) => Interlocked.Read(ref _commands[(int)result]);

    /// <summary>Records one backend call that started at <paramref name="startTimestamp"/> (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public void ObserveBackendCall(long startTimestamp) =>
        _backendLatency.Observe(Stopwatch.GetElapsedTime(startTimestamp).TotalSeconds);

    /// <summary>One series per user and reason with denials; a user's series go when the user leaves the ACL or the directive is off.</summary>
    private void ExportUserDenials()
    {
        var rows = _ctx.Settings.AclMetricsPerUser ? _ctx.Acl.UserDenials.Read() : [];
        var present = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (user, counts, _) in rows)
        {
            present.Add(user);
            _exportedUsers.Add(user);
            foreach (var kind in Enum.GetValues<DenialKind>())
            {
                long n = UserDenials.Of(counts, kind);
                if (n > 0)
                {
                    _userDenials.WithLabels(user, ReasonLabel(kind)).IncTo(n);
                }
            }
        }

        foreach (var gone in _exportedUsers.Where(u => !present.Contains(u)).ToList())
        {
            foreach (var kind in Enum.GetValues<DenialKind>())
            {
                _userDenials.RemoveLabelled(gone, ReasonLabel(kind));
            }

            _exportedUsers.Remove(gone);
        }
    }

    /// <summary>The reason label of <c>aclop_acl_denials_total</c>.</summary>
    internal static string ReasonLabel(DenialKind kind) => kind switch
    {
        DenialKind.Auth => "auth",
        DenialKind.Command => "command",
        DenialKind.Key => "key",
        _ => "channel",
    };

    private void Collect()
    {
        lock (_collectLock)
        {
            for (int i = 0; i < _commandsTotal.Length; i++)
            {
                _commandsTotal[i].IncTo(Interlocked.Read(ref _commands[i]));
            }

            _connections.Set(_ctx.Clients.Count);
            _connectionsAccepted.IncTo(_ctx.Stats.TotalConnectionsReceived);
            _connectionsRejected.IncTo(_ctx.Stats.TotalRejectedConnections);

            var denied = _ctx.Acl.Stats;
            _deniedAuth.IncTo(denied.TotalDeniedAuth);
            _deniedCommand.IncTo(denied.TotalDeniedCommand);
            _deniedKey.IncTo(denied.TotalDeniedKey);
            _deniedChannel.IncTo(denied.TotalDeniedChannel);
            ExportUserDenials();
            _reloadsOk.IncTo(_ctx.Acl.ReloadsSucceeded);
            _reloadsFailed.IncTo(_ctx.Acl.ReloadsFailed);

            var snapshot = _ctx.Acl.Current;
            _users.Set(snapshot.Users.Count);
            if (snapshot.Revision != _exportedRevision)
            {
                if (_exportedRevision is not null)
                {
                    _revisionInfo.RemoveLabelled(_exportedRevision);
                }

                if (snapshot.Revision is not null)
                {
                    _revisionInfo.WithLabels(snapshot.Revision).Set(1);
                }

                _exportedRevision = snapshot.Revision;
            }

            _backendHealthy.Set(_ctx.Backend.IsHealthy ? 1 : 0);
            if (_snapshotAge is not null && _ctx.Acl.Source is KubernetesAclSource kubernetes && kubernetes.VerifiedAt is { } verified)
            {
                _snapshotAge.Set(Math.Max(0, (_ctx.Time.GetUtcNow() - verified).TotalSeconds));
            }
        }
    }
}
