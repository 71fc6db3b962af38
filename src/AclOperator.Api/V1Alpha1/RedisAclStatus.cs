using System.ComponentModel;
using System.Text.Json.Serialization;
using AclOperator.Api.Schema;
using k8s.Models;

namespace AclOperator.Api.V1Alpha1;

/// <summary>Whether a rule set is valid on its own, and how many users use it.</summary>
public sealed class RedisAclStatus
{
    [JsonPropertyName("observedGeneration")]
    [Description("The metadata.generation the status was computed from.")]
    public long? ObservedGeneration { get; set; }

    [JsonPropertyName("conditions")]
    [Description("Ready and Valid (False with the exact Redis error).")]
    [ListType("map", "type")]
    [Items(MaxItems = 8)]
    public IList<V1Condition>? Conditions { get; set; }

    [JsonPropertyName("userCount")]
    [Description("RedisAclUsers in this namespace that reference this rule set.")]
    public int? UserCount { get; set; }
}
