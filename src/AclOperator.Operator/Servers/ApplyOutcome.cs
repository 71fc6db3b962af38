namespace AclOperator.Operator.Servers;

/// <summary>What <see cref="ServerWorkloadApplier.ApplyAsync"/> changed, for events and requeueing.</summary>
public sealed record ApplyOutcome
{
    /// <summary>Objects that did not exist and were created.</summary>
    public IReadOnlyList<OwnedObject> Created { get; init; } = [];

    /// <summary>Objects whose rendered form changed and were applied.</summary>
    public IReadOnlyList<OwnedObject> Updated { get; init; } = [];

    /// <summary>Owned objects that are no longer rendered (the PodDisruptionBudget at one replica, Leases of removed ordinals).</summary>
    public IReadOnlyList<OwnedObject> Deleted { get; init; } = [];

    /// <summary>
    /// StatefulSets deleted (orphaning their pods) because a field the API server does not let change did change
    /// (selector, serviceName, podManagementPolicy, volumeClaimTemplates); they are recreated once gone.
    /// </summary>
    public IReadOnlyList<OwnedObject> Replaced { get; init; } = [];

    /// <summary>
    /// Objects of the rendered names that are not ours (no controller reference to this server): left alone, never
    /// adopted or overwritten.
    /// </summary>
    public IReadOnlyList<OwnedObject> Conflicts { get; init; } = [];

    /// <summary>Objects that could not be applied yet (being deleted, or left by an earlier server of the same name).</summary>
    public IReadOnlyList<OwnedObject> Waiting { get; init; } = [];

    /// <summary>True when anything was written.</summary>
    public bool Changed => Created.Count > 0 || Updated.Count > 0 || Deleted.Count > 0 || Replaced.Count > 0;

    /// <summary>True when the server should be reconciled again soon: some object waits for a deletion to finish.</summary>
    public bool RequeueNeeded => Waiting.Count > 0;
}
