namespace AclOperator.Operator.Reconcilers;

/// <summary>Options of the RedisAclServer reconciler (configuration section <c>Servers</c>).</summary>
public sealed class ServerReconcilerOptions
{
    public const string Section = "Servers";

    /// <summary>The aclop-server image used when spec.image is empty (pinned in status once resolved, O13).</summary>
    public string DefaultImage { get; set; } = "ghcr.io/aclop/aclop-server:0.1.0";

    /// <summary>Namespace of the operator's pods (NetworkPolicy: only they reach the admin port).</summary>
    public string OperatorNamespace { get; set; } = "aclop-system";

    /// <summary>Publishes per server are coalesced within this window (O14: at least 250 ms).</summary>
    public TimeSpan PublishWindow { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>A publish that would drop more than this fraction of users needs a fresh list from the API first (O8).</summary>
    public double MaxDropFraction { get; set; } = 0.10;

    /// <summary>
    /// A running pod still below a revision published this long ago, while another running pod enforces it, is taken out
    /// of the client Service until it catches up (O15); zero turns this off.
    /// </summary>
    public TimeSpan StalePodGrace { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often pods are checked for being stuck on an old revision.</summary>
    public TimeSpan StalePodCheckPeriod { get; set; } = TimeSpan.FromSeconds(5);
}
