using k8s;
using k8s.Models;

namespace AclOperator.Api.Compilation;

/// <summary>Identifies one object of a compilation: kind, namespace (null or empty = the server's) and name.</summary>
public sealed record ObjectRef(string Kind, string? Namespace, string Name)
{
    public static ObjectRef Of(IKubernetesObject<V1ObjectMeta> obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return new ObjectRef(obj.Kind, NullIfEmpty(obj.Metadata?.NamespaceProperty), obj.Metadata?.Name ?? "");
    }

    /// <summary><c>RedisAclUser alice</c> or <c>RedisAclUser team-a/alice</c>.</summary>
    public override string ToString() => Namespace is null ? $"{Kind} {Name}" : $"{Kind} {Namespace}/{Name}";

    internal static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;
}
