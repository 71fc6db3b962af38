using System.Text.Json.Nodes;
using AclOperator.Testing.FakeKube.Json;
using AclOperator.Testing.FakeKube.Resources;

namespace AclOperator.Testing.FakeKube.Discovery;

/// <summary>
/// Server-side printing (meta.k8s.io/v1 Table), which kubectl get requests: the columns of the built-in printers
/// for the kinds served (Name/Data/Age for ConfigMaps, ...) and a CRD's additionalPrinterColumns.
/// </summary>
internal static class TableConverter
{
    private const string NameDescription = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
    private const string AgeDescription = "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

    private sealed record Column(string Name, string Type, string Format, string Description, int Priority, Func<JsonObject, JsonNode?> Cell);

    private static Column NameColumn() => new("Name", "string", "name", NameDescription, 0, o => JsonTools.StrAt(o, "metadata", "name"));

    private static Column AgeColumn(DateTimeOffset now) => new("Age", "string", "", AgeDescription, 0, o => Age(o, now));

    private static long Num(JsonObject o, string parent, string field) => JsonTools.Int(o[parent], field) ?? 0;

    private static string Age(JsonObject o, DateTimeOffset now) =>
        JsonTools.ParseTime(JsonTools.StrAt(o, "metadata", "creationTimestamp")) is { } t ? HumanDuration(now - t) : "<unknown>";

    private static List<Column> Columns(ResourceType type, DateTimeOffset now)
    {
        var name = NameColumn();
        var age = AgeColumn(now);
        static int Count(JsonObject o, params string[] fields) => fields.Sum(f => (o[f] as JsonObject)?.Count ?? 0);
        if (type.IsCustom)
        {
            if (type.PrinterColumns is not { Count: > 0 } printer)
            {
                return [name, age];
            }
            var cols = new List<Column> { name };
            foreach (var c in printer.OfType<JsonObject>())
            {
                var jsonPath = JsonTools.Str(c, "jsonPath") ?? "";
                var colType = JsonTools.Str(c, "type") ?? "string";
                cols.Add(new Column(JsonTools.Str(c, "name") ?? "", colType, JsonTools.Str(c, "format") ?? "",
                    JsonTools.Str(c, "description") ?? "", (int)(JsonTools.Int(c, "priority") ?? 0),
                    o =>
                    {
                        var values = SimpleJsonPath.Evaluate(o, jsonPath);
                        if (values.Count == 0 || values[0] is null)
                        {
                            return null;
                        }
                        if (colType == "date" && JsonTools.ParseTime(SimpleJsonPath.Text(values[0])) is { } t)
                        {
                            return HumanDuration(now - t);
                        }
                        return values[0]!.DeepClone();
                    }));
            }
            return cols;
        }
        return (type.Group, type.Kind) switch
        {
            ("", "ConfigMap") => [name, new("Data", "integer", "", "Data contains the configuration data.", 0, o => Count(o, "data", "binaryData")), age],
            ("", "Secret") => [name, new("Type", "string", "", "The type of the secret.", 0, o => JsonTools.Str(o, "type")),
                new("Data", "integer", "", "Data contains the secret data.", 0, o => Count(o, "data")), age],
            ("", "Namespace") => [name, new("Status", "string", "", "The status of the namespace", 0, o => JsonTools.StrAt(o, "status", "phase")), age],
            ("apiextensions.k8s.io", "CustomResourceDefinition") => [name, new("Created At", "date", "", AgeDescription, 0,
                o => JsonTools.StrAt(o, "metadata", "creationTimestamp"))],
            ("coordination.k8s.io", "Lease") => [name, new("Holder", "string", "", "The holder of the lease.", 0,
                o => JsonTools.StrAt(o, "spec", "holderIdentity") ?? ""), age],
            ("apps", "StatefulSet") => [name, new("Ready", "string", "", "Number of the pod with ready state", 0,
                o => $"{Num(o, "status", "readyReplicas")}/{Num(o, "spec", "replicas")}"), age],
            ("apps", "Deployment") => [name,
                new("Ready", "string", "", "Number of the pod with ready state", 0, o => $"{Num(o, "status", "readyReplicas")}/{Num(o, "spec", "replicas")}"),
                new("Up-to-date", "integer", "", "Total number of non-terminated pods targeted by this deployment that have the desired template spec.", 0, o => Num(o, "status", "updatedReplicas")),
                new("Available", "integer", "", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.", 0, o => Num(o, "status", "availableReplicas")),
                age],
            ("", "Pod") => [name,
                new("Ready", "string", "", "The aggregate readiness state of this pod for accepting traffic.", 0, o =>
                    $"{(JsonTools.At(o, "status", "containerStatuses") as JsonArray ?? []).Count(c => c?["ready"] is JsonValue r && r.GetValue<bool>())}/{(JsonTools.At(o, "spec", "containers") as JsonArray ?? []).Count}"),
                new("Status", "string", "", "The aggregate status of the containers in this pod.", 0, o => JsonTools.StrAt(o, "status", "phase") ?? ""),
                new("Restarts", "string", "", "The number of times the containers in this pod have been restarted.", 0, o =>
                    (JsonTools.At(o, "status", "containerStatuses") as JsonArray ?? []).Sum(c => (int)(JsonTools.Int(c, "restartCount") ?? 0)).ToString(System.Globalization.CultureInfo.InvariantCulture)),
                age],
            ("", "Service") => [name,
                new("Type", "string", "", "The type of the service.", 0, o => JsonTools.StrAt(o, "spec", "type")),
                new("Cluster-IP", "string", "", "The IP address of the service.", 0, o => JsonTools.StrAt(o, "spec", "clusterIP") ?? "<none>"),
                new("External-IP", "string", "", "The external IP address of the service.", 0, _ => "<none>"),
                new("Port(s)", "string", "", "The port(s) of the service.", 0, o =>
                    string.Join(",", (JsonTools.At(o, "spec", "ports") as JsonArray ?? []).Select(p => $"{JsonTools.ScalarText(p?["port"])}/{JsonTools.Str(p, "protocol") ?? "TCP"}")) is { Length: > 0 } ports ? ports : "<none>"),
                age],
            ("policy", "PodDisruptionBudget") => [name,
                new("Min Available", "string", "", "The minimum number of pods that must be available.", 0, o => JsonTools.At(o, "spec", "minAvailable") is { } v ? JsonTools.ScalarText(v) : "N/A"),
                new("Max Unavailable", "string", "", "The maximum number of pods that may be unavailable.", 0, o => JsonTools.At(o, "spec", "maxUnavailable") is { } v ? JsonTools.ScalarText(v) : "N/A"),
                new("Allowed Disruptions", "integer", "", "Calculated number of pods that may be disrupted at this time.", 0, o => Num(o, "status", "disruptionsAllowed")),
                age],
            _ => [name, age],
        };
    }

    /// <summary>A Table for objects (includeObject: None, Metadata (default) or Object).</summary>
    public static JsonObject ToTable(ResourceType type, IEnumerable<JsonObject> objects, JsonObject listMeta, string includeObject, DateTimeOffset now)
    {
        var columns = Columns(type, now);
        var defs = new JsonArray();
        foreach (var c in columns)
        {
            defs.Add(new JsonObject
            {
                ["name"] = c.Name,
                ["type"] = c.Type,
                ["format"] = c.Format,
                ["description"] = c.Description,
                ["priority"] = c.Priority,
            });
        }
        var rows = new JsonArray();
        foreach (var o in objects)
        {
            var cells = new JsonArray();
            foreach (var c in columns)
            {
                cells.Add(c.Cell(o)?.DeepClone());
            }
            var row = new JsonObject { ["cells"] = cells };
            if (includeObject == "Object")
            {
                row["object"] = o.DeepClone();
            }
            else if (includeObject != "None")
            {
                row["object"] = new JsonObject
                {
                    ["kind"] = "PartialObjectMetadata",
                    ["apiVersion"] = "meta.k8s.io/v1",
                    ["metadata"] = o["metadata"]?.DeepClone(),
                };
            }
            rows.Add(row);
        }
        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = listMeta.DeepClone(),
            ["columnDefinitions"] = defs,
            ["rows"] = rows,
        };
    }

