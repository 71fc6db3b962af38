using System.ComponentModel;
using System.Text.Json.Serialization;
using AclOperator.Api.Schema;

namespace AclOperator.Api.V1Alpha1;

/// <summary>The server's <c>default</c> user, compiled like a RedisAclUser in the server's namespace.</summary>
[ValidationRule("!(has(self.noPassword) && self.noPassword) || (!has(self.passwords) && !has(self.passwordHashes))",
    Message = "noPassword excludes passwords and passwordHashes", FieldPath = ".noPassword")]
public sealed class DefaultUserSpec
{
    [JsonPropertyName("enabled")]
    [Description("on (true) or off (false, the default): when off, every client must AUTH as a named user.")]
    [DefaultValue(false)]
    public bool? Enabled { get; set; }

    [JsonPropertyName("noPassword")]
    [Description("nopass: any password authenticates. Excludes passwords and passwordHashes.")]
    [DefaultValue(false)]
    public bool? NoPassword { get; set; }

    [JsonPropertyName("passwords")]
    [Description("Cleartext passwords from Secrets in the server's namespace; only SHA-256 hashes leave the operator.")]
    [Items(MaxItems = 16)]
    public IList<PasswordSource>? Passwords { get; set; }

    [JsonPropertyName("passwordHashes")]
    [Description("SHA-256 password hashes (64 lowercase hex characters) from Secrets; never inline (O4).")]
    [Items(MaxItems = 16)]
    public IList<PasswordSource>? PasswordHashes { get; set; }

    [JsonPropertyName("acls")]
    [Description("RedisAcl names in the server's namespace or built-in names (full-access, read-only, not-dangerous).")]
    [Items(MaxItems = 32)]
    [Length(MinLength = 1, MaxLength = 253)]
    public IList<string>? Acls { get; set; }

    [JsonPropertyName("rules")]
    [Description("ACL rules in Redis syntax, one ACL SETUSER argument per item, applied after acls.")]
    [Items(MaxItems = 256)]
    [Length(MinLength = 1, MaxLength = 1024)]
    public IList<string>? Rules { get; set; }
}
