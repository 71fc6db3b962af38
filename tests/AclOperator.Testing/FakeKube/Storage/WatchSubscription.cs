using System.Threading.Channels;

namespace AclOperator.Testing.FakeKube.Storage;

/// <summary>A registered watcher of one storage; events and bookmarks are queued in commit order.</summary>
internal sealed class WatchSubscription : IDisposable
{
    private readonly ObjectStore _store;

    public WatchSubscription(ObjectStore store, string storageKey, bool bookmarks)
    {
        _store = store;
        StorageKey = storageKey;
        Bookmarks = bookmarks;
    }

    public string StorageKey { get; }

    public bool Bookmarks { get; }

    public Channel<WatchItem> Queue { get; } = Channel.CreateUnbounded<WatchItem>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Cancelled when the fault injector drops open watches.</summary>
    public CancellationTokenSource Dropped { get; } = new();

    /// <summary>When dropped: abort the connection (network error) rather than end the response cleanly.</summary>
    public bool AbortOnDrop { get; set; }

    public void Dispose()
    {
        _store.Unsubscribe(this);
        Dropped.Dispose();
    }
}

/// <summary>An item for a watcher: a store event, or a bookmark at a revision.</summary>
internal readonly record struct WatchItem(StoreEvent? Event, long BookmarkRevision);
