using k8s;
using k8s.Models;

namespace AclOperator.Operator.Runtime;

/// <summary>The event publisher reconcilers get (KubeOps's EventPublisher, client-go's EventRecorder).</summary>
public interface IEventRecorder
{
    /// <summary>
    /// Records an event about <paramref name="regarding"/>. Never throws for API failures (events are best effort);
    /// messages must hold no secret (O4).
    /// </summary>
    Task RecordAsync(IKubernetesObject<V1ObjectMeta> regarding, string type, string reason, string message, CancellationToken cancellationToken = default);
}
