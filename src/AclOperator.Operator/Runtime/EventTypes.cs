namespace AclOperator.Operator.Runtime;

/// <summary>The two event types of core/v1 Event.</summary>
public static class EventTypes
{
    public const string Normal = "Normal";

    public const string Warning = "Warning";
}
