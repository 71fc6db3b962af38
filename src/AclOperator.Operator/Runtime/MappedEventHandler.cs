namespace AclOperator.Operator.Runtime;

/// <summary>
/// Enqueues the keys a function maps an object to (controller-runtime's EnqueueRequestsFromMapFunc), e.g. a Secret to
/// the users that reference it, found through an informer index. Updates map both the old and the new state. With an
/// update filter (controller-runtime's predicates, e.g. GenerationChangedPredicate) an update maps only when
/// <c>relevant(old, new)</c>, so a controller's own status writes do not wake it again; adds and deletes always map.
/// </summary>
public sealed class MappedEventHandler<T> : IResourceEventHandler<T>
{
    private readonly Func<T, IEnumerable<ObjectKey>> _map;
    private readonly Func<T, T, bool>? _relevant;
    private readonly Action<ObjectKey> _enqueue;

    public MappedEventHandler(Func<T, IEnumerable<ObjectKey>> map, Action<ObjectKey> enqueue)
        : this(map, null, enqueue)
    {
    }

    public MappedEventHandler(Func<T, IEnumerable<ObjectKey>> map, Func<T, T, bool>? relevant, Action<ObjectKey> enqueue)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(enqueue);
        _map = map;
        _relevant = relevant;
        _enqueue = enqueue;
    }

    public void OnAdd(T obj) => Enqueue(obj);

    public void OnUpdate(T oldObj, T newObj)
    {
        if (_relevant is not null && !_relevant(oldObj, newObj))
        {
            return;
        }

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
