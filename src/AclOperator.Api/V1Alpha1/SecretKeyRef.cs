using System.ComponentModel;
using System.Text.Json.Serialization;
using AclOperator.Api.Schema;

namespace AclOperator.Api.V1Alpha1;

/// <summary>One key of a Secret in the namespace of the referring object (references never name a namespace, O3).</summary>
public sealed class SecretKeyRef
{
    [JsonPropertyName("name")]
    [Description("Name of a Secret in the same namespace.")]
    [Required]
    [Length(MinLength = 1, MaxLength = 253)]
    [Pattern(AclopApi.DnsSubdomainPattern)]
    public string Name { get; set; } = "";

    [JsonPropertyName("key")]
    [Description("Key within the Secret's data.")]
    [Required]
    [Length(MinLength = 1, MaxLength = 253)]
    [Pattern(AclopApi.SecretKeyPattern)]
    public string Key { get; set; } = "";

    public override string ToString() => $"{Name}/{Key}";
}
