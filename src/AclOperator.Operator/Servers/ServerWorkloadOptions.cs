namespace AclOperator.Operator.Servers;

/// <summary>Operator-wide settings the workload of every RedisAclServer is rendered with.</summary>
public sealed class ServerWorkloadOptions
{
    /// <summary>The aclop-server image for servers without <c>spec.image</c> (normally the operator's own version).</summary>
    public string DefaultImage { get; set; } = "";

    /// <summary>The operator's namespace: only its pods may reach the servers' admin port (O6-TLS NetworkPolicy).</summary>
    public string OperatorNamespace { get; set; } = "";

    /// <summary>Labels of the operator's pods; empty admits every pod of <see cref="OperatorNamespace"/>.</summary>
    public IDictionary<string, string> OperatorPodLabels { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
