using System.Text;
using AclOperator.Api.Compilation;
using AclOperator.Api.V1Alpha1;
using k8s.Models;

namespace AclOperator.Api.Tests.Compilation;

/// <summary>Builders for compiler inputs.</summary>
internal static class TestObjects
{
    public static RedisAclUser User(string name, params string[] rules) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new RedisAclUserSpec { ServerRef = new ServerRef { Name = "local" }, Rules = rules.Length == 0 ? null : rules.ToList() },
    };

    public static RedisAclUser WithPassword(this RedisAclUser u, string secret, string key)
    {
        (u.Spec.Passwords ??= []).Add(new PasswordSource { SecretKeyRef = new SecretKeyRef { Name = secret, Key = key } });
        return u;
    }

    public static RedisAclUser In(this RedisAclUser u, string ns)
    {
        u.Metadata.NamespaceProperty = ns;
        return u;
    }

    public static RedisAclUser BoundTo(this RedisAclUser u, string serverNamespace)
    {
        u.Spec.ServerRef!.Namespace = serverNamespace;
        return u;
    }

    public static RedisAcl Acl(string name, params string[] rules) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new RedisAclSpec { Rules = rules.ToList() },
    };

    public static RedisAclServer Server(DefaultUserSpec? defaultUser = null, string? ns = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = "local", NamespaceProperty = ns },
        Spec = new RedisAclServerSpec { DefaultUser = defaultUser },
    };

    public static AclCompileResult Compile(
        IEnumerable<RedisAclUser>? users = null, IEnumerable<RedisAcl>? acls = null, RedisAclServer? server = null, ISecretResolver? secrets = null) =>
        AclCompiler.Compile(new AclCompileRequest
        {
            Users = users?.ToList() ?? [],
            Acls = acls?.ToList() ?? [],
            Server = server,
            Secrets = secrets ?? new TestSecrets(),
        });

    public static string Line(this AclCompileResult r, string user) =>
        r.AclListLines.Single(l => l.StartsWith("user " + user + " ", StringComparison.Ordinal));
}

/// <summary>Secrets from a dictionary; keeps every buffer it handed out, to check that the compiler zeroes them.</summary>
internal sealed class TestSecrets : ISecretResolver
{
    private readonly Dictionary<(string Name, string Key), string> _values = [];

    public List<byte[]> HandedOut { get; } = [];

    public HashSet<string> Unavailable { get; } = [];

    public TestSecrets With(string name, string key, string value)
    {
        _values[(name, key)] = value;
        return this;
    }

    public SecretLookup Resolve(string? objectNamespace, SecretKeyRef reference)
    {
        if (Unavailable.Contains(reference.Name))
        {
            return SecretLookup.Unavailable("API server timeout");
        }

        if (!_values.TryGetValue((reference.Name, reference.Key), out var v))
        {
            return SecretLookup.NotFound();
        }

        var bytes = Encoding.UTF8.GetBytes(v);
        HandedOut.Add(bytes);
        return SecretLookup.Found(bytes);
    }
}
