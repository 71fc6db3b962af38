using System.ComponentModel;
using System.Text.Json.Serialization;
using AclOperator.Api.Schema;
using k8s;
using k8s.Models;

namespace AclOperator.Api.V1Alpha1;

/// <summary>One enforcement server (a StatefulSet of aclop-server pods and its Service). Admin-only (O3).</summary>
[KubernetesEntity(Group = AclopApi.Group, ApiVersion = AclopApi.Version, Kind = KindName, PluralName = "redisaclservers")]
[ShortNames("ras")]
[Categories(AclopApi.Category, AclopApi.OperatorCategory)]
[StatusSubresource]
[Description("One enforcement server: a StatefulSet of aclop-server pods in front of a Redis/Valkey backend, enforcing the ACL compiled from the RedisAclUsers bound to it. Admin-only.")]
[PrinterColumn("Backend", "string", ".spec.backend.type")]
[PrinterColumn("Replicas", "integer", ".spec.replicas")]
[PrinterColumn("Enforced", "integer", ".status.enforcedReplicas")]
[PrinterColumn("Users", "integer", ".status.userCount")]
[PrinterColumn("Revision", "string", ".status.revision", Priority = 1)]
[PrinterColumn("Ready", "string", AclopApi.ReadyColumn)]
[PrinterColumn("Age", "date", ".metadata.creationTimestamp")]
public sealed class RedisAclServer : IKubernetesObject<V1ObjectMeta>, ISpec<RedisAclServerSpec>, IStatus<RedisAclServerStatus?>
{
    public const string KindName = "RedisAclServer";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = AclopApi.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = KindName;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    [Description("The desired enforcement server.")]
    [Required]
    public RedisAclServerSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    [Description("The published ACL revision and how many replicas enforce it; written by the operator.")]
    public RedisAclServerStatus? Status { get; set; }
}
