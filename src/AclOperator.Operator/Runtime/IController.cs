namespace AclOperator.Operator.Runtime;

/// <summary>A controller seen without its object type: what the manager starts once it leads.</summary>
public interface IController
{
    string Name { get; }

    /// <summary>Waits for the informers it reads, runs its workers until <paramref name="cancellationToken"/> is cancelled, then drains.</summary>
    Task RunAsync(CancellationToken cancellationToken);

    /// <summary>Stops at once: running reconciles are cancelled and queued items dropped (a lost lease).</summary>
    void Abort();
}
