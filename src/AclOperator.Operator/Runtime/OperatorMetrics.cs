using Prometheus;

namespace AclOperator.Operator.Runtime;

/// <summary>
/// The operator's Prometheus metrics under controller-runtime's names, in a registry of its own (several operators
/// share a test process): <c>controller_runtime_reconcile_total{controller,result}</c>,
/// <c>controller_runtime_reconcile_errors_total{controller}</c>, <c>controller_runtime_reconcile_time_seconds{controller}</c>,
/// <c>controller_runtime_max_concurrent_reconciles</c>, <c>controller_runtime_active_workers</c>, and client-go's
/// <c>workqueue_depth</c>, <c>workqueue_adds_total</c>, <c>workqueue_retries_total</c>,
/// <c>workqueue_queue_duration_seconds</c>, <c>workqueue_work_duration_seconds</c> by queue <c>name</c>.
/// </summary>
public sealed class OperatorMetrics
{
    /// <summary>The result label values controller-runtime initialises to zero for every controller.</summary>
    public static readonly IReadOnlyList<string> ReconcileResults = ["success", "error", "requeue", "requeue_after"];

    // controller-runtime's reconcile_time_seconds buckets.
    private static readonly double[] ReconcileBuckets =
    [
        0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0,
        1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
    ];

    public OperatorMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        ReconcileTotal = factory.CreateCounter("controller_runtime_reconcile_total",
            "Total number of reconciliations per controller", new CounterConfiguration { LabelNames = ["controller", "result"] });
        ReconcileErrors = factory.CreateCounter("controller_runtime_reconcile_errors_total",
            "Total number of reconciliation errors per controller", new CounterConfiguration { LabelNames = ["controller"] });
        ReconcileTime = factory.CreateHistogram("controller_runtime_reconcile_time_seconds",
            "Length of time per reconciliation per controller", new HistogramConfiguration { LabelNames = ["controller"], Buckets = ReconcileBuckets });
        MaxConcurrentReconciles = factory.CreateGauge("controller_runtime_max_concurrent_reconciles",
            "Maximum number of concurrent reconciles per controller", new GaugeConfiguration { LabelNames = ["controller"] });
        ActiveWorkers = factory.CreateGauge("controller_runtime_active_workers",
            "Number of currently used workers per controller", new GaugeConfiguration { LabelNames = ["controller"] });
        QueueDepth = factory.CreateGauge("workqueue_depth", "Current depth of workqueue", new GaugeConfiguration { LabelNames = ["name"] });
        QueueAdds = factory.CreateCounter("workqueue_adds_total", "Total number of adds handled by workqueue", new CounterConfiguration { LabelNames = ["name"] });
        QueueRetries = factory.CreateCounter("workqueue_retries_total", "Total number of retries handled by workqueue", new CounterConfiguration { LabelNames = ["name"] });
        var queueBuckets = Histogram.ExponentialBuckets(10e-9, 10, 12);
        QueueDuration = factory.CreateHistogram("workqueue_queue_duration_seconds",
            "How long in seconds an item stays in workqueue before being requested", new HistogramConfiguration { LabelNames = ["name"], Buckets = queueBuckets });
        WorkDuration = factory.CreateHistogram("workqueue_work_duration_seconds",
            "How long in seconds processing an item from workqueue takes", new HistogramConfiguration { LabelNames = ["name"], Buckets = queueBuckets });
        LeaderElectionStatus = factory.CreateGauge("leader_election_master_status",
            "Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master", new GaugeConfiguration { LabelNames = ["name"] });
    }

    public CollectorRegistry Registry { get; }

    internal Counter ReconcileTotal { get; }

    internal Counter ReconcileErrors { get; }

    internal Histogram ReconcileTime { get; }

    internal Gauge MaxConcurrentReconciles { get; }

    internal Gauge ActiveWorkers { get; }

    internal Gauge QueueDepth { get; }

    internal Counter QueueAdds { get; }

    internal Counter QueueRetries { get; }

    internal Histogram QueueDuration { get; }

    internal Histogram WorkDuration { get; }

    internal Gauge LeaderElectionStatus { get; }

    /// <summary>Metrics of one work queue, labelled with its name.</summary>
    public IWorkQueueMetrics ForQueue(string name) => new WorkQueueMetrics(this, name);

    /// <summary>Writes the Prometheus text exposition of every metric.</summary>
    public Task ExportAsync(Stream destination, CancellationToken cancellationToken) =>
        Registry.CollectAndExportAsTextAsync(destination, cancellationToken);
}
