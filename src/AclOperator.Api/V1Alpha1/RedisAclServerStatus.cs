using System.ComponentModel;
using System.Text.Json.Serialization;
using AclOperator.Api.Schema;
using k8s.Models;

namespace AclOperator.Api.V1Alpha1;

/// <summary>The server's published revision and how many replicas enforce it.</summary>
public sealed class RedisAclServerStatus
{
    [JsonPropertyName("observedGeneration")]
    [Description("The metadata.generation the status was computed from.")]
    public long? ObservedGeneration { get; set; }

    [JsonPropertyName("conditions")]
    [Description("Ready, Valid (the server's own spec: default user, ceilings) and Enforced (every running replica enforces the latest revision), plus Reconciling and Stalled (kstatus).")]
    [ListType("map", "type")]
    [Items(MaxItems = 8)]
    public IList<V1Condition>? Conditions { get; set; }

    [JsonPropertyName("revision")]
    [Description("The latest published ACL revision.")]
    [Length(MaxLength = 64)]
    public string? Revision { get; set; }

    [JsonPropertyName("replicas")]
    [Description("Running enforcement pods.")]
    public int? Replicas { get; set; }

    [JsonPropertyName("enforcedReplicas")]
    [Description("Running replicas that enforce the latest revision.")]
    public int? EnforcedReplicas { get; set; }

    [JsonPropertyName("userCount")]
    [Description("Users in the published ACL, the default user included.")]
    public int? UserCount { get; set; }

    [JsonPropertyName("image")]
    [Description("The resolved image the pods run (pinned until spec.image changes).")]
    [Length(MaxLength = 512)]
    public string? Image { get; set; }
}
