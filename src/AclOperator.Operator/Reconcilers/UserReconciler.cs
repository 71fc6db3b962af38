using AclOperator.Api.V1Alpha1;
using AclOperator.Operator.Runtime;

namespace AclOperator.Operator.Reconcilers;

/// <summary>
/// RedisAclUser: its status is written by its server's reconcile (one status writer per object, O12); this reconciler
/// only covers users whose RedisAclServer does not exist, which no server reconcile sees.
/// </summary>
public sealed class UserReconciler : IReconciler<RedisAclUser>
{
    private readonly SharedInformer<RedisAclServer> _servers;
    private readonly StatusWriter _status;
    private readonly TimeProvider _time;

    public UserReconciler(SharedInformerFactory informers, StatusWriter status, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(informers);
        _servers = informers.For<RedisAclServer>();
        _status = status;
        _time = time ?? TimeProvider.System;
    }

    public async Task<ReconcileResult> ReconcileAsync(RedisAclUser entity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entity);
        var server = Indexes.ServerOf(entity);
        if (_servers.Cache.Get(server) is not null || entity.Metadata.DeletionTimestamp is not null)
        {
            return ReconcileResult.Done;
        }

        var message = $"RedisAclServer {server} does not exist";
        var now = _time.GetUtcNow().UtcDateTime;
        long? generation = entity.Metadata.Generation;
        await _status.UpdateStatusAsync(entity, u =>
        {
            var st = u.Status ??= new RedisAclUserStatus();
            st.ObservedGeneration = generation;
            var c = ConditionList.Set(st.Conditions, ConditionTypes.Enforced, false, "ServerNotFound", message, generation, now);
            c = ConditionList.Set(c, ConditionTypes.Ready, false, "ServerNotFound", message, generation, now);
            ConditionList.Set(c, ConditionTypes.Stalled, true, "ServerNotFound", message, generation, now);
            ConditionList.Remove(c, ConditionTypes.Reconciling);
            st.Conditions = c;
        }, cancellationToken).ConfigureAwait(false);
        return ReconcileResult.Done;
    }

    public Task<ReconcileResult> DeletedAsync(RedisAclUser entity, CancellationToken cancellationToken) => Task.FromResult(ReconcileResult.Done);
}
