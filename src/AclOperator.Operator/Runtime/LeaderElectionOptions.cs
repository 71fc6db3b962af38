namespace AclOperator.Operator.Runtime;

/// <summary>Leader election on a coordination.k8s.io/v1 Lease (configuration section <c>LeaderElection</c>).</summary>
public sealed class LeaderElectionOptions
{
    public const string Section = "LeaderElection";

    /// <summary>With leader election off this replica reconciles at once (one replica only).</summary>
    public bool Enabled { get; set; } = true;

    public string LeaseName { get; set; } = "aclop-operator";

    /// <summary>The operator's own namespace (the chart sets it from the downward API).</summary>
    public string LeaseNamespace { get; set; } = "default";

    /// <summary>This replica's identity in the Lease; empty means host name plus a random suffix.</summary>
    public string Identity { get; set; } = "";

    /// <summary>How long a Lease holds without renewal; a crashed leader is replaced after about this long.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the leader keeps retrying a renewal before it gives up leading (and the process exits).</summary>
    public TimeSpan RenewDeadline { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan RetryPeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>On a graceful stop the leader empties the Lease's holder so another replica takes over within a retry period.</summary>
    public bool ReleaseOnCancel { get; set; } = true;
}
