namespace AclOperator.Operator.Runtime;

/// <summary>
/// A level-based reconciler of one kind (KubeOps's controller shape on controller-runtime semantics): read the world,
/// compute the desired state, apply the difference, write status. It is called with the object's current cached state,
/// never with "what changed"; several events for one object may become one call, and calls for one object never overlap.
/// </summary>
public interface IReconciler<in T>
{
    /// <summary>The object exists (it may be terminating when no finalizer of this controller holds it).</summary>
    Task<ReconcileResult> ReconcileAsync(T entity, CancellationToken cancellationToken);

    /// <summary>The object is gone; <paramref name="entity"/> is the last state the informer knew.</summary>
    Task<ReconcileResult> DeletedAsync(T entity, CancellationToken cancellationToken);
}
