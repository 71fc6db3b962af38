namespace AclOperator.Operator.Runtime;

/// <summary>Runtime settings of the operator (configuration section <c>Operator</c>).</summary>
public sealed class OperatorOptions
{
    public const string Section = "Operator";

    /// <summary>The label every object the operator creates carries; owned kinds are watched with it as selector (O3).</summary>
    public string OwnedLabelSelector { get; set; } = "app.kubernetes.io/managed-by=aclop-operator";

    /// <summary>How often every cached object is reconciled again (controller-runtime's SyncPeriod, 10 hours); zero turns it off.</summary>
    public TimeSpan ResyncPeriod { get; set; } = TimeSpan.FromHours(10);

    /// <summary>Server-side watch timeout (times a random factor in [1, 2)).</summary>
    public TimeSpan WatchTimeout { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan MinRetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Objects per list page.</summary>
    public int PageSize { get; set; } = 500;

    /// <summary>Where /healthz, /readyz and /metrics are served (Kestrel URL).</summary>
    public string HttpAddress { get; set; } = "http://0.0.0.0:8081";
}
