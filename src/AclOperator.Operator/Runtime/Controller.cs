using System.Diagnostics;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace AclOperator.Operator.Runtime;

/// <summary>
/// One controller (controller-runtime's controller): its informer's events and those of its watched sources put keys
/// into a deduplicating, rate-limited <see cref="WorkQueue{T}"/>; workers take keys and call the reconciler with the
/// object's current cached state (or <see cref="IReconciler{T}.DeletedAsync"/> with the last known state once it is
/// gone). A key is reconciled by one worker at a time; errors and <see cref="ReconcileResult.Requeue"/> retry with
/// per-key exponential backoff, <see cref="ReconcileResult.RequeueAfter"/> reconciles again after a fixed delay.
/// Handlers are attached when the controller starts (once this replica leads), so every cached object is reconciled
/// once at start, as controller-runtime does.
/// </summary>
public sealed partial class Controller<T> : IController, IDisposable
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly IReconciler<T> _reconciler;
    private readonly ControllerOptions _options;
    private readonly OperatorMetrics _metrics;
    private readonly ILogger _logger;
    private readonly FinalizerClient? _finalizerClient;
    private readonly List<IFinalizer<T>> _finalizers = [];
    private readonly List<ISharedInformer> _sources = [];
    private readonly List<Action> _attach = [];
    private readonly Dictionary<ObjectKey, T> _tombstones = [];
    private readonly CancellationTokenSource _abort = new();
    private int _started;

    public Controller(string name, SharedInformer<T> informer, IReconciler<T> reconciler, ControllerOptions options, OperatorMetrics metrics,
        ILogger<Controller<T>> logger, FinalizerClient? finalizerClient = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(informer);
        ArgumentNullException.ThrowIfNull(reconciler);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(logger);
        Name = name;
        Informer = informer;
        _reconciler = reconciler;
        _options = options;
        _metrics = metrics;
        _logger = logger;
        _finalizerClient = finalizerClient;
        Queue = new WorkQueue<ObjectKey>(name, new ItemExponentialFailureRateLimiter<ObjectKey>(options.RetryBaseDelay, options.RetryMaxDelay), metrics.ForQueue(name));
        _sources.Add(informer);
        _attach.Add(() => informer.AddEventHandler(new PrimaryResourceHandler(this)));
    }

    public string Name { get; }

    public SharedInformer<T> Informer { get; }

    public WorkQueue<ObjectKey> Queue { get; }

    /// <summary>Registers a finalizer (requires a <see cref="FinalizerClient"/>).</summary>
    public Controller<T> WithFinalizer(IFinalizer<T> finalizer)
    {
        ArgumentNullException.ThrowIfNull(finalizer);
        if (_finalizerClient is null)
        {
            throw new InvalidOperationException("finalizers need a FinalizerClient");
        }
        _finalizers.Add(finalizer);
        return this;
    }

    /// <summary>Reconciles the owner when an object it controls changes (ConfigMap, Secret, StatefulSet, Service).</summary>
    public Controller<T> Owns<TOwned>(SharedInformer<TOwned> owned)
        where TOwned : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(owned);
        _sources.Add(owned);
        _attach.Add(() => owned.AddEventHandler(new OwnerReferenceHandler<TOwned>(Informer.Resource, Enqueue)));
        return this;
    }

    /// <summary>Reconciles the keys <paramref name="map"/> returns for each event of another informer.</summary>
    public Controller<T> Watches<TOther>(SharedInformer<TOther> other, Func<TOther, IEnumerable<ObjectKey>> map)
        where TOther : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(other);
        ArgumentNullException.ThrowIfNull(map);
        _sources.Add(other);
        _attach.Add(() => other.AddEventHandler(new MappedEventHandler<TOther>(map, Enqueue)));
        return this;
    }

    /// <summary>Attaches a handler of its own (built with this controller's enqueue) to another informer.</summary>
    public Controller<T> Watches<TOther>(SharedInformer<TOther> other, Func<Action<ObjectKey>, IResourceEventHandler<TOther>> handler)
        where TOther : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(other);
        ArgumentNullException.ThrowIfNull(handler);
        _sources.Add(other);
        _attach.Add(() => other.AddEventHandler(handler(Enqueue)));
        return this;
    }

    public void Enqueue(ObjectKey key) => Queue.Add(key);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            throw new InvalidOperationException($"controller {Name} was already started");
        }
        try
        {
            foreach (var source in _sources.Distinct())
            {
                await source.WaitForSyncAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            Queue.ShutDown();
            return;
        }
        foreach (var result in OperatorMetrics.ReconcileResults)
        {
            _metrics.ReconcileTotal.WithLabels(Name, result).IncTo(0);
        }
        _metrics.ReconcileErrors.WithLabels(Name).IncTo(0);
        _metrics.MaxConcurrentReconciles.WithLabels(Name).Set(_options.MaxConcurrentReconciles);
        _metrics.ActiveWorkers.WithLabels(Name).Set(0);
        foreach (var attach in _attach)
        {
            attach();
        }
        LogStarted(_logger, Name, _options.MaxConcurrentReconciles);
        var workers = Enumerable.Range(0, Math.Max(1, _options.MaxConcurrentReconciles)).Select(_ => Task.Run(WorkerAsync, CancellationToken.None)).ToArray();
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        // Drain: workers finish what is queued and running; past the grace period reconciles are cancelled.
        Queue.ShutDown();
        if (!_abort.IsCancellationRequested)
        {
            _abort.CancelAfter(_options.GracefulShutdownTimeout);
        }
        await Task.WhenAll(workers).ConfigureAwait(false);
        await Queue.DisposeAsync().ConfigureAwait(false);
        LogStopped(_logger, Name);
    }

    public void Abort()
    {
        _abort.Cancel();
        Queue.ShutDown();
    }

    public void Dispose() => _abort.Dispose();

    private async Task WorkerAsync()
    {
        while (true)
        {
            var (key, shutdown) = await Queue.GetAsync(CancellationToken.None).ConfigureAwait(false);
            if (shutdown)
            {
                return;
            }
            var active = _metrics.ActiveWorkers.WithLabels(Name);
            active.Inc();
            try
            {
                if (!_abort.IsCancellationRequested)
                {
                    await ReconcileKeyAsync(key, _abort.Token).ConfigureAwait(false);
                }
            }
            finally
            {
                active.Dec();
                Queue.Done(key);
            }
        }
    }

    private async Task ReconcileKeyAsync(ObjectKey key, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        string result;
        try
        {
            ReconcileResult outcome;
            var obj = Informer.Cache.Get(key);
            if (obj is not null)
            {
                lock (_tombstones)
                {
                    _tombstones.Remove(key);
                }
                outcome = await ReconcileObjectAsync(obj, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                T? last;
                lock (_tombstones)
                {
                    _tombstones.TryGetValue(key, out last);
                }
                if (last is null)
                {
                    // Neither cached nor known deleted (an owner key whose owner never existed here): nothing to do.
                    Queue.Forget(key);
                    return;
                }
                outcome = await _reconciler.DeletedAsync(last, cancellationToken).ConfigureAwait(false);
                lock (_tombstones)
                {
                    if (_tombstones.TryGetValue(key, out var current) && ReferenceEquals(current, last))
                    {
                        _tombstones.Remove(key);
                    }
                }
            }
            if (outcome.RequeueAfter > TimeSpan.Zero)
            {
                Queue.Forget(key);
                Queue.AddAfter(key, outcome.RequeueAfter);
                result = "requeue_after";
            }
            else if (outcome.Requeue)
            {
                Queue.AddRateLimited(key);
                result = "requeue";
            }
            else
            {
                Queue.Forget(key);
                result = "success";
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
#pragma warning disable CA1031 // Any reconcile failure is counted and retried with backoff, as controller-runtime does.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _metrics.ReconcileErrors.WithLabels(Name).Inc();
            LogReconcileFailed(_logger, ex, Name, key.ToString());
            Queue.AddRateLimited(key);
            result = "error";
        }
        _metrics.ReconcileTotal.WithLabels(Name, result).Inc();
        _metrics.ReconcileTime.WithLabels(Name).Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    private async Task<ReconcileResult> ReconcileObjectAsync(T obj, CancellationToken cancellationToken)
    {
        if (_finalizers.Count > 0 && _finalizerClient is not null)
        {
            if (obj.Metadata.DeletionTimestamp is not null)
            {
                var current = obj;
                foreach (var finalizer in _finalizers)
                {
                    if (current.Metadata.Finalizers?.Contains(finalizer.Name) == true)
                    {
                        await finalizer.FinalizeAsync(current, cancellationToken).ConfigureAwait(false);
                        current = await _finalizerClient.RemoveAsync(Informer.Resource, current, finalizer.Name, cancellationToken).ConfigureAwait(false);
                    }
                }
                return ReconcileResult.Done;
            }
            foreach (var finalizer in _finalizers)
            {
                obj = await _finalizerClient.AddAsync(Informer.Resource, obj, finalizer.Name, cancellationToken).ConfigureAwait(false);
            }
        }
        return await _reconciler.ReconcileAsync(obj, cancellationToken).ConfigureAwait(false);
    }

    private void Remember(T deleted)
    {
        lock (_tombstones)
        {
            _tombstones[ObjectKey.Of(deleted)] = deleted;
        }
    }

    /// <summary>controller-runtime's EnqueueRequestForObject, plus the last state of deleted objects for DeletedAsync.</summary>
    private sealed class PrimaryResourceHandler(Controller<T> controller) : IResourceEventHandler<T>
    {
        public void OnAdd(T obj) => controller.Enqueue(ObjectKey.Of(obj));

        public void OnUpdate(T oldObj, T newObj) => controller.Enqueue(ObjectKey.Of(newObj));

        public void OnDelete(T obj)
        {
            controller.Remember(obj);
            controller.Enqueue(ObjectKey.Of(obj));
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Controller {Controller} started with {Workers} workers")]
    private static partial void LogStarted(ILogger logger, string controller, int workers);

    [LoggerMessage(Level = LogLevel.Information, Message = "Controller {Controller} stopped")]
    private static partial void LogStopped(ILogger logger, string controller);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reconciler error in {Controller} for {Key}")]
    private static partial void LogReconcileFailed(ILogger logger, Exception exception, string controller, string key);
}
