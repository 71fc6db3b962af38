using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using AclOperator.Acl.Tests.Infrastructure;
using AclOperator.Api.Snapshots;
using AclOperator.Api.V1Alpha1;
using AclOperator.Operator.Reconcilers;
using AclOperator.Operator.Runtime;
using AclOperator.Product.Tests.Support;
using AclOperator.Testing.FakeKube;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace AclOperator.Benchmarks.OperatorEndToEnd;

/// <summary>Settings from the command line.</summary>
internal sealed record BenchOptions
{
    public int Users { get; init; } = 1_000;

    public double Rate { get; init; } = 20;

    public int BurstParallelism { get; init; } = 1_000;

    public int FullUsers { get; init; } = 10_000;

    public int Replicas { get; init; } = 3;

    public int Seed { get; init; } = 1;

    public TimeSpan MinLatency { get; init; } = TimeSpan.FromMilliseconds(5);

    public TimeSpan MaxLatency { get; init; } = TimeSpan.FromMilliseconds(20);

    public TimeSpan Limit { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long the full scenario waits for every user to be Ready (then the edit is skipped).</summary>
    public TimeSpan ReadyLimit { get; init; } = TimeSpan.FromSeconds(90);
}

/// <summary>
/// One product cluster (fake API server with 5-20 ms per write, the real operator, one real aclop-server per pod) with a
/// RedisAclServer of N replicas, an admin user the probes log in as, and the observers every scenario uses: per pod a RESP
/// client that polls <c>ACL USERS</c>, and an informer on RedisAclUsers that records when each generation became Ready.
/// </summary>
internal sealed class Bench : IAsyncDisposable
{
    public const string Ns = "default";
    public const string ServerName = "main";
    private const string AdminName = "bench-admin";
    private const string AdminPassword = "bench-admin-password-0123456789";

    private readonly CancellationTokenSource _stop = CancellationTokenSource.CreateLinkedTokenSource(ProductContext.Ct);
    private readonly List<Task> _loops = [];
    private SharedInformer<RedisAclUser>? _informer;

    private Bench(ProductCluster cluster, BenchOptions options)
    {
        Cluster = cluster;
        Options = options;
    }

    public ProductCluster Cluster { get; }

    /// <summary>The bench running now (for the log tail of a timeout).</summary>
    public static Bench? Current { get; private set; }

    public string LogTail() => string.Join("\n", Cluster.Log.Lines.Where(l => !l.StartsWith("Debug", StringComparison.Ordinal)).TakeLast(30));

    public BenchOptions Options { get; }

    public List<RespClient> Admins { get; } = [];

    public IReadOnlyList<string> PodNames => Enumerable.Range(0, Options.Replicas).Select(i => $"{Ns}/{ServerName}-{i}").ToList();

    /// <summary>When each user (name@generation) was first seen Ready=True for its generation, in Stopwatch ticks.</summary>
    public ConcurrentDictionary<string, long> ReadyAt { get; } = new(StringComparer.Ordinal);

    public ServerReconciler Reconciler => Cluster.OperatorServices!.GetRequiredService<ServerReconciler>();

    public static async Task<Bench> StartAsync(BenchOptions options)
    {
        var cluster = await ProductCluster.StartAsync(watchHistorySize: 1_000_000);
        var bench = new Bench(cluster, options);
        Current = bench;
        cluster.Server.Faults.AddWriteLatency(options.MinLatency, options.MaxLatency, options.Seed);
        await cluster.CreateSecretAsync(Ns, AdminName + "-pw", new Dictionary<string, string> { ["password"] = AdminPassword });
        await cluster.CreateAsync(User(AdminName, ["~*", "&*", "+@all"], AdminName + "-pw"));
        await cluster.CreateAsync(new RedisAclServer
        {
            Metadata = new V1ObjectMeta { Name = ServerName, NamespaceProperty = Ns },
            Spec = new RedisAclServerSpec
            {
                Replicas = options.Replicas,
                // replicas > 1 needs an upstream store (O11); the harness's pods run the embedded store whatever the spec says.
                Backend = options.Replicas > 1
                    ? new BackendSpec { Type = "upstream", Upstream = new UpstreamBackendSpec { Host = "redis.example", Port = 6379 } }
                    : new BackendSpec { Type = "embedded" },
            },
        });
        foreach (var pod in bench.PodNames)
        {
            var client = await WaitAsync(async () =>
            {
                if (!cluster.Pods.TryGetValue(pod, out var p))
                {
                    return null;
                }

                var c = await RespClient.ConnectAsync("127.0.0.1", p.Server.EndPoint.Port, ProductContext.Ct);
                if ((await c.CallAsync("AUTH", AdminName, AdminPassword)).IsError)
                {
                    await c.DisposeAsync();
                    return null;
                }

                return c;
            }, $"{pod} enforcing the admin user", options.Limit);
            bench.Admins.Add(client);
        }

        bench.StartReadyInformer();
        return bench;
    }

