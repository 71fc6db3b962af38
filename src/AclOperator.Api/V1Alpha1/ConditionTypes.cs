namespace AclOperator.Api.V1Alpha1;

/// <summary>kstatus condition types used by every kind (O12).</summary>
public static class ConditionTypes
{
    /// <summary>The object is valid and enforced by every running replica.</summary>
    public const string Ready = "Ready";

    /// <summary>The spec compiles; False carries the exact Redis error or the conflict.</summary>
    public const string Valid = "Valid";

    /// <summary>Every running replica enforces a revision with this object's current entry.</summary>
    public const string Enforced = "Enforced";

    /// <summary>Abnormal-true: the controller is still working on the latest generation.</summary>
    public const string Reconciling = "Reconciling";

    /// <summary>Abnormal-true: progress stopped and needs a human.</summary>
    public const string Stalled = "Stalled";
}
