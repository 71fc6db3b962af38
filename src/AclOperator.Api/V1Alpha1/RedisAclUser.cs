using System.ComponentModel;
using System.Text.Json.Serialization;
using AclOperator.Api.Schema;
using k8s;
using k8s.Models;

namespace AclOperator.Api.V1Alpha1;

/// <summary>One Redis ACL user of one RedisAclServer.</summary>
[KubernetesEntity(Group = AclopApi.Group, ApiVersion = AclopApi.Version, Kind = KindName, PluralName = "redisaclusers")]
[ShortNames("rau", "redisuser")]
[Categories(AclopApi.Category, AclopApi.OperatorCategory)]
[StatusSubresource]
[Description("One Redis ACL user of one RedisAclServer: its rules, passwords (from Secrets) and state.")]
[PrinterColumn("Username", "string", ".status.username", Description = "The Redis user name clients authenticate as")]
[PrinterColumn("Server", "string", ".spec.serverRef.name")]
[PrinterColumn("Enabled", "boolean", ".spec.enabled")]
[PrinterColumn("Valid", "string", AclopApi.ValidColumn)]
[PrinterColumn("Enforced", "string", AclopApi.EnforcedColumn)]
[PrinterColumn("Ready", "string", AclopApi.ReadyColumn, Priority = 1)]
[PrinterColumn("Reason", "string", ".status.conditions[?(@.type==\"Valid\")].reason", Priority = 1)]
[PrinterColumn("Age", "date", ".metadata.creationTimestamp")]
[ValidationRule("has(self.spec.username) || self.metadata.name != 'default'",
    Message = "the default user is configured on the RedisAclServer (spec.defaultUser); a RedisAclUser named 'default' needs another spec.username")]
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
    [Description("The desired ACL user.")]
    [Required]
    public RedisAclUserSpec Spec { get; set; } = new();

    [JsonPropertyName("status")]
    [Description("What the operator made of the user: validity, the rules as requested and as Redis normalised them, enforcement; never a password or a hash.")]
    public RedisAclUserStatus? Status { get; set; }

    /// <summary>The Secret a <c>generatePassword</c> user's password lives in (key <see cref="GeneratedPasswordKey"/>).</summary>
    public static string GeneratedSecretName(string userObjectName) => userObjectName + "-redis-credentials";

    /// <summary>The key of the generated password in <see cref="GeneratedSecretName"/>.</summary>
    public const string GeneratedPasswordKey = "password";
}
