using System.Text.Json.Nodes;

namespace AclOperator.Testing.FakeKube.Resources;

/// <summary>
/// events.k8s.io/v1 Events are core/v1 Events in storage, as in a real cluster (pkg/apis/events/v1/conversion.go):
/// regarding↔involvedObject, note↔message, reportingController↔reportingComponent, deprecated*↔the old fields.
/// </summary>
internal static class EventsConversion
{
    private static readonly (string Events, string Core)[] Renames =
    [
        ("regarding", "involvedObject"),
        ("note", "message"),
        ("reportingController", "reportingComponent"),
        ("deprecatedSource", "source"),
        ("deprecatedFirstTimestamp", "firstTimestamp"),
        ("deprecatedLastTimestamp", "lastTimestamp"),
        ("deprecatedCount", "count"),
    ];

    private static JsonObject Rename(JsonObject obj, bool toCore)
    {
        var result = new JsonObject();
        foreach (var (k, v) in obj)
        {
            var name = k;
            foreach (var (events, core) in Renames)
            {
                if (toCore && k == events)
                {
                    name = core;
                }
                else if (!toCore && k == core)
                {
                    name = events;
                }
            }
            result[name] = v?.DeepClone();
        }
        return result;
    }

    public static JsonObject ToStorage(JsonObject eventsEvent)
    {
        var core = Rename(eventsEvent, toCore: true);
        core["apiVersion"] = "v1";
        core["kind"] = "Event";
        return core;
    }

    public static JsonObject FromStorage(JsonObject coreEvent) => Rename(coreEvent, toCore: false);

    /// <summary>Field selector labels of events.k8s.io/v1 in terms of the stored core Event.</summary>
    public static string FieldLabel(string field)
    {
        foreach (var (events, core) in Renames)
        {
            if (field == events)
            {
                return core;
            }
            if (field.StartsWith(events + ".", StringComparison.Ordinal))
            {
                return core + field[events.Length..];
            }
        }
        return field;
    }
}
