using System.ComponentModel;
using System.Text.Json.Serialization;
using AclOperator.Api.Schema;

namespace AclOperator.Api.V1Alpha1;

/// <summary>The Service clients connect to.</summary>
public sealed class ServiceSpec
{
    [JsonPropertyName("type")]
    [Description("The Service type.")]
    [EnumValues("ClusterIP", "NodePort", "LoadBalancer")]
    [Length(MaxLength = 16)]
    [DefaultValue("ClusterIP")]
    public string? Type { get; set; }

    [JsonPropertyName("port")]
    [Description("The RESP port of the Service.")]
    [DefaultValue(6379)]
    [Range(Minimum = 1, Maximum = 65535)]
    public int? Port { get; set; }

    [JsonPropertyName("tlsSecretName")]
    [Description("A kubernetes.io/tls Secret (e.g. from cert-manager): the RESP port then speaks TLS.")]
    [Length(MaxLength = 253)]
    public string? TlsSecretName { get; set; }

    [JsonPropertyName("annotations")]
    [Description("Annotations of the Service (e.g. for a cloud load balancer).")]
    [Items(MaxItems = 64)]
    [Length(MaxLength = 4096)]
    public IDictionary<string, string>? Annotations { get; set; }
}
