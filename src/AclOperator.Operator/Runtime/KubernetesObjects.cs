using k8s;
using k8s.Models;

namespace AclOperator.Operator.Runtime;

/// <summary>Small operations on API objects that the runtime and reconcilers share.</summary>
public static class KubernetesObjects
{
    /// <summary>A deep copy (through the API's JSON form), for changing an object taken from an informer cache.</summary>
    public static T DeepCopy<T>(T obj) => KubernetesJson.Deserialize<T>(KubernetesJson.Serialize(obj));

    /// <summary>
    /// True when <paramref name="owner"/> is a controller owner reference (<c>controller: true</c>) of the given kind and
    /// API group, the only kind of reference controller-runtime's EnqueueRequestForOwner follows by default.
    /// </summary>
    public static bool IsControllerReferenceTo(V1OwnerReference owner, ApiResource ownerResource)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(ownerResource);
        return owner.Controller == true &&
            string.Equals(owner.Kind, ownerResource.Kind, StringComparison.Ordinal) &&
            string.Equals(GroupOf(owner.ApiVersion), ownerResource.Group, StringComparison.Ordinal);
    }

    /// <summary>The group of an apiVersion: "" for "v1", "apps" for "apps/v1" (versions may differ between owner and reference).</summary>
    public static string GroupOf(string? apiVersion)
    {
        if (string.IsNullOrEmpty(apiVersion))
        {
            return "";
        }
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? "" : apiVersion[..slash];
    }

    /// <summary>A controller owner reference to <paramref name="owner"/> with blockOwnerDeletion, as controllerutil.SetControllerReference writes it.</summary>
    public static V1OwnerReference ControllerReference(IKubernetesObject<V1ObjectMeta> owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        return new V1OwnerReference
        {
            ApiVersion = owner.ApiVersion,
            Kind = owner.Kind,
            Name = owner.Metadata.Name,
            Uid = owner.Metadata.Uid,
            Controller = true,
            BlockOwnerDeletion = true,
        };
    }
}
