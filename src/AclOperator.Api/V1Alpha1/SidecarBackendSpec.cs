using System.ComponentModel;
using System.Text.Json.Serialization;
using AclOperator.Api.Schema;

namespace AclOperator.Api.V1Alpha1;

/// <summary>A Redis or Valkey container in the same pod, bound to localhost only.</summary>
public sealed class SidecarBackendSpec
{
    [JsonPropertyName("flavor")]
    [Description("The store the sidecar runs.")]
    [EnumValues("valkey", "redis")]
    [Length(MaxLength = 16)]
    [DefaultValue("valkey")]
    public string? Flavor { get; set; }

    [JsonPropertyName("image")]
    [Description("Overrides the pinned image of the flavor.")]
    [Length(MaxLength = 512)]
    public string? Image { get; set; }
}
