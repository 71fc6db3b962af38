using k8s;
using k8s.Models;

namespace AclOperator.Operator.Runtime;

/// <summary>
/// The namespace and name of an object (controller-runtime's <c>reconcile.Request</c> / <c>types.NamespacedName</c>):
/// what the work queue holds and the informer cache is keyed by. Cluster-scoped objects have an empty namespace.
/// </summary>
public readonly record struct ObjectKey(string Namespace, string Name)
{
    public static ObjectKey Of(IMetadata<V1ObjectMeta> obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return new ObjectKey(obj.Metadata?.NamespaceProperty ?? "", obj.Metadata?.Name ?? "");
    }

    /// <summary><c>namespace/name</c>, or <c>name</c> for cluster-scoped objects (client-go's MetaNamespaceKeyFunc).</summary>
    public override string ToString() => Namespace.Length == 0 ? Name : Namespace + "/" + Name;
}
