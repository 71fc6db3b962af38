using System.ComponentModel;
using System.Text.Json.Serialization;
using AclOperator.Api.Schema;

namespace AclOperator.Api.V1Alpha1;

/// <summary>Where a password (or a password hash) comes from: only a Secret, never inline (O4).</summary>
public sealed class PasswordSource
{
    [JsonPropertyName("secretKeyRef")]
    [Description("The Secret key holding the value.")]
    [Required]
    public SecretKeyRef SecretKeyRef { get; set; } = new();
}
