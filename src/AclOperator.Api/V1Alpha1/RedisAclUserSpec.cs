using System.ComponentModel;
using System.Text.Json.Serialization;
using AclOperator.Api.Schema;

namespace AclOperator.Api.V1Alpha1;

/// <summary>
/// The desired ACL user. Compiled like one <c>ACL SETUSER</c> on a new user: the rules of each entry of
/// <see cref="Acls"/> in order, then <see cref="Rules"/>, then each of <see cref="Selectors"/>, then
/// <c>on</c>/<c>off</c> and the passwords.
/// </summary>
[ValidationRule("!(has(self.noPassword) && self.noPassword) || (!has(self.passwords) && !has(self.passwordHashes) && !(has(self.generatePassword) && self.generatePassword))",
    Message = "noPassword excludes passwords, passwordHashes and generatePassword", FieldPath = ".noPassword")]
public sealed class RedisAclUserSpec
{
    [JsonPropertyName("username")]
    [Description("The Redis user name; defaults to metadata.name (Redis names allow characters Kubernetes names do not). In a tenant namespace the server's usernamePrefix is put in front of it.")]
    [Length(MinLength = 1, MaxLength = 512)]
    [ValidationRule("""!self.matches('[\\x00\\t\\n\\v\\f\\r ]')""", Message = "Usernames can't contain spaces or null characters")]
    [ValidationRule("self != 'default'", Message = "the default user is configured on the RedisAclServer (spec.defaultUser)")]
    [ValidationRule("!self.startsWith('_aclop')", Message = "usernames starting with _aclop are reserved")]
    public string? Username { get; set; }

    [JsonPropertyName("serverRef")]
    [Description("The RedisAclServer that enforces this user.")]
    [Required]
    public ServerRef? ServerRef { get; set; }

    [JsonPropertyName("enabled")]
    [Description("on (true) or off (false); an off user cannot authenticate and its connections are closed.")]
    [DefaultValue(true)]
    public bool? Enabled { get; set; }

    [JsonPropertyName("passwords")]
    [Description("Cleartext passwords from Secrets; any of them authenticates. Rotation: add the new one, move clients, remove the old one. Only SHA-256 hashes leave the operator.")]
    [Items(MaxItems = 16)]
    public IList<PasswordSource>? Passwords { get; set; }

    [JsonPropertyName("passwordHashes")]
    [Description("SHA-256 password hashes (64 lowercase hex characters) from Secrets; never inline (O4).")]
    [Items(MaxItems = 16)]
    public IList<PasswordSource>? PasswordHashes { get; set; }

    [JsonPropertyName("generatePassword")]
    [Description("The operator generates a 256-bit password and writes a connection Secret <metadata.name>-redis-credentials (username, password, host, port, url).")]
    [DefaultValue(false)]
    public bool? GeneratePassword { get; set; }

    [JsonPropertyName("noPassword")]
    [Description("nopass: any password authenticates. Excludes passwords, passwordHashes and generatePassword.")]
    [DefaultValue(false)]
    public bool? NoPassword { get; set; }

    [JsonPropertyName("acls")]
    [Description("Rule sets applied first, in order: names of RedisAcl objects in this namespace or the built-in full-access, read-only and not-dangerous.")]
    [Items(MaxItems = 32)]
    [Length(MinLength = 1, MaxLength = 253)]
    public IList<string>? Acls { get; set; }

    [JsonPropertyName("rules")]
    [Description("ACL rules in Redis syntax, one ACL SETUSER argument per item (e.g. '~app:*', '+@read', '%R~cache:*', '&events.*'). Passwords, nopass and on/off have their own fields.")]
    [Items(MaxItems = 256)]
    [Length(MinLength = 1, MaxLength = 1024)]
    [ValidationRule("self.all(r, !r.matches('^[(]?[<>#!]') && !(r.lowerAscii() in ['on', 'off', 'nopass', 'resetpass']))",
        Message = "passwords, nopass and on/off are set by passwords, passwordHashes, noPassword and enabled, not by rules")]
    public IList<string>? Rules { get; set; }

    [JsonPropertyName("selectors")]
    [Description("Additional selectors, each the rules inside one pair of parentheses (e.g. '+get ~cache:*' becomes '(+get ~cache:*)').")]
    [Items(MaxItems = 32)]
    [Length(MinLength = 1, MaxLength = 1024)]
    public IList<string>? Selectors { get; set; }
}
