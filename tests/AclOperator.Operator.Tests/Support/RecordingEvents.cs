using AclOperator.Operator.Runtime;
using k8s;
using k8s.Models;

namespace AclOperator.Operator.Tests.Support;

/// <summary>An event recorder that keeps "Kind ns/name Type Reason: message" lines.</summary>
internal sealed class RecordingEvents : IEventRecorder
{
    public List<string> Recorded { get; } = [];

    public int Count
    {
        get
        {
            lock (Recorded)
            {
                return Recorded.Count;
            }
        }
    }

    public Task RecordAsync(IKubernetesObject<V1ObjectMeta> regarding, string type, string reason, string message, CancellationToken cancellationToken = default)
    {
        lock (Recorded)
        {
            Recorded.Add($"{regarding.Kind} {regarding.Metadata.NamespaceProperty}/{regarding.Metadata.Name} {type} {reason}: {message}");
        }

        return Task.CompletedTask;
    }

    /// <summary>The lines recorded so far, sorted, and forgets them.</summary>
    public List<string> Take()
    {
        lock (Recorded)
        {
            var all = Recorded.Order(StringComparer.Ordinal).ToList();
            Recorded.Clear();
            return all;
        }
    }
}
