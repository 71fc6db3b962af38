using System.Text.Json.Nodes;
using AclOperator.Testing.FakeKube.Api;
using AclOperator.Testing.FakeKube.Json;

namespace AclOperator.Testing.FakeKube.Storage;

/// <summary>
/// The "etcd" of the fake: objects by storage key and namespace/name, one global revision counter shared by every
/// resource, and a bounded history of changes used for watch replay and for consistent paginated lists. Callers
/// hold <see cref="Gate"/> across read-modify-write sequences (the gate is re-entrant).
/// </summary>
internal sealed class ObjectStore
{
    private readonly Dictionary<string, SortedDictionary<string, JsonObject>> _data = new(StringComparer.Ordinal);
    private readonly LinkedList<StoreEvent> _history = new();
    private readonly List<WatchSubscription> _subscriptions = [];
    private readonly int _historyCapacity;
    private long _revision;
    private long _compacted;

    public ObjectStore(int historyCapacity, long initialRevision)
    {
        _historyCapacity = historyCapacity;
        _revision = initialRevision;
        _compacted = initialRevision;
    }

    public object Gate { get; } = new();

    public long Revision
    {
        get
        {
            lock (Gate)
            {
                return _revision;
            }
        }
    }

    /// <summary>Oldest revision a watch or continue token may start from.</summary>
    public long CompactedRevision
    {
        get
        {
            lock (Gate)
            {
                return _compacted;
            }
        }
    }

    /// <summary>Raised (under the gate) after every commit; controllers use it to wake up.</summary>
    public event Action<StoreEvent>? Committed;

    private static string Key(string ns, string name) => ns + "/" + name;

    private SortedDictionary<string, JsonObject> Bucket(string storageKey)
    {
        if (!_data.TryGetValue(storageKey, out var bucket))
        {
            bucket = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
            _data[storageKey] = bucket;
        }
        return bucket;
    }

    /// <summary>The stored object (not a copy: clone before handing it out or changing it).</summary>
    public JsonObject? Get(string storageKey, string ns, string name)
    {
        lock (Gate)
        {
            return _data.TryGetValue(storageKey, out var b) && b.TryGetValue(Key(ns, name), out var o) ? o : null;
        }
    }

    /// <summary>Stored objects of a storage (optionally one namespace), ordered by namespace/name like etcd keys.</summary>
    public List<(string Key, JsonObject Object)> Scan(string storageKey, string? ns)
    {
        lock (Gate)
        {
            if (!_data.TryGetValue(storageKey, out var b))
            {
                return [];
            }
            var prefix = ns is null ? null : ns + "/";
            return b.Where(kv => prefix is null || kv.Key.StartsWith(prefix, StringComparison.Ordinal))
                .Select(kv => (kv.Key, kv.Value)).ToList();
        }
    }

    public IReadOnlyList<string> StorageKeys()
    {
        lock (Gate)
        {
            return _data.Keys.ToList();
        }
    }

    /// <summary>The objects of a storage as they were at a revision, rebuilt from history; 410 when compacted.</summary>
    public List<(string Key, JsonObject Object)> ScanAt(string storageKey, string? ns, long revision, Func<ApiException> expired)
    {
        lock (Gate)
        {
            if (revision < _compacted)
            {
                throw expired();
            }
            var state = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
            foreach (var (k, o) in Scan(storageKey, null))
            {
                state[k] = o;
            }
            for (var node = _history.Last; node is not null && node.Value.ResourceVersion > revision; node = node.Previous)
            {
                var e = node.Value;
                if (e.StorageKey != storageKey)
                {
                    continue;
                }
                var key = Key(e.Namespace, e.Name);
                if (e.Type == StoreEvent.Added)
                {
                    state.Remove(key);
                }
                else if (e.Previous is not null)
                {
                    state[key] = e.Previous;
                }
            }
            var prefix = ns is null ? null : ns + "/";
            return state.Where(kv => prefix is null || kv.Key.StartsWith(prefix, StringComparison.Ordinal))
                .Select(kv => (kv.Key, kv.Value)).ToList();
        }
    }

