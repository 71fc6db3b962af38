namespace AclOperator.Operator.Runtime;

/// <summary>Whether this replica leads: controllers start when it does and stop at once when the lease is lost.</summary>
public interface ILeadership
{
    bool IsLeader { get; }

    /// <summary>This replica's identity in the Lease.</summary>
    string Identity { get; }

    /// <summary>Completes when this replica becomes the leader.</summary>
    Task WhenLeadingAsync(CancellationToken cancellationToken);

    /// <summary>Cancelled when this replica loses a lease it held (not on a graceful stop).</summary>
    CancellationToken Lost { get; }
}
