using AclOperator.Operator.Runtime;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace AclOperator.Operator.Tests.Support;

/// <summary>One controller with its informers, run without a host (resync off, fast retries).</summary>
internal sealed class ControllerHarness<T> : IAsyncDisposable
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly CancellationTokenSource _stopInformers = new();
    private readonly CancellationTokenSource _stopController = new();
    private readonly List<ISharedInformer> _informers = [];
    private readonly List<Task> _running = [];
    private Task? _controllerRun;

    public ControllerHarness(TestCluster cluster, string name = "test", ControllerOptions? options = null, InformerOptions<T>? informer = null)
    {
        Cluster = cluster;
        Reconciler = new RecordingReconciler<T>();
        Informer = Add(informer ?? Fast(new InformerOptions<T> { Resource = ApiResource.For<T>() }));
        Controller = new Controller<T>(name, Informer, Reconciler, options ?? new ControllerOptions
        {
            RetryBaseDelay = TimeSpan.FromMilliseconds(5),
            RetryMaxDelay = TimeSpan.FromMilliseconds(100),
        }, Metrics, NullLogger<Controller<T>>.Instance, new FinalizerClient(cluster.Resources));
    }

    public TestCluster Cluster { get; }

    public OperatorMetrics Metrics { get; } = new();

    public RecordingReconciler<T> Reconciler { get; }

    public SharedInformer<T> Informer { get; }

    public Controller<T> Controller { get; }

    public static InformerOptions<TOther> Fast<TOther>(InformerOptions<TOther> options)
        where TOther : class, IKubernetesObject<V1ObjectMeta> => new()
        {
            Resource = options.Resource,
            Namespaces = options.Namespaces,
            LabelSelector = options.LabelSelector,
            MetadataOnly = options.MetadataOnly,
            Transform = options.Transform,
            MinRetryDelay = TimeSpan.FromMilliseconds(20),
            MaxRetryDelay = TimeSpan.FromMilliseconds(200),
        };

    /// <summary>An informer that the harness runs (and stops) with the controller.</summary>
    public SharedInformer<TOther> Add<TOther>(InformerOptions<TOther> options)
        where TOther : class, IKubernetesObject<V1ObjectMeta>
    {
        var informer = Cluster.Informer(Fast(options));
        _informers.Add(informer);
        return informer;
    }

    public async Task StartAsync()
    {
        foreach (var informer in _informers)
        {
            _running.Add(informer.RunAsync(_stopInformers.Token));
        }
        _controllerRun = Controller.RunAsync(_stopController.Token);
        foreach (var informer in _informers)
        {
            await informer.WaitForSyncAsync(TestContext.Current.CancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopController.CancelAsync();
        if (_controllerRun is not null)
        {
            await _controllerRun;
        }
        await _stopInformers.CancelAsync();
        await Task.WhenAll(_running);
        Controller.Dispose();
        _stopController.Dispose();
        _stopInformers.Dispose();
    }
}
