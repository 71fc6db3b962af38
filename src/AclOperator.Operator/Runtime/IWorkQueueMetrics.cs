namespace AclOperator.Operator.Runtime;

/// <summary>What a <see cref="WorkQueue{T}"/> reports (client-go's workqueue MetricsProvider).</summary>
public interface IWorkQueueMetrics
{
    void Added();

    void DepthChanged(int depth);

    void Retried();

    /// <summary>Time an item waited in the queue before a worker took it.</summary>
    void QueueDuration(TimeSpan waited);

    /// <summary>Time a worker spent on an item.</summary>
    void WorkDuration(TimeSpan worked);
}
