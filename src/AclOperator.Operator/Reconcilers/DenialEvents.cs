using System.Globalization;
using AclOperator.Api.Compilation;
using AclOperator.Api.Snapshots;
using AclOperator.Api.V1Alpha1;
using AclOperator.Operator.Runtime;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AclOperator.Operator.Reconcilers;

/// <summary>Options of the ACL denial events (configuration section <c>Denials</c>).</summary>
public sealed class DenialEventOptions
{
    public const string Section = "Denials";

    /// <summary>At most one AclDenied event per user (or server, for the default user) in this interval.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>At most this many AclDenied events in one interval over all users; the rest wait, still summed.</summary>
    public int MaxEventsPerInterval { get; set; } = 100;

    /// <summary>How often pending denials are looked at.</summary>
    public TimeSpan FlushPeriod { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// ACL LOG denials as Warning events (issue 7): every enforcement pod reports its denials by user on its Lease
/// (<see cref="DenialReport"/>, counts only); this controller sums what grew since it last looked, per server and
/// username, and records <c>AclDenied</c> on the RedisAclUser with that username (the RedisAclServer for the default
/// user) at most once per <see cref="DenialEventOptions.Interval"/> per object, and at most
/// <see cref="DenialEventOptions.MaxEventsPerInterval"/> in all. Events name the pods and count by reason; never a key,
/// channel or command argument (O4). Runtime users have no object: they stay in the pods' ACL LOG and metrics.
/// The first report seen of a pod (operator start) is a baseline, not news; a pod's restart starts its counts again.
/// Runs only on the leader (the informers run everywhere; what piled up before leading is dropped).
/// </summary>
public sealed partial class DenialEvents : PeriodicController, IResourceEventHandler<V1Lease>
{
    public const string Reason = "AclDenied";

    private readonly SharedInformer<RedisAclUser> _users;
    private readonly SharedInformer<RedisAclServer> _servers;
    private readonly IEventRecorder _events;
    private readonly DenialEventOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Seen> _seen = new(StringComparer.Ordinal);
    private readonly Dictionary<(ObjectKey Server, string User), Pending> _pending = [];
    private readonly Dictionary<(ObjectKey Server, string User), DateTimeOffset> _lastEvent = [];
    private readonly Queue<DateTimeOffset> _recent = new();
    private long _recorded;

    public DenialEvents(SharedInformerFactory informers, IEventRecorder events, IOptions<DenialEventOptions> options, ILogger<DenialEvents> logger, TimeProvider? time = null)
        : base(time ?? TimeProvider.System, logger)
    {
        ArgumentNullException.ThrowIfNull(informers);
        ArgumentNullException.ThrowIfNull(options);
        _users = informers.For<RedisAclUser>();
        Indexes.AddUserIndexes(_users);
        _servers = informers.For<RedisAclServer>();
        _events = events;
        _options = options.Value;
        _logger = logger;
        informers.ForOwned<V1Lease>(ApiResource.Leases).AddEventHandler(this);
    }

    private sealed record Seen(string Since, IReadOnlyDictionary<string, DenialCounts> Users);

    private sealed class Pending
    {
        public DenialCounts Counts { get; set; } = new();

        public SortedSet<string> Pods { get; } = new(StringComparer.Ordinal);

        public DateTimeOffset First { get; init; }
    }

    public override string Name => "acl-denial-events";

    /// <summary>Events recorded since start (tests, benchmarks).</summary>
    public long EventsRecorded => Interlocked.Read(ref _recorded);

    /// <summary>What waits to be reported for <paramref name="user"/> on <paramref name="server"/> (tests).</summary>
    internal DenialCounts? PendingFor(ObjectKey server, string user)
    {
        lock (_lock)
        {
            return _pending.TryGetValue((server, user), out var p) ? p.Counts : null;
        }
    }

    public void OnAdd(V1Lease obj) => Observe(obj);

    public void OnUpdate(V1Lease oldObj, V1Lease newObj) => Observe(newObj);

    public void OnDelete(V1Lease obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        lock (_lock)
        {
            _seen.Remove(LeaseKey(obj));
        }
    }

    protected override TimeSpan Period => _options.FlushPeriod;

    protected override IEnumerable<ISharedInformer> Reads => [_users, _servers];

    /// <summary>What piled up while another replica led was (or was not) reported by it.</summary>
    protected override void OnLeading()
    {
        lock (_lock)
        {
            _pending.Clear();
        }
    }

    protected override Task PassAsync(CancellationToken cancellationToken) => FlushAsync(cancellationToken);

    /// <summary>Records the events that are due now (the loop calls it every <see cref="DenialEventOptions.FlushPeriod"/>).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var now = Time.GetUtcNow();
        List<(k8s.IKubernetesObject<V1ObjectMeta> Regarding, string Message)> due = [];
        lock (_lock)
        {
            while (_recent.Count > 0 && now - _recent.Peek() >= _options.Interval)
            {
                _recent.Dequeue();
            }

            foreach (var (key, pending) in _pending.OrderBy(p => p.Value.First).ThenBy(p => p.Key.User, StringComparer.Ordinal).ToList())
            {
                if (_recent.Count >= _options.MaxEventsPerInterval)
                {
                    break;
                }

                if (_lastEvent.TryGetValue(key, out var last) && now - last < _options.Interval)
                {
                    continue;
                }

                _pending.Remove(key);
                if (Resolve(key.Server, key.User) is not { } regarding)
                {
                    LogNoObject(_logger, key.User, key.Server, pending.Counts);
                    continue;
                }

                due.Add((regarding, Message(key.User, pending.Counts, pending.Pods)));
                _lastEvent[key] = now;
                _recent.Enqueue(now);
            }

            // Forget rate-limit marks that no longer limit anything.
            foreach (var stale in _lastEvent.Where(kv => now - kv.Value >= _options.Interval && !_pending.ContainsKey(kv.Key)).Select(kv => kv.Key).ToList())
            {
                _lastEvent.Remove(stale);
            }
        }

        foreach (var (regarding, message) in due)
        {
            await _events.RecordAsync(regarding, EventTypes.Warning, Reason, message, cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _recorded);
        }
    }

    /// <summary>The event text: counts by reason and the pods; nothing a client sent.</summary>
    public static string Message(string user, DenialCounts counts, IEnumerable<string> pods)
    {
        ArgumentNullException.ThrowIfNull(counts);
        var parts = new List<string>();
        void Add(long n, string what)
        {
            if (n > 0)
            {
                parts.Add(string.Create(CultureInfo.InvariantCulture, $"{what} {n}"));
            }
        }

        Add(counts.Command, "command");
        Add(counts.Key, "key");
        Add(counts.Channel, "channel");
        Add(counts.Auth, "auth");
        return string.Create(CultureInfo.InvariantCulture,
            $"ACL denied {counts.Total} request(s) of user {user} ({string.Join(", ", parts)}) on {string.Join(", ", pods)}; ACL LOG on the pod has the details");
    }

    private void Observe(V1Lease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        if (lease.Metadata.Labels is not { } labels || !labels.TryGetValue(SnapshotNames.InstanceLabel, out var server) || server.Length == 0)
        {
            return;
        }

        string? text = null;
        lease.Metadata.Annotations?.TryGetValue(SnapshotNames.DenialsAnnotation, out text);
        var report = DenialReport.Parse(text);
        var key = LeaseKey(lease);
        var now = Time.GetUtcNow();
        lock (_lock)
        {
            var before = _seen.GetValueOrDefault(key);
            var current = new Seen(report?.Since ?? "", report?.Users ?? new Dictionary<string, DenialCounts>(StringComparer.Ordinal));
            _seen[key] = current;
            if (report is null)
            {
                return;
            }

            // The first report seen of a pod is what happened before this operator looked: a baseline.
            if (before is null)
            {
                return;
            }

            bool restarted = before.Since != current.Since;
            var serverKey = new ObjectKey(lease.Metadata.NamespaceProperty ?? "", server);
            foreach (var (user, counts) in current.Users)
            {
                var grown = counts.Since(restarted ? null : before.Users.GetValueOrDefault(user));
                if (grown.Total <= 0)
                {
                    continue;
                }

                if (!_pending.TryGetValue((serverKey, user), out var pending))
                {
                    if (_pending.Count >= 100_000)
                    {
                        continue;
                    }

                    pending = new Pending { First = now };
                    _pending[(serverKey, user)] = pending;
                }

                pending.Counts = pending.Counts.Plus(grown);
                pending.Pods.Add(lease.Metadata.Name);
            }
        }
    }

    /// <summary>The object a username on a server belongs to: the RedisAclUser compiled to it, the server for <c>default</c>.</summary>
    private k8s.IKubernetesObject<V1ObjectMeta>? Resolve(ObjectKey serverKey, string username)
    {
        if (_servers.Cache.Get(serverKey) is not { } server)
        {
            return null;
        }

        if (username == AclOperator.Acl.Users.AclUserTable.DefaultUserName)
        {
            return server;
        }

        return _users.Cache.ByIndex(Indexes.UserServer, serverKey.ToString())
            .Where(u => u.Metadata.DeletionTimestamp is null && AclCompiler.UsernameFor(server, u) == username)
            .OrderBy(u => u.Metadata.CreationTimestamp ?? DateTime.MaxValue)
            .FirstOrDefault();
    }

    private static string LeaseKey(V1Lease lease) => (lease.Metadata.NamespaceProperty ?? "") + "/" + lease.Metadata.Name;

    [LoggerMessage(Level = LogLevel.Debug, Message = "ACL denials {Counts} of user {User} on server {Server}: no RedisAclUser has that username (a runtime user?); no event")]
    private static partial void LogNoObject(ILogger logger, string user, ObjectKey server, DenialCounts counts);
}
