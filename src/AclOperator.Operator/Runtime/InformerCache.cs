using k8s;
using k8s.Models;

namespace AclOperator.Operator.Runtime;

/// <summary>
/// The local store of an informer with secondary indexes (client-go's thread-safe Indexer). Keys are
/// <see cref="ObjectKey"/>s; every object is indexed by namespace, and further indexes map an object to any number
/// of values (its owners, the Secrets it references, ...). Cached objects are shared: never change one, copy it first
/// (<see cref="KubernetesObjects.DeepCopy{T}"/>).
/// </summary>
public sealed class InformerCache<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    /// <summary>The built-in index: an object's namespace ("" for cluster-scoped objects).</summary>
    public const string NamespaceIndex = "namespace";

    private readonly Lock _gate = new();
    private readonly Dictionary<ObjectKey, T> _items = [];
    private readonly Dictionary<string, Func<T, IEnumerable<string>>> _indexers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, HashSet<ObjectKey>>> _indices = new(StringComparer.Ordinal);

    public InformerCache()
    {
        AddIndex(NamespaceIndex, static o => [o.Metadata?.NamespaceProperty ?? ""]);
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _items.Count;
            }
        }
    }

    /// <summary>Adds an index; existing objects are indexed at once. Adding a name twice replaces the function.</summary>
    public void AddIndex(string name, Func<T, IEnumerable<string>> indexFunc)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(indexFunc);
        lock (_gate)
        {
            _indexers[name] = indexFunc;
            var index = new Dictionary<string, HashSet<ObjectKey>>(StringComparer.Ordinal);
            _indices[name] = index;
            foreach (var (key, obj) in _items)
            {
                foreach (var value in indexFunc(obj))
                {
                    Link(index, value, key);
                }
            }
        }
    }

    public bool HasIndex(string name)
    {
        lock (_gate)
        {
            return _indexers.ContainsKey(name);
        }
    }

    public T? Get(ObjectKey key)
    {
        lock (_gate)
        {
            return _items.GetValueOrDefault(key);
        }
    }

    public T? Get(string ns, string name) => Get(new ObjectKey(ns, name));

    public IReadOnlyList<T> List()
    {
        lock (_gate)
        {
            return [.. _items.Values];
        }
    }

    public IReadOnlyList<ObjectKey> Keys()
    {
        lock (_gate)
        {
            return [.. _items.Keys];
        }
    }

    /// <summary>The objects in one namespace.</summary>
    public IReadOnlyList<T> List(string ns) => ByIndex(NamespaceIndex, ns);

    /// <summary>The objects whose index function returned <paramref name="value"/> for index <paramref name="indexName"/>.</summary>
    public IReadOnlyList<T> ByIndex(string indexName, string value)
    {
        lock (_gate)
        {
            if (!_indices.TryGetValue(indexName, out var index))
            {
                throw new ArgumentException($"no index named '{indexName}'", nameof(indexName));
            }
            if (!index.TryGetValue(value, out var keys))
            {
                return [];
            }
            var result = new List<T>(keys.Count);
            foreach (var key in keys)
            {
                result.Add(_items[key]);
            }
            return result;
        }
    }

    /// <summary>The keys of <see cref="ByIndex"/>.</summary>
    public IReadOnlyList<ObjectKey> KeysByIndex(string indexName, string value)
    {
        lock (_gate)
        {
            if (!_indices.TryGetValue(indexName, out var index))
            {
                throw new ArgumentException($"no index named '{indexName}'", nameof(indexName));
            }
            return index.TryGetValue(value, out var keys) ? [.. keys] : [];
        }
    }

    /// <summary>Stores an object and returns the one it replaced, if any.</summary>
    internal T? Upsert(T obj)
    {
        var key = ObjectKey.Of(obj);
        lock (_gate)
        {
            _items.TryGetValue(key, out var old);
            if (old is not null)
            {
                Unindex(key, old);
            }
            _items[key] = obj;
            foreach (var (name, func) in _indexers)
            {
                var index = _indices[name];
                foreach (var value in func(obj))
                {
                    Link(index, value, key);
                }
            }
            return old;
        }
    }

    /// <summary>Removes an object and returns it, if it was stored.</summary>
    internal T? Remove(ObjectKey key)
    {
        lock (_gate)
        {
            if (!_items.Remove(key, out var old))
            {
                return null;
            }
            Unindex(key, old);
            return old;
        }
    }

    private void Unindex(ObjectKey key, T old)
    {
        foreach (var (name, func) in _indexers)
        {
            var index = _indices[name];
            foreach (var value in func(old))
            {
                if (index.TryGetValue(value, out var set) && set.Remove(key) && set.Count == 0)
                {
                    index.Remove(value);
                }
            }
        }
    }

    private static void Link(Dictionary<string, HashSet<ObjectKey>> index, string value, ObjectKey key)
    {
        if (!index.TryGetValue(value, out var set))
        {
            set = [];
            index[value] = set;
        }
        set.Add(key);
    }
}