    /// <summary>k8s.io/apimachinery/pkg/util/duration.HumanDuration.</summary>
    public static string HumanDuration(TimeSpan d)
    {
        var seconds = (long)d.TotalSeconds;
        if (seconds < -1)
        {
            return "<invalid>";
        }
        if (seconds < 0)
        {
            return "0s";
        }
        if (seconds < 120)
        {
            return $"{seconds}s";
        }
        var minutes = (long)d.TotalMinutes;
        if (minutes < 10)
        {
            var s = seconds % 60;
            return s == 0 ? $"{minutes}m" : $"{minutes}m{s}s";
        }
        if (minutes < 180)
        {
            return $"{minutes}m";
        }
        var hours = (long)d.TotalHours;
        if (hours < 8)
        {
            var m = minutes % 60;
            return m == 0 ? $"{hours}h" : $"{hours}h{m}m";
        }
        if (hours < 48)
        {
            return $"{hours}h";
        }
        if (hours < 24 * 8)
        {
            var h = hours % 24;
            return h == 0 ? $"{hours / 24}d" : $"{hours / 24}d{h}h";
        }
        if (hours < 24 * 365 * 2)
        {
            return $"{hours / 24}d";
        }
        if (hours < 24 * 365 * 8)
        {
            var dy = hours / 24 % 365;
            return dy == 0 ? $"{hours / 24 / 365}y" : $"{hours / 24 / 365}y{dy}d";
        }
        return $"{hours / 24 / 365}y";
    }
}
