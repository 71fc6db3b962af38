using System.Collections.Concurrent;
using System.Text;
using AclOperator.Api.Crds;
using AclOperator.Api.Snapshots;
using AclOperator.Api.V1Alpha1;
using AclOperator.Acl.Tests.Infrastructure;
using AclOperator.Operator.Hosting;
using AclOperator.Operator.Reconcilers;
using AclOperator.Operator.Runtime;
using AclOperator.Server.Configuration;
using AclOperator.Server.Hosting;
using AclOperator.Testing.FakeKube;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AclOperator.Product.Tests.Support;

/// <summary>
/// The product in one process: the fake API server (with its StatefulSet simulator and the generated CRDs), the real
/// operator (OperatorHost + the reconcilers, exactly as Program wires them), and one real aclop-server per Running
/// enforcement pod, started with the pod's `--kubernetes` arguments and stopped when the pod goes. The pods' data store is
/// the embedded Garnet whatever the spec says: these tests exercise the ACL path.
/// </summary>
internal sealed class ProductCluster : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, PodServer> _pods = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly string _dir;
    private Task? _podLoop;
    private WebApplication? _operator;

    private ProductCluster(FakeKubeServer server, string dir)
    {
        Server = server;
        Client = server.CreateClient();
        _dir = dir;
        KubeconfigPath = Path.Combine(dir, "kubeconfig");
        // The fake's kubeconfig user has no credentials, which KubernetesClient refuses; the fake accepts any token.
        File.WriteAllText(KubeconfigPath, server.Kubeconfig().Replace("  user: {}", "  user:\n    token: aclop-test", StringComparison.Ordinal));
    }

    public FakeKubeServer Server { get; }

    public Kubernetes Client { get; }

    public string KubeconfigPath { get; }

    public CapturedLog Log { get; } = new();

    public static CancellationToken Ct => ProductContext.Ct;

    public sealed record PodServer(string Pod, AclopServer Server, string Directory);

    /// <param name="watchHistorySize">The fake's watch history (benchmarks with tens of thousands of writes need more than the default).</param>
    public static async Task<ProductCluster> StartAsync(int watchHistorySize = 10_000)
    {
        var fake = await FakeKubeServer.StartAsync(new FakeKubeOptions
        {
            SimulateStatefulSets = true,
            BookmarkInterval = TimeSpan.FromMilliseconds(200),
            Namespaces = ["default", "kube-system", "team-a", "team-b"],
            WatchHistorySize = watchHistorySize,
        }, Ct);
        var dir = Path.Combine(Path.GetTempPath(), "aclop-product-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        var cluster = new ProductCluster(fake, dir);
        foreach (var crd in CrdGenerator.GenerateAll())
        {
            await cluster.Client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd, cancellationToken: Ct);
        }

        await cluster.StartOperatorAsync();
        cluster._podLoop = Task.Run(() => cluster.RunPodsAsync(cluster._stop.Token));
        return cluster;
    }

    /// <summary>Starts (or restarts) the operator.</summary>
    public async Task StartOperatorAsync()
    {
        string[] args =
        [
            "--http-address", "http://127.0.0.1:0",
            "--leader-elect", "false",
            "--resync-period", "00:00:00",
            "--Operator:MinRetryDelay", "00:00:00.050",
            "--Operator:MaxRetryDelay", "00:00:00.500",
            "--Servers:OperatorNamespace", "kube-system",
        ];
        var (builder, op) = OperatorHost.CreateBuilder(args);
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(Log);
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddSingleton<IKubernetes>(Server.CreateClient());
        op.AddAclOperatorControllers(builder.Configuration);
        var app = builder.Build();
        app.MapOperatorEndpoints();
        await app.StartAsync(Ct);
        _operator = app;
    }

    /// <summary>The running operator's services (for example its <see cref="ServerReconciler"/>); null while it is stopped.</summary>
    public IServiceProvider? OperatorServices => _operator?.Services;

    public async Task StopOperatorAsync()
    {
        if (_operator is { } app)
        {
            _operator = null;
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
        }
    }

    /// <summary>The enforcement servers of Running pods, by pod name.</summary>
    public IReadOnlyDictionary<string, PodServer> Pods => _pods;

    public async Task<RespClient> ConnectAsync(string pod)
    {
        var p = await Eventually.ValueAsync(() => _pods.GetValueOrDefault(pod), $"pod {pod} running an enforcement server");
        return await RespClient.ConnectAsync("127.0.0.1", p.Server.EndPoint.Port, Ct);
    }

    /// <summary>Stops the server of <paramref name="pod"/> and starts it again (same last-good file), like a container restart.</summary>
    public async Task RestartPodServerAsync(string pod)
    {
        if (_pods.TryRemove(pod, out var old))
        {
            await old.Server.DisposeAsync();
        }

        var started = await StartPodServerAsync(pod, old?.Directory);
        _pods[pod] = started;
    }

    private async Task RunPodsAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var pods = await Client.CoreV1.ListPodForAllNamespacesAsync(labelSelector: $"{SnapshotNames.NameLabel}={SnapshotNames.AppName}", cancellationToken: ct);
                var live = new HashSet<string>(StringComparer.Ordinal);
                foreach (var pod in pods.Items)
                {
                    if (pod.Status?.Phase != "Running" || pod.Metadata.DeletionTimestamp is not null)
                    {
                        continue;
                    }

                    var key = pod.Metadata.NamespaceProperty + "/" + pod.Metadata.Name;
                    live.Add(key);
                    if (!_pods.ContainsKey(key))
                    {
                        _pods[key] = await StartPodServerAsync(key, null);
                    }
                }

                foreach (var gone in _pods.Keys.Where(k => !live.Contains(k)).ToList())
                {
                    if (_pods.TryRemove(gone, out var p))
                    {
                        await p.Server.DisposeAsync();
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // Stopping: DisposeAsync awaits this loop.
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Log.Lines.Enqueue("pod loop: " + e);
            }

            try
            {
                await Task.Delay(100, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<PodServer> StartPodServerAsync(string key, string? directory)
    {
        var ns = key[..key.IndexOf('/', StringComparison.Ordinal)];
        var pod = key[(ns.Length + 1)..];
        var server = pod[..pod.LastIndexOf('-')];
        var dir = directory ?? Path.Combine(_dir, ns + "-" + pod);
        Directory.CreateDirectory(dir);
        string[] args =
        [
            "--port", "0", "--bind", "127.0.0.1", "--dir", dir, "--save", "",
            "--kubernetes", server, "--kubernetes-namespace", ns, "--kubernetes-pod", pod,
            "--kubeconfig", KubeconfigPath, "--kubernetes-last-good", Path.Combine(dir, "last-good.json"),
            "--kubernetes-lease-renew-seconds", "1",
        ];
        var parsed = AclOperator.Server.Configuration.CommandLine.Parse(args, workingDirectory: dir);
        if (parsed.Load?.Config is not { } config)
        {
            throw new InvalidOperationException("bad pod configuration: " + parsed.Output);
        }

        var loggers = LoggerFactory.Create(b => b.AddProvider(Log).SetMinimumLevel(LogLevel.Debug));
        var started = await AclopServer.StartAsync(config, loggers, allowEphemeralPort: true);
        return new PodServer(pod, started, dir);
    }

    public async Task<T> CreateAsync<T>(T obj)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var r = ApiResource.For<T>();
        return await new KubernetesResourceClient(Client).CreateAsync(r, obj.Metadata.NamespaceProperty, obj, Ct);
    }

    public async Task<T> GetAsync<T>(string ns, string name)
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        await new KubernetesResourceClient(Client).GetAsync<T>(ApiResource.For<T>(), ns, name, Ct);

    /// <summary>Reads, changes and replaces an object (retrying on conflicts).</summary>
    public async Task<T> UpdateAsync<T>(string ns, string name, Action<T> change)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var client = new KubernetesResourceClient(Client);
        for (int attempt = 0; ; attempt++)
        {
            var current = await client.GetAsync<T>(ApiResource.For<T>(), ns, name, Ct);
            change(current);
            try
            {
                return await client.ReplaceAsync(ApiResource.For<T>(), ns, name, current, null, Ct);
            }
            catch (Exception e) when (KubernetesErrors.IsConflict(e) && attempt < 10)
            {
            }
        }
    }

    public async Task DeleteAsync<T>(string ns, string name)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var r = ApiResource.For<T>();
        using var http = new HttpClient { BaseAddress = Server.BaseAddress };
        using var response = await http.DeleteAsync(r.ObjectPath(ns, name), Ct);
        response.EnsureSuccessStatusCode();
    }

    public async Task<V1Secret> CreateSecretAsync(string ns, string name, IDictionary<string, string> data) =>
        await Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
            Data = data.ToDictionary(kv => kv.Key, kv => Encoding.UTF8.GetBytes(kv.Value)),
        }, ns, cancellationToken: Ct);

    /// <summary>Reads the published ACL of a server as a pod would (every checksum verified, O6), with a fresh reader.</summary>
    public async Task<SnapshotReadResult> ReadSnapshotAsync(string ns, string server) =>
        await new SnapshotReader(Client, ns, server).ReadAsync(Ct);

    /// <summary>The revision a pod reports on its Lease (O5, O12), or null when it has reported none.</summary>
    public async Task<string?> EnforcedRevisionAsync(string ns, string pod)
    {
        var lease = await KubernetesReads.OrNullAsync(Client.CoordinationV1.ReadNamespacedLeaseAsync(pod, ns, cancellationToken: Ct));
        return lease?.Metadata.Annotations is { } a && a.TryGetValue(SnapshotNames.EnforcedRevisionAnnotation, out var r) ? r : null;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_podLoop is not null)
        {
            await _podLoop;
        }

        await StopOperatorAsync();
        foreach (var p in _pods.Values)
        {
            await p.Server.DisposeAsync();
        }

        await Server.DisposeAsync();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
