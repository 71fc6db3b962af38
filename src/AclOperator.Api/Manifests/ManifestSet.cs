using AclOperator.Acl;
using System.Text;
using AclOperator.Api.Compilation;
using AclOperator.Api.V1Alpha1;
using k8s.Models;

namespace AclOperator.Api.Manifests;

/// <summary>
/// The objects of a set of manifest files (a local-mode folder, or the files given to <c>aclctl</c>): what to
/// compile, the Secrets that may resolve secretKeyRefs, and the file and line of every diagnostic.
/// </summary>
public sealed class ManifestSet
{
    private readonly List<ManifestDocument> _documents = [];
    private readonly Dictionary<ObjectRef, ManifestDocument> _byRef = [];
    private readonly List<ManifestError> _errors = [];

    /// <summary>Problems found while reading (YAML, schema, duplicate objects, more than one server).</summary>
    public IReadOnlyList<ManifestError> Errors => _errors;

    public IReadOnlyList<ManifestDocument> Documents => _documents;

    public IReadOnlyList<RedisAclUser> Users => Of<RedisAclUser>();

    public IReadOnlyList<RedisAcl> Acls => Of<RedisAcl>();

    /// <summary>The RedisAclServer, if the files hold one (more than one is an error).</summary>
    public RedisAclServer? Server => Of<RedisAclServer>().FirstOrDefault();

    public void Add(ManifestReadResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        _errors.AddRange(result.Errors);
        foreach (var doc in result.Documents)
        {
            if (_byRef.TryGetValue(doc.Ref, out var first))
            {
                _errors.Add(new ManifestError(doc.File, doc.Line, $"{doc.Ref} is already defined at {first.File}:{first.Line}"));
                continue;
            }

            if (doc.Object is RedisAclServer && Server is { } server)
            {
                var at = _byRef[ObjectRef.Of(server)];
                _errors.Add(new ManifestError(doc.File, doc.Line, $"only one RedisAclServer may be defined (the first is at {at.File}:{at.Line})"));
                continue;
            }

            _byRef[doc.Ref] = doc;
            _documents.Add(doc);
        }
    }

    /// <summary>
    /// Compiles these objects unless the files already have errors: every problem as <c>file:line: message</c> (schema
    /// errors first, else the compiler's diagnostics located in the files), and the result when it was compiled.
    /// </summary>
    public (List<string> Errors, AclCompileResult? Compiled) Compile(ISecretResolver secrets, AclOptions options)
    {
        var errors = Errors.Select(e => e.ToString()).ToList();
        if (errors.Count > 0)
        {
            return (errors, null);
        }

        var compiled = AclCompiler.Compile(ToRequest(secrets, options));
        errors.AddRange(compiled.Diagnostics.Select(d => Locate(d).ToString()));
        return (errors, compiled);
    }

    /// <summary>The request that compiles these objects.</summary>
    public AclCompileRequest ToRequest(ISecretResolver secrets, AclOptions options) => new()
    {
        Server = Server,
        Acls = Acls,
        Users = Users,
        Secrets = secrets,
        Options = options,
    };

    /// <summary>
    /// A copy of a Secret's value from the files (<c>stringData</c> wins over <c>data</c>, as the API server merges
    /// them), or null. Namespaces compare as written (absent = absent).
    /// </summary>
    public byte[]? SecretValue(string? objectNamespace, string name, string key)
    {
        var secret = Of<V1Secret>().FirstOrDefault(s =>
            s.Metadata.Name == name && ObjectRef.NullIfEmpty(s.Metadata.NamespaceProperty) == ObjectRef.NullIfEmpty(objectNamespace));
        if (secret is null)
        {
            return null;
        }

        if (secret.StringData?.TryGetValue(key, out var text) == true && text is not null)
        {
            return Encoding.UTF8.GetBytes(text);
        }

        return secret.Data?.TryGetValue(key, out var bytes) == true && bytes is not null ? [.. bytes] : null;
    }

    /// <summary>True when a Secret of that name is defined in the files (a missing key is then authoritative).</summary>
    public bool HasSecret(string? objectNamespace, string name) => Of<V1Secret>().Any(s =>
        s.Metadata.Name == name && ObjectRef.NullIfEmpty(s.Metadata.NamespaceProperty) == ObjectRef.NullIfEmpty(objectNamespace));

    /// <summary>The diagnostic as <c>file:line: message</c> (the line of its field when the files show it).</summary>
    public ManifestError Locate(AclDiagnostic diagnostic)
    {
        ArgumentNullException.ThrowIfNull(diagnostic);
        return _byRef.TryGetValue(diagnostic.Subject, out var doc)
            ? new ManifestError(doc.File, doc.LineOf(diagnostic.FieldPath), diagnostic.Message)
            : new ManifestError(diagnostic.Subject.ToString(), 0, diagnostic.Message);
    }

    private List<T> Of<T>() => _documents.Select(d => d.Object).OfType<T>().ToList();
}
