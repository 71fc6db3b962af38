using System.Collections.Concurrent;
using AclOperator.Operator.Runtime;
using k8s;
using k8s.Models;

namespace AclOperator.Operator.Tests.Support;

/// <summary>Records informer notifications as "add ns/name rv", "update ns/name oldRv->newRv", "delete ns/name".</summary>
internal sealed class RecordingHandler<T> : IResourceEventHandler<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly ConcurrentQueue<string> _events = new();

    public IReadOnlyList<string> Events => [.. _events];

    public void Clear() => _events.Clear();

    public void OnAdd(T obj) => _events.Enqueue($"add {ObjectKey.Of(obj)} {obj.Metadata.ResourceVersion}");

    public void OnUpdate(T oldObj, T newObj) =>
        _events.Enqueue($"update {ObjectKey.Of(newObj)} {oldObj.Metadata.ResourceVersion}->{newObj.Metadata.ResourceVersion}");

    public void OnDelete(T obj) => _events.Enqueue($"delete {ObjectKey.Of(obj)}");
}
