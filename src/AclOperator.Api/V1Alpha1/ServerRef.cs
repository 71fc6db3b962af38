using System.ComponentModel;
using System.Text.Json.Serialization;
using AclOperator.Api.Schema;

namespace AclOperator.Api.V1Alpha1;

/// <summary>The RedisAclServer a user or rule set belongs to.</summary>
public sealed class ServerRef
{
    [JsonPropertyName("name")]
    [Description("Name of the RedisAclServer.")]
    [Required]
    [Length(MinLength = 1, MaxLength = 253)]
    [Pattern(AclopApi.DnsSubdomainPattern)]
    public string Name { get; set; } = "";

    [JsonPropertyName("namespace")]
    [Description("Namespace of the RedisAclServer; defaults to the user's namespace. The server must admit the user's namespace in spec.userNamespaces.")]
    [Length(MinLength = 1, MaxLength = 63)]
    [Pattern(AclopApi.DnsLabelPattern)]
    public string? Namespace { get; set; }
}
