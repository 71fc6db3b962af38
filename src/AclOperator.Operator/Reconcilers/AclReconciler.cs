using AclOperator.Api.Compilation;
using AclOperator.Api.V1Alpha1;
using AclOperator.Operator.Runtime;

namespace AclOperator.Operator.Reconcilers;

/// <summary>
/// RedisAcl: validates the rules on their own with the engine (Valid carries Redis's exact error) and counts the
/// RedisAclUsers of its namespace that name it. The users themselves are recompiled by their servers' reconciler when
/// the rule set changes (the server controller watches RedisAcls).
/// </summary>
public sealed class AclReconciler : IReconciler<RedisAcl>
{
    private readonly SharedInformer<RedisAclUser> _users;
    private readonly StatusWriter _status;
    private readonly IEventRecorder _events;
    private readonly TimeProvider _time;

    public AclReconciler(SharedInformerFactory informers, StatusWriter status, IEventRecorder events, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(informers);
        _users = informers.For<RedisAclUser>();
        _status = status;
        _events = events;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Non-terminating RedisAclUsers in the rule set's own namespace that name it (O10: never other namespaces).</summary>
    public static IReadOnlyList<RedisAclUser> Referrers(SharedInformer<RedisAclUser> users, RedisAcl acl)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(acl);
        var key = (acl.Metadata.NamespaceProperty ?? "") + "/" + acl.Metadata.Name;
        return users.Cache.ByIndex(Indexes.UserAcl, key).Where(u => u.Metadata.DeletionTimestamp is null).ToList();
    }

    public async Task<ReconcileResult> ReconcileAsync(RedisAcl entity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entity);
        var result = AclCompiler.Compile(new AclCompileRequest { Acls = [entity], Secrets = NoSecrets.Instance });
        var diagnostics = result.DiagnosticsFor(ObjectRef.Of(entity));
        bool valid = diagnostics.Count == 0;
        string reason = valid ? "Compiled" : diagnostics[0].Reason;
        string message = valid ? "the rules compile" : string.Join("; ", diagnostics.Select(d => d.FieldPath is null ? d.Message : $"{d.FieldPath}: {d.Message}"));
        int count = Referrers(_users, entity).Count;
        var before = ConditionList.Find(entity.Status?.Conditions, ConditionTypes.Valid);
        var now = _time.GetUtcNow().UtcDateTime;
        long? generation = entity.Metadata.Generation;
        await _status.UpdateStatusAsync(entity, a =>
        {
            var st = a.Status ??= new RedisAclStatus();
            st.ObservedGeneration = generation;
            st.UserCount = count;
            var c = ConditionList.Set(st.Conditions, ConditionTypes.Valid, valid, reason, message, generation, now);
            c = ConditionList.Set(c, ConditionTypes.Ready, valid, reason, message, generation, now);
            if (valid)
            {
                ConditionList.Remove(c, ConditionTypes.Stalled);
            }
            else
            {
                ConditionList.Set(c, ConditionTypes.Stalled, true, reason, message, generation, now);
            }

            st.Conditions = c;
        }, cancellationToken).ConfigureAwait(false);
        if (!valid && (before?.Status != "False" || before.Message != message))
        {
            await _events.RecordAsync(entity, EventTypes.Warning, reason, message, cancellationToken).ConfigureAwait(false);
        }

        return ReconcileResult.Done;
    }

    public Task<ReconcileResult> DeletedAsync(RedisAcl entity, CancellationToken cancellationToken) => Task.FromResult(ReconcileResult.Done);

    private sealed class NoSecrets : ISecretResolver
    {
        public static readonly NoSecrets Instance = new();

        public SecretLookup Resolve(string? objectNamespace, SecretKeyRef reference) => SecretLookup.NotFound();
    }
}
