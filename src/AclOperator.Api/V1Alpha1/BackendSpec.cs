using System.ComponentModel;
using System.Text.Json.Serialization;
using AclOperator.Api.Schema;

namespace AclOperator.Api.V1Alpha1;

/// <summary>The store behind the enforcement server; clients never reach it directly.</summary>
[ValidationRule("self.type != 'upstream' || has(self.upstream)", Message = "an upstream backend needs spec.backend.upstream", FieldPath = ".upstream")]
[ValidationRule("self.type == 'upstream' || !has(self.upstream)", Message = "spec.backend.upstream is only for type upstream", FieldPath = ".upstream")]
public sealed class BackendSpec
{
    [JsonPropertyName("type")]
    [Description("embedded: Garnet in-process (no socket), with a PVC; sidecar: a Redis/Valkey container listening on localhost only; upstream: an existing Redis/Valkey.")]
    [Required]
    [EnumValues("embedded", "sidecar", "upstream")]
    [Length(MaxLength = 16)]
    [DefaultValue("sidecar")]
    public string Type { get; set; } = "sidecar";

    [JsonPropertyName("embedded")]
    [Description("Settings of the embedded backend (type embedded).")]
    public EmbeddedBackendSpec? Embedded { get; set; }

    [JsonPropertyName("sidecar")]
    [Description("Settings of the sidecar backend (type sidecar).")]
    public SidecarBackendSpec? Sidecar { get; set; }

    [JsonPropertyName("upstream")]
    [Description("The existing store (type upstream; required then).")]
    public UpstreamBackendSpec? Upstream { get; set; }
}
