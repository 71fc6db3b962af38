using k8s;
using k8s.Models;

namespace AclOperator.Operator.Runtime;

/// <summary>What one <see cref="SharedInformer{T}"/> lists and watches, and how.</summary>
public sealed class InformerOptions<T>
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    public required ApiResource Resource { get; init; }

    /// <summary>The namespaces to watch, one list/watch each; empty watches all namespaces with one list/watch.</summary>
    public IReadOnlyList<string> Namespaces { get; init; } = [];

    public string? LabelSelector { get; init; }

    public string? FieldSelector { get; init; }

    /// <summary>Ask for PartialObjectMetadata only (<typeparamref name="T"/> is then <see cref="PartialObjectMetadata"/>).</summary>
    public bool MetadataOnly { get; init; }

    /// <summary>How often every cached object is handed to the handlers again (OnUpdate with itself); zero turns it off.</summary>
    public TimeSpan ResyncPeriod { get; init; }

    /// <summary>Applied to every object before it is cached and handed out (client-go's TransformFunc); by default managedFields are dropped.</summary>
    public Func<T, T> Transform { get; init; } = CacheTransforms.StripManagedFields;

    /// <summary>Objects per list page (limit/continue).</summary>
    public int PageSize { get; init; } = 500;

    /// <summary>The server ends each watch after this long times a random factor in [1, 2), as client-go's reflector asks.</summary>
    public TimeSpan WatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>First delay after a failed list or watch; doubles up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan MinRetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);
}
