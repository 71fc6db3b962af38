using System.Collections.Concurrent;
using AclOperator.Operator.Runtime;
using k8s;
using k8s.Models;

namespace AclOperator.Operator.Tests.Support;

/// <summary>A reconciler that records its calls (and can fail, requeue or block on demand).</summary>
internal sealed class RecordingReconciler<T> : IReconciler<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly ConcurrentQueue<string> _calls = new();
    private readonly ConcurrentDictionary<ObjectKey, int> _running = new();
    private int _maxConcurrentPerKey;
    private int _failuresLeft;

    /// <summary>Identity of the operator instance, recorded with each call.</summary>
    public string Instance { get; init; } = "";

    /// <summary>"reconcile ns/name rv" and "deleted ns/name".</summary>
    public IReadOnlyList<string> Calls => [.. _calls];

    public int MaxConcurrentPerKey => Volatile.Read(ref _maxConcurrentPerKey);

    public Func<T, ReconcileResult>? Result { get; set; }

    public TimeSpan WorkTime { get; set; }

    public void FailNext(int count) => Volatile.Write(ref _failuresLeft, count);

    public int Count(string prefix) => Calls.Count(c => c.StartsWith(prefix, StringComparison.Ordinal));

    public async Task<ReconcileResult> ReconcileAsync(T entity, CancellationToken cancellationToken)
    {
        var key = ObjectKey.Of(entity);
        var running = _running.AddOrUpdate(key, 1, (_, n) => n + 1);
        try
        {
            var max = Volatile.Read(ref _maxConcurrentPerKey);
            while (running > max && Interlocked.CompareExchange(ref _maxConcurrentPerKey, running, max) != max)
            {
                max = Volatile.Read(ref _maxConcurrentPerKey);
            }
            _calls.Enqueue($"reconcile {key} {entity.Metadata.ResourceVersion}");
            if (WorkTime > TimeSpan.Zero)
            {
                await Task.Delay(WorkTime, cancellationToken);
            }
            if (Interlocked.Decrement(ref _failuresLeft) >= 0)
            {
                throw new InvalidOperationException("injected reconcile failure");
            }
            return Result?.Invoke(entity) ?? ReconcileResult.Done;
        }
        finally
        {
            _running.AddOrUpdate(key, 0, (_, n) => n - 1);
        }
    }

    public Task<ReconcileResult> DeletedAsync(T entity, CancellationToken cancellationToken)
    {
        _calls.Enqueue($"deleted {ObjectKey.Of(entity)}");
        return Task.FromResult(ReconcileResult.Done);
    }
}
