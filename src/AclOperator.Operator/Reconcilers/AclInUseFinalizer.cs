using AclOperator.Api.V1Alpha1;
using AclOperator.Operator.Runtime;
using k8s;

namespace AclOperator.Operator.Reconcilers;

/// <summary>
/// In-use protection of a RedisAcl (O10): deleting a rule set that users of its own namespace still name waits until
/// they stop naming it (a Warning event says who). Referrers in other namespaces do not count, and the protection
/// releases at once when the namespace itself terminates, so a namespace is never stranded in Terminating.
/// </summary>
public sealed class AclInUseFinalizer : IFinalizer<RedisAcl>
{
    public const string FinalizerName = "aclop.dev/in-use";

    private readonly SharedInformer<RedisAclUser> _users;
    private readonly IKubernetes _client;
    private readonly IEventRecorder _events;

    public AclInUseFinalizer(SharedInformerFactory informers, IKubernetes client, IEventRecorder events)
    {
        ArgumentNullException.ThrowIfNull(informers);
        _users = informers.For<RedisAclUser>();
        _client = client;
        _events = events;
    }

    public string Name => FinalizerName;

    public async Task FinalizeAsync(RedisAcl entity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entity);
        var referrers = AclReconciler.Referrers(_users, entity);
        if (referrers.Count == 0)
        {
            return;
        }

        var ns = await _client.CoreV1.ReadNamespaceAsync(entity.Metadata.NamespaceProperty, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (ns.Metadata.DeletionTimestamp is not null || ns.Status?.Phase == "Terminating")
        {
            return;
        }

        var names = string.Join(", ", referrers.Take(5).Select(u => u.Metadata.Name)) + (referrers.Count > 5 ? $" and {referrers.Count - 5} more" : "");
        var message = $"RedisAcl {entity.Metadata.Name} is still used by RedisAclUser {names}; it is deleted once no user names it";
        await _events.RecordAsync(entity, EventTypes.Warning, "InUse", message, cancellationToken).ConfigureAwait(false);
        throw new InvalidOperationException(message);
    }
}
