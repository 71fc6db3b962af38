using System.ComponentModel;
using System.Text.Json.Serialization;
using AclOperator.Api.Schema;
using k8s.Models;

namespace AclOperator.Api.V1Alpha1;

/// <summary>The desired enforcement server.</summary>
[ValidationRule("!has(self.replicas) || self.replicas <= 1 || (has(self.backend) && self.backend.type == 'upstream')",
    Message = "replicas > 1 needs an upstream backend: embedded and sidecar replicas would be separate databases behind one Service (O11)", FieldPath = ".replicas")]
public sealed class RedisAclServerSpec
{
    [JsonPropertyName("replicas")]
    [Description("Enforcement pods. More than one only with an upstream backend (O11).")]
    [DefaultValue(1)]
    [Range(Minimum = 0, Maximum = 64)]
    public int? Replicas { get; set; }

    [JsonPropertyName("image")]
    [Description("The aclop-server image; defaults to the operator's own version. The resolved image is pinned in status.")]
    [Length(MaxLength = 512)]
    public string? Image { get; set; }

    [JsonPropertyName("backend")]
    [Description("Where allowed commands go: embedded Garnet, a sidecar Redis/Valkey on localhost, or an upstream store.")]
    public BackendSpec? Backend { get; set; }

    [JsonPropertyName("defaultUser")]
    [Description("The 'default' user every connection starts as. Omitted: the default user is off (clients must AUTH).")]
    public DefaultUserSpec? DefaultUser { get; set; }

    [JsonPropertyName("aclPubsubDefault")]
    [Description("acl-pubsub-default: the channels a new user starts with.")]
    [EnumValues("resetchannels", "allchannels")]
    [Length(MaxLength = 16)]
    [DefaultValue("resetchannels")]
    public string? AclPubsubDefault { get; set; }

    [JsonPropertyName("aclLogMaxLen")]
    [Description("acllog-max-len: entries kept by ACL LOG.")]
    [DefaultValue(128)]
    [Range(Minimum = 0, Maximum = 100000)]
    public long? AclLogMaxLen { get; set; }

    [JsonPropertyName("runtimeAcl")]
    [Description("Whether clients may create users with ACL SETUSER/DELUSER at runtime (persisted to the <server>-acl-runtime Secret; tenant ceilings apply). Managed users can never be changed at runtime.")]
    [EnumValues("Deny", "Allow")]
    [Length(MaxLength = 16)]
    [DefaultValue("Deny")]
    public string? RuntimeAcl { get; set; }

    [JsonPropertyName("userNamespaces")]
    [Description("Tenant namespaces whose RedisAclUsers may bind to this server, each with a username prefix and a rule ceiling. The server's own namespace is always admitted, unprefixed and without ceiling.")]
    [ListType("map", "namespace")]
    [Items(MaxItems = 256)]
    public IList<UserNamespaceSpec>? UserNamespaces { get; set; }

    [JsonPropertyName("service")]
    [Description("The Service in front of the RESP port.")]
    public ServiceSpec? Service { get; set; }

    [JsonPropertyName("resources")]
    [Description("Resources of the enforcement container.")]
    public V1ResourceRequirements? Resources { get; set; }
}
