namespace AclOperator.Operator.Runtime;

/// <summary>
/// What a reconcile asks of the controller afterwards (controller-runtime's <c>ctrl.Result</c>): nothing
/// (<see cref="Done"/>), a retry with the per-item backoff (<see cref="Requeue"/>), or another reconcile after a fixed
/// delay (<see cref="RequeueAfter"/>, which wins over <see cref="Requeue"/> and resets the backoff). An exception is a
/// failure: it is counted and retried with backoff.
/// </summary>
public readonly record struct ReconcileResult(bool Requeue, TimeSpan RequeueAfter)
{
    public static ReconcileResult Done => default;

    public static ReconcileResult Retry() => new(true, TimeSpan.Zero);

    public static ReconcileResult After(TimeSpan delay) => new(false, delay);
}
