using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace AclOperator.Operator.Runtime;

/// <summary>
/// Keeps a local cache of one resource in step with the API server, like client-go's reflector + shared informer:
/// a paginated list (resourceVersion "", a consistent read), then a watch from the list's resourceVersion with
/// bookmarks; the last seen resourceVersion (from events and bookmarks) is where a dropped watch resumes, so nothing is
/// missed or replayed. When the server no longer has that point (410 Expired, as an HTTP status or a watch ERROR
/// event) the informer relists with resourceVersion "" (O16) and hands the handlers only the difference to its cache:
/// adds, updates of objects whose resourceVersion changed, and deletes of objects that are gone. Unchanged objects
/// produce no notification, so a relist causes no spurious reconciles. A periodic resync, when enabled, hands every
/// cached object to the handlers again. One list/watch runs per watched namespace (or one for all), sharing a cache.
/// </summary>
public sealed partial class SharedInformer<T> : ISharedInformer
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly KubernetesResourceClient _client;
    private readonly InformerOptions<T> _options;
    private readonly ILogger _logger;
    private readonly Lock _notify = new();
    private readonly List<IResourceEventHandler<T>> _handlers = [];
    private readonly HashSet<string> _syncedScopes = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string[] _scopes;
    private long _lists;
    private long _watches;
    private string _lastResourceVersion = "";

    public SharedInformer(KubernetesResourceClient client, InformerOptions<T> options, ILogger<SharedInformer<T>> logger)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _client = client;
        _options = options;
        _logger = logger;
        _scopes = options.Resource.Namespaced && options.Namespaces.Count > 0 ? [.. options.Namespaces.Distinct(StringComparer.Ordinal)] : [""];
        var scope = _scopes is [""] ? "all namespaces" : string.Join(",", _scopes);
        Name = options.LabelSelector is { Length: > 0 } selector ? $"{options.Resource} ({scope}; {selector})" : $"{options.Resource} ({scope})";
    }

    public string Name { get; }

    public ApiResource Resource => _options.Resource;

    public InformerCache<T> Cache { get; } = new();

    public bool HasSynced => _synced.Task.IsCompleted;

    /// <summary>How many lists ran (the first one of each scope included): more than the scopes means relists.</summary>
    public long ListCount => Interlocked.Read(ref _lists);

    /// <summary>How many watches were opened.</summary>
    public long WatchCount => Interlocked.Read(ref _watches);

    /// <summary>The last resourceVersion seen (list, event or bookmark), of any scope.</summary>
    public string LastResourceVersion => Volatile.Read(ref _lastResourceVersion);

    public Task WaitForSyncAsync(CancellationToken cancellationToken) => _synced.Task.WaitAsync(cancellationToken);

    /// <summary>Adds a handler; objects already cached are handed to it as adds first (as client-go does for late handlers).</summary>
    public void AddEventHandler(IResourceEventHandler<T> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        lock (_notify)
        {
            _handlers.Add(handler);
            foreach (var obj in Cache.List())
            {
                Invoke(handler, h => h.OnAdd(obj));
            }
        }
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var loops = _scopes.Select(ns => RunScopeAsync(ns.Length == 0 ? null : ns, cancellationToken)).ToList();
        if (_options.ResyncPeriod > TimeSpan.Zero)
        {
            loops.Add(ResyncLoopAsync(cancellationToken));
        }
        await Task.WhenAll(loops).ConfigureAwait(false);
    }

    private async Task RunScopeAsync(string? ns, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var position = new WatchPosition();
        var delay = _options.MinRetryDelay;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (position.ResourceVersion.Length == 0)
                {
                    position.ResourceVersion = await ListAndReplaceAsync(ns, cancellationToken).ConfigureAwait(false);
                    MarkSynced(ns ?? "");
                }
                var started = Environment.TickCount64;
                await WatchAsync(ns, position, cancellationToken).ConfigureAwait(false);
                if (Environment.TickCount64 - started > 1000)
                {
                    delay = _options.MinRetryDelay;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (KubernetesErrors.IsGone(ex))
            {
                LogExpired(_logger, Name, position.ResourceVersion);
                position.ResourceVersion = "";
            }
#pragma warning disable CA1031 // The loop must survive any failure of one list or watch; it retries with backoff.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                // A broken watch resumes from the last resourceVersion it delivered; a failed list lists again.
                LogRetry(_logger, Name, delay.TotalMilliseconds, ex.Message);
                try
                {
                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));
            }
        }
    }

    /// <summary>Where the watch of one scope resumes: the resourceVersion of the last event or bookmark applied; "" to relist.</summary>
    private sealed class WatchPosition
    {
        public string ResourceVersion { get; set; } = "";
    }

    private async Task<string> ListAndReplaceAsync(string? ns, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _lists);
        var items = new List<T>();
        string listVersion;
        try
        {
            string? next = null;
            do
            {
                var page = await _client.ListAsync<ResourceList<T>>(_options.Resource, ns, new ListRequest
                {
                    LabelSelector = _options.LabelSelector,
                    FieldSelector = _options.FieldSelector,
                    Limit = _options.PageSize,
                    Continue = next,
                    MetadataOnly = _options.MetadataOnly,
                }, cancellationToken).ConfigureAwait(false);
                foreach (var item in page.Items)
                {
                    items.Add(_options.Transform(item));
                }
                next = page.Metadata?.ContinueProperty;
                listVersion = page.Metadata?.ResourceVersion ?? "";
            }
            while (!string.IsNullOrEmpty(next));
        }
        catch (Exception ex) when (KubernetesErrors.IsGone(ex))
        {
            // The continue token expired between pages: one unpaginated list, as client-go's pager falls back to.
            items.Clear();
            var all = await _client.ListAsync<ResourceList<T>>(_options.Resource, ns, new ListRequest
            {
                LabelSelector = _options.LabelSelector,
                FieldSelector = _options.FieldSelector,
                MetadataOnly = _options.MetadataOnly,
            }, cancellationToken).ConfigureAwait(false);
            foreach (var item in all.Items)
            {
                items.Add(_options.Transform(item));
            }
            listVersion = all.Metadata?.ResourceVersion ?? "";
        }
        Replace(ns, items);
        Volatile.Write(ref _lastResourceVersion, listVersion);
        LogListed(_logger, Name, ns ?? "", items.Count, listVersion);
        return listVersion;
    }

    /// <summary>Makes the cache (within one scope) equal to a fresh list and notifies only the differences.</summary>
    private void Replace(string? ns, List<T> items)
    {
        lock (_notify)
        {
            var seen = new HashSet<ObjectKey>(items.Count);
            foreach (var obj in items)
            {
                var key = ObjectKey.Of(obj);
                seen.Add(key);
                var old = Cache.Get(key);
                if (old is null)
                {
                    Cache.Upsert(obj);
                    Notify(h => h.OnAdd(obj));
                }
                else if (!string.Equals(old.Metadata.ResourceVersion, obj.Metadata.ResourceVersion, StringComparison.Ordinal))
                {
                    Cache.Upsert(obj);
                    Notify(h => h.OnUpdate(old, obj));
                }
            }
            foreach (var key in Cache.Keys())
            {
                if ((ns is null || string.Equals(key.Namespace, ns, StringComparison.Ordinal)) && !seen.Contains(key) && Cache.Remove(key) is { } gone)
                {
                    Notify(h => h.OnDelete(gone));
                }
            }
        }
    }

    /// <summary>Watches from the position and moves it with every event and bookmark; sets it to "" when a relist is needed.</summary>
    private async Task WatchAsync(string? ns, WatchPosition position, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _watches);
        var request = new ListRequest
        {
            LabelSelector = _options.LabelSelector,
            FieldSelector = _options.FieldSelector,
            ResourceVersion = position.ResourceVersion,
            AllowWatchBookmarks = true,
            WatchTimeout = _options.WatchTimeout * (1 + Random.Shared.NextDouble()),
            MetadataOnly = _options.MetadataOnly,
        };
        await foreach (var evt in _client.WatchAsync<T>(_options.Resource, ns, request, cancellationToken).ConfigureAwait(false))
        {
            switch (evt.Type)
            {
                case WatchEventType.Added:
                case WatchEventType.Modified:
                    Apply(_options.Transform(evt.Object!));
                    position.ResourceVersion = evt.Object!.Metadata.ResourceVersion;
                    break;
                case WatchEventType.Deleted:
                    Delete(_options.Transform(evt.Object!));
                    position.ResourceVersion = evt.Object!.Metadata.ResourceVersion;
                    break;
                case WatchEventType.Bookmark:
                    if (evt.Object?.Metadata?.ResourceVersion is { Length: > 0 } bookmark)
                    {
                        position.ResourceVersion = bookmark;
                    }
                    break;
                case WatchEventType.Error when evt.Status?.Code == 410:
                    LogExpired(_logger, Name, position.ResourceVersion);
                    position.ResourceVersion = "";
                    return;
                default:
                    throw new InvalidOperationException($"watch error: {evt.Status?.Code} {evt.Status?.Reason} {evt.Status?.Message}");
            }
            Volatile.Write(ref _lastResourceVersion, position.ResourceVersion);
        }
    }

    private void Apply(T obj)
    {
        lock (_notify)
        {
            var old = Cache.Get(ObjectKey.Of(obj));
            if (old is not null && string.Equals(old.Metadata.ResourceVersion, obj.Metadata.ResourceVersion, StringComparison.Ordinal))
            {
                return;
            }
            Cache.Upsert(obj);
            if (old is null)
            {
                Notify(h => h.OnAdd(obj));
            }
            else
            {
                Notify(h => h.OnUpdate(old, obj));
            }
        }
    }

    private void Delete(T obj)
    {
        lock (_notify)
        {
            if (Cache.Remove(ObjectKey.Of(obj)) is not null)
            {
                Notify(h => h.OnDelete(obj));
            }
        }
    }

    private async Task ResyncLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_options.ResyncPeriod);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!HasSynced)
                {
                    continue;
                }
                lock (_notify)
                {
                    foreach (var obj in Cache.List())
                    {
                        Notify(h => h.OnUpdate(obj, obj));
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void MarkSynced(string scope)
    {
        lock (_syncedScopes)
        {
            _syncedScopes.Add(scope);
            if (_syncedScopes.Count == _scopes.Length)
            {
                _synced.TrySetResult();
            }
        }
    }

    private void Notify(Action<IResourceEventHandler<T>> call)
    {
        foreach (var handler in _handlers)
        {
            Invoke(handler, call);
        }
    }

    private void Invoke(IResourceEventHandler<T> handler, Action<IResourceEventHandler<T>> call)
    {
        try
        {
            call(handler);
        }
#pragma warning disable CA1031 // A failing handler must not stop the informer or the other handlers.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogHandlerFailed(_logger, ex, Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Listed {Informer} namespace '{Namespace}': {Count} objects at resourceVersion {ResourceVersion}")]
    private static partial void LogListed(ILogger logger, string informer, string @namespace, int count, string resourceVersion);

    [LoggerMessage(Level = LogLevel.Information, Message = "Watch of {Informer} expired at resourceVersion {ResourceVersion} (410); relisting")]
    private static partial void LogExpired(ILogger logger, string informer, string resourceVersion);

    [LoggerMessage(Level = LogLevel.Warning, Message = "List/watch of {Informer} failed; retrying in {DelayMs} ms: {Reason}")]
    private static partial void LogRetry(ILogger logger, string informer, double delayMs, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "An event handler of {Informer} failed")]
    private static partial void LogHandlerFailed(ILogger logger, Exception exception, string informer);
}
