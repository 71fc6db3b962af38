using System.ComponentModel;
using System.Text.Json.Serialization;
using AclOperator.Api.Schema;

namespace AclOperator.Api.V1Alpha1;

/// <summary>The Service clients connect to.</summary>
public sealed class ServiceSpec
{
    [JsonPropertyName("type")]
    [EnumValues("ClusterIP", "NodePort", "LoadBalancer")]
    [DefaultValue("ClusterIP")]
    public string? Type { get; set; }

    [JsonPropertyName("port")]
    [DefaultValue(6379)]
    [Range(Minimum = 1, Maximum = 65535)]
    public int? Port { get; set; }

    [JsonPropertyName("tlsSecretName")]
    [Description("A kubernetes.io/tls Secret (e.g. from cert-manager): the RESP port then speaks TLS.")]
    [Length(MaxLength = 253)]
    public string? TlsSecretName { get; set; }

    [JsonPropertyName("annotations")]
    public IDictionary<string, string>? Annotations { get; set; }
}
