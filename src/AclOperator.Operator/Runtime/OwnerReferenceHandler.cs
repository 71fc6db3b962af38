using k8s;
using k8s.Models;

namespace AclOperator.Operator.Runtime;

/// <summary>
/// Turns events of owned objects (ConfigMaps, Secrets, StatefulSets, Services a controller created) into the key of
/// their owner (controller-runtime's EnqueueRequestForOwner with OnlyControllerOwner): every controller owner reference
/// to the owner's kind and group enqueues <c>namespace/ownerName</c>. An update enqueues the owners of the old and the
/// new state, so an owner that lost a child hears of it too. Owner references never cross namespaces (O10).
/// </summary>
public sealed class OwnerReferenceHandler<TOwned> : IResourceEventHandler<TOwned>
    where TOwned : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly ApiResource _owner;
    private readonly Action<ObjectKey> _enqueue;

    public OwnerReferenceHandler(ApiResource owner, Action<ObjectKey> enqueue)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(enqueue);
        _owner = owner;
        _enqueue = enqueue;
    }

    public void OnAdd(TOwned obj) => EnqueueOwners(obj);

    public void OnUpdate(TOwned oldObj, TOwned newObj)
    {
        EnqueueOwners(oldObj);
        EnqueueOwners(newObj);
    }

    public void OnDelete(TOwned obj) => EnqueueOwners(obj);

    /// <summary>The owner keys an object maps to (also usable as an informer index function).</summary>
    public IEnumerable<ObjectKey> OwnersOf(TOwned obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        if (obj.Metadata?.OwnerReferences is not { } refs)
        {
            yield break;
        }
        foreach (var r in refs)
        {
            if (KubernetesObjects.IsControllerReferenceTo(r, _owner))
            {
                yield return new ObjectKey(_owner.Namespaced ? obj.Metadata.NamespaceProperty ?? "" : "", r.Name);
            }
        }
    }

    private void EnqueueOwners(TOwned obj)
    {
        foreach (var key in OwnersOf(obj))
        {
            _enqueue(key);
        }
    }
}
