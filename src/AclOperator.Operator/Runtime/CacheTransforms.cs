using k8s;
using k8s.Models;

namespace AclOperator.Operator.Runtime;

/// <summary>
/// Transforms applied to objects before an informer caches them (O3): managedFields are dropped everywhere (they are
/// often larger than the object and nothing in the operator reads them); Secrets keep no data.
/// </summary>
public static class CacheTransforms
{
    /// <summary>kubectl's client-side apply keeps the whole applied object here, Secret data included.</summary>
    public const string LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

    public static T StripManagedFields<T>(T obj)
        where T : IMetadata<V1ObjectMeta>
    {
        if (obj?.Metadata is { } meta)
        {
            meta.ManagedFields = null;
        }
        return obj!;
    }

    /// <summary>For metadata-only Secrets: no managedFields and no last-applied annotation (it may hold the data).</summary>
    public static T StripSecretMetadata<T>(T obj)
        where T : IMetadata<V1ObjectMeta>
    {
        StripManagedFields(obj);
        if (obj?.Metadata?.Annotations is { } annotations)
        {
            annotations.Remove(LastAppliedAnnotation);
            if (annotations.Count == 0)
            {
                obj.Metadata.Annotations = null;
            }
        }
        return obj!;
    }

    /// <summary>For full Secret informers (where metadata-only is not possible): the data is dropped before caching.</summary>
    public static V1Secret StripSecretData(V1Secret secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        StripSecretMetadata(secret);
        secret.Data = null;
        secret.StringData = null;
        return secret;
    }
}
