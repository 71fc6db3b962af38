namespace AclOperator.Operator.Runtime;

/// <summary>An informer seen without its object type: what the manager starts and readiness waits for.</summary>
public interface ISharedInformer
{
    /// <summary>The resource and scope, for logs and health output.</summary>
    string Name { get; }

    /// <summary>The resource it lists and watches (what the operator's RBAC must allow to list and watch).</summary>
    ApiResource Resource { get; }

    /// <summary>True once the first list of every watched namespace is in the cache.</summary>
    bool HasSynced { get; }

    /// <summary>Lists and watches until <paramref name="cancellationToken"/> is cancelled.</summary>
    Task RunAsync(CancellationToken cancellationToken);

    Task WaitForSyncAsync(CancellationToken cancellationToken);
}