    public static RedisAclUser User(string name, IList<string> rules, string? secret) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Ns },
        Spec = new RedisAclUserSpec
        {
            ServerRef = new ServerRef { Name = ServerName },
            Rules = rules,
            Passwords = secret is null ? [] : [new PasswordSource { SecretKeyRef = new SecretKeyRef { Name = secret, Key = "password" } }],
            NoPassword = secret is null ? true : null,
        },
    };

    public static string UserName(int i) => $"u-{i.ToString("D5", CultureInfo.InvariantCulture)}";

    public static string Password(int i) => $"pw-{i.ToString("D5", CultureInfo.InvariantCulture)}-0123456789abcdefghij";

    /// <summary>A realistic user: its own key space, read/write, nothing dangerous; a password Secret of its own.</summary>
    public static RedisAclUser BenchUser(int i) =>
        User(UserName(i), [$"~svc{(i % 200).ToString(CultureInfo.InvariantCulture)}:*", "&events:*", "+@read", "+@write", "-@dangerous"], UserName(i) + "-pw");

    public Task CreatePasswordSecretAsync(int i) =>
        Cluster.CreateSecretAsync(Ns, UserName(i) + "-pw", new Dictionary<string, string> { ["password"] = Password(i) });

    /// <summary>ACL USERS of every pod (real clients on the pods' RESP ports).</summary>
    public async Task<HashSet<string>[]> PodUsersAsync() =>
        await Task.WhenAll(Admins.Select(async a => (await a.CallAsync("ACL", "USERS")).Items.Select(i => i.Text!).ToHashSet(StringComparer.Ordinal)));

    /// <summary>
    /// Polls every pod's ACL USERS until each name in <paramref name="pending"/> is on every pod; records per name the time
    /// (Stopwatch ticks) it was first seen on the last pod. Returns when <paramref name="done"/> says so.
    /// </summary>
    public Task TrackEnforcementAsync(ConcurrentDictionary<string, long> pending, ConcurrentDictionary<string, long> enforcedAt, Func<bool> done, TimeSpan interval)
    {
        var seen = Admins.Select(_ => new ConcurrentDictionary<string, long>(StringComparer.Ordinal)).ToArray();
        var loops = Admins.Select((admin, p) => Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested && !done())
            {
                if (pending.Count > seen[p].Count)
                {
                    var users = (await admin.CallAsync("ACL", "USERS")).Items.Select(i => i.Text!).ToHashSet(StringComparer.Ordinal);
                    long now = Stopwatch.GetTimestamp();
                    foreach (var name in pending.Keys)
                    {
                        if (users.Contains(name) && seen[p].TryAdd(name, now) && seen.All(s => s.ContainsKey(name)))
                        {
                            enforcedAt.TryAdd(name, seen.Max(s => s[name]));
                        }
                    }
                }

                await Task.Delay(interval, _stop.Token);
            }
        })).ToArray();
        return Task.WhenAll(loops);
    }

    /// <summary>AUTH as each user on every pod (fresh connections, pipelined): proves the probe's "enforced" means what it says.</summary>
    public async Task<int> AuthFailuresAsync(IEnumerable<int> users)
    {
        int failures = 0;
        var list = users.ToList();
        foreach (var pod in PodNames)
        {
            await using var c = await RespClient.ConnectAsync("127.0.0.1", Cluster.Pods[pod].Server.EndPoint.Port, ProductContext.Ct);
            foreach (var chunk in list.Chunk(500))
            {
                var replies = await c.PipelineAsync(chunk.Select(i => new[] { "AUTH", UserName(i), Password(i) }));
                failures += replies.Count(r => r.IsError);
            }
        }

        return failures;
    }

    /// <summary>The published manifest, or null before the first publish.</summary>
    public async Task<ManifestDocument?> ManifestAsync()
    {
        var map = await KubernetesReads.OrNullAsync(Cluster.Client.CoreV1.ReadNamespacedConfigMapAsync(SnapshotNames.Manifest(ServerName), Ns, cancellationToken: ProductContext.Ct));
        return map?.Data is { } d && d.TryGetValue(SnapshotNames.ManifestKey, out var json) ? SnapshotCodec.DecodeManifest(json) : null;
    }

    /// <summary>The lowest revision the pods' Leases report.</summary>
    public async Task<long> MinLeaseRevisionAsync()
    {
        long min = long.MaxValue;
        for (int i = 0; i < Options.Replicas; i++)
        {
            var lease = await Cluster.Client.CoordinationV1.ReadNamespacedLeaseAsync(SnapshotNames.Lease(ServerName, i), Ns, cancellationToken: ProductContext.Ct);
            long r = lease.Metadata.Annotations is { } a && a.TryGetValue(SnapshotNames.EnforcedRevisionAnnotation, out var t) ? long.Parse(t, CultureInfo.InvariantCulture) : 0;
            min = Math.Min(min, r);
        }

        return min;
    }

    public static string ReadyKey(string name, long generation) => name + "@" + generation.ToString(CultureInfo.InvariantCulture);

    private void StartReadyInformer()
    {
        var informer = new SharedInformer<RedisAclUser>(new KubernetesResourceClient(Cluster.Client), new InformerOptions<RedisAclUser>
        {
            Resource = ApiResource.For<RedisAclUser>(),
            Namespaces = [Ns],
        }, NullLogger<SharedInformer<RedisAclUser>>.Instance);
        informer.AddEventHandler(new ReadyRecorder(ReadyAt));
        _informer = informer;
        _loops.Add(Task.Run(() => informer.RunAsync(_stop.Token)));
    }

    public int ReadyCount(long generation) => _informer!.Cache.List(Ns).Count(u => u.Metadata.Generation == generation && ReadyAt.ContainsKey(ReadyKey(u.Metadata.Name, generation)));

    /// <summary>Waits until <paramref name="probe"/> returns a value; throws after <paramref name="limit"/>.</summary>
    public static async Task<T> WaitAsync<T>(Func<Task<T?>> probe, string what, TimeSpan limit, int intervalMs = 20)
        where T : class
    {
        try
        {
            return await Eventually.ValueAsync(probe, what, limit, intervalMs);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(e.Message + "; last log lines:\n" + Current?.LogTail(), e.InnerException);
        }
    }

    public static Task WaitUntilAsync(Func<Task<bool>> probe, string what, TimeSpan limit, int intervalMs = 20) =>
        WaitAsync<object>(async () => await probe() ? new object() : null, what, limit, intervalMs);

    /// <summary>Requests the fake API server answered from index <paramref name="from"/> on.</summary>
    public IReadOnlyList<RecordedRequest> RequestsSince(int from) => Cluster.Server.Requests.Skip(from).ToList();

    public static bool IsWrite(RecordedRequest r) => r.StatusCode < 300 && r.Verb is "create" or "update" or "patch" or "delete";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var loop in _loops)
        {
            try
            {
                await loop;
            }
            catch (OperationCanceledException)
            {
            }
        }

        foreach (var a in Admins)
        {
            await a.DisposeAsync();
        }

        await Cluster.DisposeAsync();
        _stop.Dispose();
    }

    private sealed class ReadyRecorder(ConcurrentDictionary<string, long> readyAt) : IResourceEventHandler<RedisAclUser>
    {
        public void OnAdd(RedisAclUser obj) => Record(obj);

        public void OnUpdate(RedisAclUser oldObj, RedisAclUser newObj) => Record(newObj);

        public void OnDelete(RedisAclUser obj)
        {
        }

        private void Record(RedisAclUser u)
        {
            long generation = u.Metadata.Generation ?? 0;
            if (u.Status?.ObservedGeneration == generation &&
                u.Status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True" && c.ObservedGeneration == generation) == true)
            {
                readyAt.TryAdd(ReadyKey(u.Metadata.Name, generation), Stopwatch.GetTimestamp());
            }
        }
    }
}
