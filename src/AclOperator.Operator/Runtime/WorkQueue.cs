using System.Diagnostics;

namespace AclOperator.Operator.Runtime;

/// <summary>
/// client-go's rate-limited work queue. Deduplicating: an item added while it waits is queued once. Per-item
/// serialised: an item a worker holds is never handed to a second worker; adds meanwhile mark it dirty and it is queued
/// again, once, when the worker calls <see cref="Done"/>. Delayed adds (<see cref="AddAfter"/>) and per-item exponential
/// backoff (<see cref="AddRateLimited"/>). <see cref="ShutDown"/> refuses new adds (delayed ones are dropped) while
/// workers drain what is queued; <see cref="ShutDownWithDrainAsync"/> also waits for items in progress.
/// </summary>
public sealed class WorkQueue<T> : IAsyncDisposable
    where T : notnull
{
    private readonly Lock _gate = new();
    private readonly Queue<T> _queue = new();
    private readonly HashSet<T> _dirty = [];
    private readonly HashSet<T> _processing = [];
    private readonly Dictionary<T, long> _addedAt = [];
    private readonly Dictionary<T, long> _startedAt = [];
    private readonly List<TaskCompletionSource> _waiters = [];
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly PriorityQueue<T, long> _delayed = new();
    private readonly Dictionary<T, long> _readyAt = [];
    private readonly SemaphoreSlim _delayedChanged = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly IRateLimiter<T> _rateLimiter;
    private readonly IWorkQueueMetrics? _metrics;
    private readonly Task _delayLoop;
    private bool _shuttingDown;

    public WorkQueue(string name, IRateLimiter<T> rateLimiter, IWorkQueueMetrics? metrics = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(rateLimiter);
        Name = name;
        _rateLimiter = rateLimiter;
        _metrics = metrics;
        _delayLoop = Task.Run(DelayLoopAsync);
    }

    public string Name { get; }

    /// <summary>Items queued and not yet taken by a worker (the depth metric).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Items waiting for their delay (<see cref="AddAfter"/>, <see cref="AddRateLimited"/>).</summary>
    public int DelayedCount
    {
        get
        {
            lock (_gate)
            {
                return _readyAt.Count;
            }
        }
    }

    public bool IsShuttingDown
    {
        get
        {
            lock (_gate)
            {
                return _shuttingDown;
            }
        }
    }

    public void Add(T item)
    {
        TaskCompletionSource[]? wake;
        lock (_gate)
        {
            if (_shuttingDown || !_dirty.Add(item))
            {
                return;
            }
            _metrics?.Added();
            _addedAt.TryAdd(item, Stopwatch.GetTimestamp());
            if (_processing.Contains(item))
            {
                return;
            }
            _queue.Enqueue(item);
            _metrics?.DepthChanged(_queue.Count);
            wake = TakeWaiters();
        }
        Wake(wake);
    }

    /// <summary>Adds the item once <paramref name="delay"/> has passed; an earlier pending time for the same item wins.</summary>
    public void AddAfter(T item, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Add(item);
            return;
        }
        lock (_gate)
        {
            if (_shuttingDown)
            {
                return;
            }
            var ready = Stopwatch.GetTimestamp() + (long)(delay.TotalSeconds * Stopwatch.Frequency);
            if (_readyAt.TryGetValue(item, out var existing) && existing <= ready)
            {
                return;
            }
            _readyAt[item] = ready;
            _delayed.Enqueue(item, ready);
        }
        if (_delayedChanged.CurrentCount == 0)
        {
            _delayedChanged.Release();
        }
    }

    /// <summary>Adds the item after its rate limiter's backoff (a retry).</summary>
    public void AddRateLimited(T item)
    {
        _metrics?.Retried();
        AddAfter(item, _rateLimiter.When(item));
    }

    /// <summary>Forgets the item's failures: its next <see cref="AddRateLimited"/> waits the base delay again.</summary>
    public void Forget(T item) => _rateLimiter.Forget(item);

    public int NumRequeues(T item) => _rateLimiter.NumRequeues(item);

    /// <summary>Waits for an item; returns shutdown = true once the queue is shut down and empty.</summary>
    public async Task<(T Item, bool Shutdown)> GetAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TaskCompletionSource waiter;
            lock (_gate)
            {
                if (_queue.TryDequeue(out var item))
                {
                    _metrics?.DepthChanged(_queue.Count);
                    _dirty.Remove(item);
                    _processing.Add(item);
                    var now = Stopwatch.GetTimestamp();
                    if (_addedAt.Remove(item, out var added))
                    {
                        _metrics?.QueueDuration(Stopwatch.GetElapsedTime(added, now));
                    }
                    _startedAt[item] = now;
                    return (item, false);
                }
                if (_shuttingDown)
                {
                    return (default!, true);
                }
                waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add(waiter);
            }
            try
            {
                await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                lock (_gate)
                {
                    _waiters.Remove(waiter);
                }
                throw;
            }
        }
    }

    /// <summary>Marks the item processed; if it was added meanwhile it is queued again now.</summary>
    public void Done(T item)
    {
        TaskCompletionSource[]? wake = null;
        var drained = false;
        lock (_gate)
        {
            if (!_processing.Remove(item))
            {
                return;
            }
            if (_startedAt.Remove(item, out var started))
            {
                _metrics?.WorkDuration(Stopwatch.GetElapsedTime(started));
            }
            if (_dirty.Contains(item))
            {
                _queue.Enqueue(item);
                _metrics?.DepthChanged(_queue.Count);
                wake = TakeWaiters();
            }
            drained = IsDrained();
        }
        Wake(wake);
        if (drained)
        {
            _drained.TrySetResult();
        }
    }

    /// <summary>Stops accepting items; workers still get what is queued, then shutdown.</summary>
    public void ShutDown()
    {
        TaskCompletionSource[]? wake;
        var drained = false;
        lock (_gate)
        {
            if (_shuttingDown)
            {
                return;
            }
            _shuttingDown = true;
            _delayed.Clear();
            _readyAt.Clear();
            wake = TakeWaiters();
            drained = IsDrained();
        }
        _stop.Cancel();
        Wake(wake);
        if (drained)
        {
            _drained.TrySetResult();
        }
    }

    /// <summary><see cref="ShutDown"/>, then waits until the queue is empty and no item is in progress.</summary>
    public async Task ShutDownWithDrainAsync(CancellationToken cancellationToken)
    {
        ShutDown();
        await _drained.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private bool IsDrained() => _shuttingDown && _queue.Count == 0 && _processing.Count == 0;

    private TaskCompletionSource[]? TakeWaiters()
    {
        if (_waiters.Count == 0)
        {
            return null;
        }
        var all = _waiters.ToArray();
        _waiters.Clear();
        return all;
    }

    private static void Wake(TaskCompletionSource[]? waiters)
    {
        if (waiters is null)
        {
            return;
        }
        foreach (var w in waiters)
        {
            w.TrySetResult();
        }
    }

    private async Task DelayLoopAsync()
    {
        var token = _stop.Token;
        var ready = new List<T>();
        while (!token.IsCancellationRequested)
        {
            TimeSpan wait;
            lock (_gate)
            {
                var now = Stopwatch.GetTimestamp();
                while (_delayed.TryPeek(out var item, out var at))
                {
                    if (!_readyAt.TryGetValue(item, out var current) || current != at)
                    {
                        _delayed.Dequeue(); // superseded by an earlier time
                        continue;
                    }
                    if (at > now)
                    {
                        break;
                    }
                    _delayed.Dequeue();
                    _readyAt.Remove(item);
                    ready.Add(item);
                }
                wait = _delayed.TryPeek(out _, out var next)
                    ? TimeSpan.FromSeconds(Math.Max(0, next - now) / (double)Stopwatch.Frequency) + TimeSpan.FromMilliseconds(1)
                    : Timeout.InfiniteTimeSpan;
            }
            foreach (var item in ready)
            {
                Add(item);
            }
            ready.Clear();
            try
            {
                await _delayedChanged.WaitAsync(wait, token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        ShutDown();
        await _delayLoop.ConfigureAwait(false);
        _stop.Dispose();
        _delayedChanged.Dispose();
    }
}
