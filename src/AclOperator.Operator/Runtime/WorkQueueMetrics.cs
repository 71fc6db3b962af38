using Prometheus;

namespace AclOperator.Operator.Runtime;

/// <summary>Reports one <see cref="WorkQueue{T}"/> into <see cref="OperatorMetrics"/> under client-go's workqueue names.</summary>
internal sealed class WorkQueueMetrics : IWorkQueueMetrics
{
    private readonly Gauge.Child _depth;
    private readonly Counter.Child _adds;
    private readonly Counter.Child _retries;
    private readonly Histogram.Child _queueDuration;
    private readonly Histogram.Child _workDuration;

    public WorkQueueMetrics(OperatorMetrics metrics, string name)
    {
        _depth = metrics.QueueDepth.WithLabels(name);
        _adds = metrics.QueueAdds.WithLabels(name);
        _retries = metrics.QueueRetries.WithLabels(name);
        _queueDuration = metrics.QueueDuration.WithLabels(name);
        _workDuration = metrics.WorkDuration.WithLabels(name);
        _depth.Set(0);
        _adds.IncTo(0);
        _retries.IncTo(0);
    }

    public void Added() => _adds.Inc();

    public void DepthChanged(int depth) => _depth.Set(depth);

    public void Retried() => _retries.Inc();

    public void QueueDuration(TimeSpan waited) => _queueDuration.Observe(waited.TotalSeconds);

    public void WorkDuration(TimeSpan worked) => _workDuration.Observe(worked.TotalSeconds);
}
