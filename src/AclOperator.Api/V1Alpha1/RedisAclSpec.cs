using System.ComponentModel;
using System.Text.Json.Serialization;
using AclOperator.Api.Schema;

namespace AclOperator.Api.V1Alpha1;

/// <summary>The rules of a reusable rule set.</summary>
public sealed class RedisAclSpec
{
    [JsonPropertyName("displayName")]
    [Description("A free-form name, e.g. the Redis Enterprise ACL name this set mirrors.")]
    [Length(MaxLength = 256)]
    public string? DisplayName { get; set; }

    [JsonPropertyName("rules")]
    [Description("ACL rules in Redis syntax, one ACL SETUSER argument per item; may contain selectors ('(+get ~k*)'). No passwords, nopass or on/off.")]
    [Required]
    [Items(MinItems = 1, MaxItems = 256)]
    [Length(MinLength = 1, MaxLength = 1024)]
    [ValidationRule("self.all(r, !r.matches('^[(]?[<>#!]') && !(r.lowerAscii() in ['on', 'off', 'nopass', 'resetpass']))",
        Message = "a RedisAcl holds permissions only: no passwords, nopass or on/off")]
    public IList<string> Rules { get; set; } = [];
}
