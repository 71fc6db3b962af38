using System.Text.Json.Nodes;
using AclOperator.Testing.FakeKube.Json;

namespace AclOperator.Testing.FakeKube.Apply;

/// <summary>One metadata.managedFields entry with its field set decoded.</summary>
internal sealed class ManagedFieldsEntry
{
    public required string Manager { get; init; }

    public required string Operation { get; init; }

    public required string ApiVersion { get; set; }

    public string? Time { get; set; }

    public string? Subresource { get; init; }

    public FieldSet Set { get; set; } = new();

    public bool SameIdentity(string manager, string operation, string apiVersion, string? subresource) =>
        Manager == manager && Operation == operation && (Subresource ?? "") == (subresource ?? "") &&
        (operation == "Apply" || ApiVersion == apiVersion);

    public static List<ManagedFieldsEntry> Parse(JsonObject? obj)
    {
        var list = new List<ManagedFieldsEntry>();
        if (JsonTools.At(obj, "metadata", "managedFields") is not JsonArray arr)
        {
            return list;
        }
        foreach (var n in arr.OfType<JsonObject>())
        {
            list.Add(new ManagedFieldsEntry
            {
                Manager = JsonTools.Str(n, "manager") ?? "",
                Operation = JsonTools.Str(n, "operation") ?? "Update",
                ApiVersion = JsonTools.Str(n, "apiVersion") ?? "",
                Time = JsonTools.Str(n, "time"),
                Subresource = JsonTools.Str(n, "subresource"),
                Set = FieldSet.FromFieldsV1(n["fieldsV1"] as JsonObject),
            });
        }
        return list;
    }

    /// <summary>Writes entries sorted as the API server does: by operation, time, manager, apiVersion, subresource.</summary>
    public static JsonArray Encode(IEnumerable<ManagedFieldsEntry> entries)
    {
        var arr = new JsonArray();
        var sorted = entries.Where(e => !e.Set.IsEmpty)
            .OrderBy(e => e.Operation, StringComparer.Ordinal)
            .ThenBy(e => JsonTools.ParseTime(e.Time)?.ToUnixTimeSeconds() ?? 0)
            .ThenBy(e => e.Manager, StringComparer.Ordinal)
            .ThenBy(e => e.ApiVersion, StringComparer.Ordinal)
            .ThenBy(e => e.Subresource ?? "", StringComparer.Ordinal);
        foreach (var e in sorted)
        {
            var o = new JsonObject
            {
                ["manager"] = e.Manager,
                ["operation"] = e.Operation,
                ["apiVersion"] = e.ApiVersion,
            };
            if (e.Time is not null)
            {
                o["time"] = e.Time;
            }
            o["fieldsType"] = "FieldsV1";
            o["fieldsV1"] = e.Set.ToFieldsV1();
            if (!string.IsNullOrEmpty(e.Subresource))
            {
                o["subresource"] = e.Subresource;
            }
            arr.Add(o);
        }
        return arr;
    }
}
