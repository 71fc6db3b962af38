namespace AclOperator.Operator.Runtime;

/// <summary>Settings of one <see cref="Controller{T}"/>.</summary>
public sealed class ControllerOptions
{
    /// <summary>Workers reconciling different objects at once (controller-runtime's MaxConcurrentReconciles).</summary>
    public int MaxConcurrentReconciles { get; set; } = 1;

    /// <summary>Backoff of failed items; defaults to 5 ms doubling to 1000 s.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(5);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(1000);

    /// <summary>On stop, how long queued and running reconciles may finish before their token is cancelled.</summary>
    public TimeSpan GracefulShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
