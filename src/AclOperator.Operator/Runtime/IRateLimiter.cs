namespace AclOperator.Operator.Runtime;

/// <summary>How long an item waits before it is retried (client-go's workqueue.RateLimiter).</summary>
public interface IRateLimiter<in T>
{
    /// <summary>The delay for the next retry of <paramref name="item"/>; each call counts as one more failure.</summary>
    TimeSpan When(T item);

    /// <summary>Forgets the item's failures (it succeeded, or gave up).</summary>
    void Forget(T item);

    /// <summary>How many retries the item has had since it was last forgotten.</summary>
    int NumRequeues(T item);
}
