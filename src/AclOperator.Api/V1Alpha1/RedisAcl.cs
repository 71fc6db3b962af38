using System.ComponentModel;
using System.Text.Json.Serialization;
using AclOperator.Api.Schema;
using k8s;
using k8s.Models;

namespace AclOperator.Api.V1Alpha1;

/// <summary>
/// A named, reusable rule set (the Kubernetes form of Redis Enterprise's <c>redis_acls</c>), referenced by
/// <see cref="RedisAclUserSpec.Acls"/> in the same namespace.
/// </summary>
[KubernetesEntity(Group = AclopApi.Group, ApiVersion = AclopApi.Version, Kind = KindName, PluralName = "redisacls")]
[ShortNames("racl")]
[Categories(AclopApi.Category, AclopApi.OperatorCategory)]
[StatusSubresource]
[Description("A named, reusable set of Redis ACL rules (like Redis Enterprise's redis_acls), referenced by RedisAclUsers of the same namespace through spec.acls.")]
[PrinterColumn("Valid", "string", AclopApi.ValidColumn)]
[PrinterColumn("Users", "integer", ".status.userCount")]
[PrinterColumn("Ready", "string", AclopApi.ReadyColumn)]
[PrinterColumn("Age", "date", ".metadata.creationTimestamp")]
[ValidationRule("!(self.metadata.name in ['full-access', 'read-only', 'not-dangerous'])", Message = "full-access, read-only and not-dangerous are built-in ACL names")]
public sealed class RedisAcl : IKubernetesObject<V1ObjectMeta>, ISpec<RedisAclSpec>, IStatus<RedisAclStatus?>
{
    public const string KindName = "RedisAcl";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = AclopApi.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = KindName;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    [Description("The rules of the set.")]
    [Required]
    public RedisAclSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    [Description("Whether the set is valid on its own and how many users use it; written by the operator.")]
    public RedisAclStatus? Status { get; set; }
}
