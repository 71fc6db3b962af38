using System.ComponentModel;
using System.Text.Json.Serialization;
using AclOperator.Api.Schema;
using k8s.Models;

namespace AclOperator.Api.V1Alpha1;

/// <summary>What the operator made of a RedisAclUser. Never holds a password or a hash (O4).</summary>
public sealed class RedisAclUserStatus
{
    [JsonPropertyName("observedGeneration")]
    [Description("The metadata.generation the status was computed from.")]
    public long? ObservedGeneration { get; set; }

    [JsonPropertyName("conditions")]
    [Description("Ready, Valid (False with the exact Redis error, UsernameConflict, …) and Enforced.")]
    [ListType("map", "type")]
    [Items(MaxItems = 8)]
    public IList<V1Condition>? Conditions { get; set; }

    [JsonPropertyName("username")]
    [Description("The Redis user name clients authenticate as (with the namespace prefix).")]
    [Length(MaxLength = 1024)]
    public string? Username { get; set; }

    [JsonPropertyName("requestedRules")]
    [Description("The rules as requested, in the order applied (RedisAcl rules expanded), without passwords.")]
    [Length(MaxLength = 1048576)]
    public string? RequestedRules { get; set; }

    [JsonPropertyName("canonicalRules")]
    [Description("The canonical rules the engine normalised them to: the user as ACL LIST shows it, without password hashes.")]
    [Length(MaxLength = 1048576)]
    public string? CanonicalRules { get; set; }

    [JsonPropertyName("passwordCount")]
    [Description("How many passwords authenticate the user (never a password or a hash, O4).")]
    public int? PasswordCount { get; set; }

    [JsonPropertyName("enforcedRevision")]
    [Description("The ACL revision every running replica enforces for this user (n/m replicas are on the RedisAclServer's status, O12).")]
    [Length(MaxLength = 64)]
    public string? EnforcedRevision { get; set; }
}
