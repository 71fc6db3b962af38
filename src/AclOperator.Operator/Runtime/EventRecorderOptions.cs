namespace AclOperator.Operator.Runtime;

/// <summary>Who reports events (<c>source.component</c>, <c>reportingComponent</c>, <c>reportingInstance</c>) and how many repeats are tracked.</summary>
public sealed class EventRecorderOptions
{
    public string Component { get; set; } = "aclop-operator";

    /// <summary>This replica (pod name); defaults to the host name.</summary>
    public string Instance { get; set; } = Environment.MachineName;

    /// <summary>How many distinct events are remembered for aggregation (client-go's LRU holds 4096).</summary>
    public int CacheSize { get; set; } = 4096;
}
