using k8s.Models;

namespace AclOperator.Operator.Reconcilers;

/// <summary>
/// kstatus conditions as a map list keyed by type (O12): setting a condition keeps its lastTransitionTime unless its
/// status changes, and records the generation it was computed from.
/// </summary>
public static class ConditionList
{
    public static IList<V1Condition> Set(IList<V1Condition>? conditions, string type, bool? status, string reason, string message, long? generation, DateTime now)
    {
        var list = conditions ?? new List<V1Condition>();
        string value = status switch { true => "True", false => "False", null => "Unknown" };
        var existing = list.FirstOrDefault(c => c.Type == type);
        if (existing is null)
        {
            list.Add(new V1Condition
            {
                Type = type,
                Status = value,
                Reason = reason,
                Message = Truncate(message),
                ObservedGeneration = generation,
                LastTransitionTime = now,
            });
            return list;
        }

        if (existing.Status != value)
        {
            existing.LastTransitionTime = now;
        }

        existing.Status = value;
        existing.Reason = reason;
        existing.Message = Truncate(message);
        existing.ObservedGeneration = generation;
        return list;
    }

    /// <summary>Removes an abnormal-true condition that no longer applies (kstatus: absent means False).</summary>
    public static void Remove(IList<V1Condition>? conditions, string type)
    {
        if (conditions?.FirstOrDefault(c => c.Type == type) is { } c)
        {
            conditions.Remove(c);
        }
    }

    public static V1Condition? Find(IList<V1Condition>? conditions, string type) => conditions?.FirstOrDefault(c => c.Type == type);

    public static bool IsTrue(IList<V1Condition>? conditions, string type) => Find(conditions, type)?.Status == "True";

    // The API limits condition messages to 32768 characters.
    private static string Truncate(string message) => message.Length <= 32768 ? message : message[..32765] + "...";
}
