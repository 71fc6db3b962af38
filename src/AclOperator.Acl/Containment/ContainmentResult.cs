namespace AclOperator.Acl.Containment;

/// <summary>The outcome of <see cref="AclContainment.Check(Users.AclUser, Users.AclUser, bool)"/>.</summary>
public sealed class ContainmentResult
{
    private static readonly ContainmentViolation[] NoViolations = [];

    internal ContainmentResult(IReadOnlyList<ContainmentViolation>? violations)
    {
        Violations = violations ?? NoViolations;
    }

    /// <summary>The result for a user within its ceiling.</summary>
    public static ContainmentResult Contained { get; } = new(null);

    /// <summary>True when every selector of the user is within the ceiling.</summary>
    public bool IsContained => Violations.Count == 0;

    /// <summary>
    /// Every violation, ordered by selector, then: nopass, future-commands bit, commands (by command id), first-args,
    /// allkeys, key patterns, allchannels, channel patterns (patterns in the user's order).
    /// </summary>
    public IReadOnlyList<ContainmentViolation> Violations { get; }

    /// <summary>The first violation's message, or null when contained.</summary>
    public string? FirstViolationMessage => Violations.Count == 0 ? null : Violations[0].Message;

    /// <summary>
    /// A bounded summary for a condition message: the first violation, plus how many more there are
    /// (<c>selector 0 allows '+flushall (via +@all)', which the ceiling denies (and 12 more violations)</c>).
    /// </summary>
    public string? Summary => Violations.Count switch
    {
        0 => null,
        1 => Violations[0].Message,
        2 => $"{Violations[0].Message} (and 1 more violation)",
        _ => $"{Violations[0].Message} (and {Violations.Count - 1} more violations)",
    };
}
