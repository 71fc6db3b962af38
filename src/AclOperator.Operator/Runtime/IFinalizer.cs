namespace AclOperator.Operator.Runtime;

/// <summary>
/// A finalizer as a small class (KubeOps's IEntityFinalizer): a controller that registers it adds <see cref="Name"/>
/// to every object it reconciles, and when such an object is being deleted calls <see cref="FinalizeAsync"/> instead of
/// the reconciler, then removes the name so the API server can delete the object. Users and servers carry none (O10).
/// </summary>
public interface IFinalizer<in T>
{
    /// <summary>The finalizer string, a qualified name such as <c>aclop.dev/in-use</c>.</summary>
    string Name { get; }

    /// <summary>Cleans up; an exception keeps the finalizer and retries with backoff.</summary>
    Task FinalizeAsync(T entity, CancellationToken cancellationToken);
}
