namespace AclOperator.Operator.Runtime;

/// <summary>
/// Receives an informer's notifications (client-go's ResourceEventHandler). Called on the informer's loop after its
/// cache was updated, so a handler must be quick (enqueue a key) and must not change the objects it is given.
/// A periodic resync calls <see cref="OnUpdate"/> with the same object twice.
/// </summary>
public interface IResourceEventHandler<in T>
{
    void OnAdd(T obj);

    void OnUpdate(T oldObj, T newObj);

    /// <summary>The last state the informer knew; after a relist found an object gone this may be older than the deletion.</summary>
    void OnDelete(T obj);
}
