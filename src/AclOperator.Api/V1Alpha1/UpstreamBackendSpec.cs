using System.ComponentModel;
using System.Text.Json.Serialization;
using AclOperator.Api.Schema;

namespace AclOperator.Api.V1Alpha1;

/// <summary>An existing Redis/Valkey that only the enforcement pods may reach (O6-TLS NetworkPolicy).</summary>
public sealed class UpstreamBackendSpec
{
    [JsonPropertyName("host")]
    [Description("Host name or IP address of the store.")]
    [Required]
    [Length(MinLength = 1, MaxLength = 253)]
    public string Host { get; set; } = "";

    [JsonPropertyName("port")]
    [Description("Port of the store.")]
    [DefaultValue(6379)]
    [Range(Minimum = 1, Maximum = 65535)]
    public int? Port { get; set; }

    [JsonPropertyName("tls")]
    [Description("Connect with TLS.")]
    [DefaultValue(false)]
    public bool? Tls { get; set; }

    [JsonPropertyName("username")]
    [Description("The upstream ACL user the enforcement server authenticates as.")]
    [Length(MaxLength = 512)]
    public string? Username { get; set; }

    [JsonPropertyName("passwordSecretRef")]
    [Description("The upstream user's password.")]
    public SecretKeyRef? PasswordSecretRef { get; set; }
}
