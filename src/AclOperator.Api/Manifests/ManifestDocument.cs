using AclOperator.Api.Compilation;
using k8s;
using k8s.Models;

namespace AclOperator.Api.Manifests;

/// <summary>One object read from a manifest file, with the line of each of its fields.</summary>
public sealed class ManifestDocument
{
    private readonly IReadOnlyDictionary<string, int> _lines;

    internal ManifestDocument(string file, int line, IKubernetesObject<V1ObjectMeta> obj, IReadOnlyDictionary<string, int> lines)
    {
        File = file;
        Line = line;
        Object = obj;
        Ref = ObjectRef.Of(obj);
        _lines = lines;
    }

    public string File { get; }

    /// <summary>The line the document starts on.</summary>
    public int Line { get; }

    /// <summary>A <c>RedisAclUser</c>, <c>RedisAcl</c>, <c>RedisAclServer</c> or <c>V1Secret</c>.</summary>
    public IKubernetesObject<V1ObjectMeta> Object { get; }

    public ObjectRef Ref { get; }

    /// <summary>
    /// The line of <paramref name="fieldPath"/> (<c>spec.rules[2]</c>), or of its nearest present parent, or of the
    /// document.
    /// </summary>
    public int LineOf(string? fieldPath)
    {
        var path = fieldPath;
        while (!string.IsNullOrEmpty(path))
        {
            if (_lines.TryGetValue(path, out int line))
            {
                return line;
            }

            int cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
            path = cut <= 0 ? null : path[..cut];
        }

        return Line;
    }
}
