namespace AclOperator.Operator.Runtime;

/// <summary>
/// <see cref="MappedEventHandler{T}"/> with an update filter (controller-runtime's predicates, e.g.
/// GenerationChangedPredicate): adds and deletes always map; an update maps only when <c>relevant(old, new)</c>, so a
/// controller's own status writes do not wake it again.
/// </summary>
public sealed class FilteredMappedEventHandler<T> : IResourceEventHandler<T>
{
    private readonly Func<T, IEnumerable<ObjectKey>> _map;
    private readonly Func<T, T, bool> _relevant;
    private readonly Action<ObjectKey> _enqueue;

    public FilteredMappedEventHandler(Func<T, IEnumerable<ObjectKey>> map, Func<T, T, bool> relevant, Action<ObjectKey> enqueue)
    {
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(relevant);
        ArgumentNullException.ThrowIfNull(enqueue);
        _map = map;
        _relevant = relevant;
        _enqueue = enqueue;
    }

    public void OnAdd(T obj) => Enqueue(obj);

    public void OnUpdate(T oldObj, T newObj)
    {
        if (!_relevant(oldObj, newObj))
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
