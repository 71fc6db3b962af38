using System.ComponentModel;
using System.Text.Json.Serialization;
using AclOperator.Api.Schema;
using k8s.Models;

namespace AclOperator.Api.V1Alpha1;

/// <summary>The server's published revision and how many replicas enforce it.</summary>
public sealed class RedisAclServerStatus
{
    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; set; }

    [JsonPropertyName("conditions")]
    [ListType("map", "type")]
    [Items(MaxItems = 8)]
    public IList<V1Condition>? Conditions { get; set; }

    [JsonPropertyName("revision")]
    [Description("The latest published ACL revision.")]
    public string? Revision { get; set; }

    [JsonPropertyName("replicas")]
    public int? Replicas { get; set; }

    [JsonPropertyName("enforcedReplicas")]
    [Description("Running replicas that enforce the latest revision.")]
    public int? EnforcedReplicas { get; set; }

    [JsonPropertyName("userCount")]
    public int? UserCount { get; set; }

    [JsonPropertyName("image")]
    [Description("The resolved image the pods run (pinned until spec.image changes).")]
    public string? Image { get; set; }
}
