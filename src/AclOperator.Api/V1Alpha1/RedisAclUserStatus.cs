using System.ComponentModel;
using System.Text.Json.Serialization;
using AclOperator.Api.Schema;
using k8s.Models;

namespace AclOperator.Api.V1Alpha1;

/// <summary>What the operator made of a RedisAclUser. Never holds a password or a hash (O4).</summary>
public sealed class RedisAclUserStatus
{
    [JsonPropertyName("observedGeneration")]
    public long? ObservedGeneration { get; set; }

    [JsonPropertyName("conditions")]
    [Description("Ready, Valid (False with the exact Redis error, UsernameConflict, …) and Enforced.")]
    [ListType("map", "type")]
    [Items(MaxItems = 8)]
    public IList<V1Condition>? Conditions { get; set; }

    [JsonPropertyName("username")]
    [Description("The Redis user name clients authenticate as (with the namespace prefix).")]
    public string? Username { get; set; }

    [JsonPropertyName("requestedRules")]
    [Description("The rules applied, in order (RedisAcl rules expanded), without passwords.")]
    public string? RequestedRules { get; set; }

    [JsonPropertyName("canonicalRules")]
    [Description("The user as ACL LIST shows it, without password hashes.")]
    public string? CanonicalRules { get; set; }

    [JsonPropertyName("passwordCount")]
    public int? PasswordCount { get; set; }

    [JsonPropertyName("enforcedRevision")]
    [Description("The ACL revision every running replica enforces for this user.")]
    public string? EnforcedRevision { get; set; }
}
