using System.Collections.Concurrent;
using AclOperator.Server.AclRuntime;

namespace AclOperator.Server.Connections;

/// <summary>The live client connections, by id (CLIENT LIST order is ascending id, as Redis lists them).</summary>
internal sealed class ClientRegistry : IAclClientRegistry
{
    private readonly ConcurrentDictionary<long, ClientConnection> _clients = new();
    private long _lastId;

    public int Count => _clients.Count;

    public long NextId() => Interlocked.Increment(ref _lastId);

    public void Add(ClientConnection c) => _clients[c.Id] = c;

    public void Remove(ClientConnection c) => _clients.TryRemove(c.Id, out _);

    public ClientConnection? Find(long id) => _clients.GetValueOrDefault(id);

    public IReadOnlyList<ClientConnection> All()
    {
        var list = new List<ClientConnection>(_clients.Values);
        list.Sort(static (a, b) => a.Id.CompareTo(b.Id));
        return list;
    }

    public IReadOnlyList<IAclClient> Snapshot() => All();
}
