using System.ComponentModel;
using System.Text.Json.Serialization;
using AclOperator.Api.Schema;

namespace AclOperator.Api.V1Alpha1;

/// <summary>A tenant namespace admitted to a server (O1, O2).</summary>
public sealed class UserNamespaceSpec
{
    [JsonPropertyName("namespace")]
    [Description("The tenant namespace.")]
    [Required]
    [Length(MinLength = 1, MaxLength = 63)]
    [Pattern(AclopApi.DnsLabelPattern)]
    public string Namespace { get; set; } = "";

    [JsonPropertyName("usernamePrefix")]
    [Description("Put in front of every username from this namespace; defaults to '<namespace>.'. Keeps tenants' names apart (O1).")]
    [Length(MinLength = 1, MaxLength = 64)]
    [Pattern("^[^\\s\\x00]+$")]
    [ValidationRule("!self.startsWith('_aclop')", Message = "the _aclop prefix is reserved")]
    public string? UsernamePrefix { get; set; }

    [JsonPropertyName("ceiling")]
    [Description("One selector-free rule that bounds the effective permissions of every user from this namespace (O2), e.g. ['+@read', '+@write', '~team-a:*']. The tenant floor (-@admin -@dangerous -@scripting ...) always applies; 'nopass' allows nopass users. Omitted: everything but the floor.")]
    [Items(MaxItems = 256)]
    [Length(MinLength = 1, MaxLength = 1024)]
    public IList<string>? Ceiling { get; set; }
}
