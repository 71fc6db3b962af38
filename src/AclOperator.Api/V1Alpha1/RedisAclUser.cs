using System.Text.Json.Serialization;
using AclOperator.Api.Schema;
using k8s;
using k8s.Models;

namespace AclOperator.Api.V1Alpha1;

/// <summary>One Redis ACL user of one RedisAclServer.</summary>
[KubernetesEntity(Group = AclopApi.Group, ApiVersion = AclopApi.Version, Kind = KindName, PluralName = "redisaclusers")]
[ShortNames("rau", "redisuser")]
[Categories(AclopApi.Category)]
[PrinterColumn("Username", "string", ".status.username")]
[PrinterColumn("Server", "string", ".spec.serverRef.name")]
[PrinterColumn("Ready", "string", AclopApi.ReadyColumn)]
[PrinterColumn("Reason", "string", ".status.conditions[?(@.type==\"Valid\")].reason", Priority = 1)]
[PrinterColumn("Age", "date", ".metadata.creationTimestamp")]
public sealed class RedisAclUser : IKubernetesObject<V1ObjectMeta>, ISpec<RedisAclUserSpec>, IStatus<RedisAclUserStatus?>
{
    public const string KindName = "RedisAclUser";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = AclopApi.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = KindName;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    [Required]
    public RedisAclUserSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    public RedisAclUserStatus? Status { get; set; }

    /// <summary>The Secret a <c>generatePassword</c> user's password lives in (key <see cref="GeneratedPasswordKey"/>).</summary>
    public static string GeneratedSecretName(string userObjectName) => userObjectName + "-redis-credentials";

    /// <summary>The key of the generated password in <see cref="GeneratedSecretName"/>.</summary>
    public const string GeneratedPasswordKey = "password";
}