    /// <summary>Writes an object (create or update) at a new revision, which is set into its metadata.</summary>
    public StoreEvent Put(string storageKey, string ns, string name, JsonObject obj)
    {
        lock (Gate)
        {
            var bucket = Bucket(storageKey);
            var key = Key(ns, name);
            bucket.TryGetValue(key, out var previous);
            obj = JsonTools.Normalize(obj);
            var rv = ++_revision;
            JsonTools.Metadata(obj)["resourceVersion"] = rv.ToString(System.Globalization.CultureInfo.InvariantCulture);
            bucket[key] = obj;
            var e = new StoreEvent(rv, previous is null ? StoreEvent.Added : StoreEvent.Modified, storageKey, ns, name, obj, previous);
            Record(e);
            return e;
        }
    }

    /// <summary>Removes an object; the DELETED event carries its last state at the new revision.</summary>
    public StoreEvent? Remove(string storageKey, string ns, string name, JsonObject? finalState = null)
    {
        lock (Gate)
        {
            var bucket = Bucket(storageKey);
            var key = Key(ns, name);
            if (!bucket.Remove(key, out var previous))
            {
                return null;
            }
            var rv = ++_revision;
            var final = JsonTools.Normalize(finalState ?? previous);
            JsonTools.Metadata(final)["resourceVersion"] = rv.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var e = new StoreEvent(rv, StoreEvent.Deleted, storageKey, ns, name, final, previous);
            Record(e);
            return e;
        }
    }

    private void Record(StoreEvent e)
    {
        _history.AddLast(e);
        while (_history.Count > _historyCapacity)
        {
            _compacted = _history.First!.Value.ResourceVersion;
            _history.RemoveFirst();
        }
        foreach (var s in _subscriptions)
        {
            if (s.StorageKey == e.StorageKey)
            {
                s.Queue.Writer.TryWrite(new WatchItem(e, 0));
            }
        }
        Committed?.Invoke(e);
    }

    /// <summary>Forgets all history: every earlier revision becomes too old for watches and continue tokens.</summary>
    public void Compact()
    {
        lock (Gate)
        {
            _history.Clear();
            _compacted = _revision;
        }
    }

    /// <summary>
    /// Registers a watcher. With a start revision, the retained events after it are returned for replay
    /// (410 when the revision is older than the retained window); without one, the current objects are.
    /// </summary>
    public (WatchSubscription Subscription, List<StoreEvent> Replay, List<(string Key, JsonObject Object)> Current, long Revision)
        Subscribe(string storageKey, long? from, bool bookmarks, Func<long, long, ApiException> tooOld)
    {
        lock (Gate)
        {
            var replay = new List<StoreEvent>();
            var current = new List<(string, JsonObject)>();
            if (from is long rv)
            {
                if (rv < _compacted)
                {
                    throw tooOld(rv, _compacted + 1);
                }
                replay.AddRange(_history.Where(e => e.ResourceVersion > rv && e.StorageKey == storageKey));
            }
            else
            {
                current = Scan(storageKey, null);
            }
            var sub = new WatchSubscription(this, storageKey, bookmarks);
            _subscriptions.Add(sub);
            return (sub, replay, current, _revision);
        }
    }

    public void Unsubscribe(WatchSubscription subscription)
    {
        lock (Gate)
        {
            _subscriptions.Remove(subscription);
        }
    }

    public IReadOnlyList<WatchSubscription> Subscriptions()
    {
        lock (Gate)
        {
            return _subscriptions.ToList();
        }
    }

    /// <summary>Queues a bookmark at the current revision for every watcher that asked for bookmarks.</summary>
    public void Bookmark()
    {
        lock (Gate)
        {
            foreach (var s in _subscriptions)
            {
                if (s.Bookmarks)
                {
                    s.Queue.Writer.TryWrite(new WatchItem(null, _revision));
                }
            }
        }
    }
}
