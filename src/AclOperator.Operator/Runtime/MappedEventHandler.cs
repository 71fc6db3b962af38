namespace AclOperator.Operator.Runtime;

/// <summary>
/// Enqueues the keys a function maps an object to (controller-runtime's EnqueueRequestsFromMapFunc), e.g. a Secret to
/// the users that reference it, found through an informer index. Updates map both the old and the new state.
/// </summary>
public sealed class MappedEventHandler<T> : IResourceEventHandler<T>
{
    private readonly Func<T, IEnumerable<ObjectKey>> _map;
    private readonly Action<ObjectKey> _enqueue;

    public MappedEventHandler(Func<T, IEnumerable<ObjectKey>> map, Action<ObjectKey> enqueue)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(enqueue);
        _map = map;
        _enqueue = enqueue;
    }

    public void OnAdd(T obj) => Enqueue(obj);

    public void OnUpdate(T oldObj, T newObj)
    {
        Enqueue(oldObj);
        Enqueue(newObj);
    }

    public void OnDelete(T obj) => Enqueue(obj);

    private void Enqueue(T obj)
    {
        foreach (var key in _map(obj))
        {
            _enqueue(key);
        }
    }
}
