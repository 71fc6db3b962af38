using System.Text.Json.Nodes;

namespace AclOperator.Testing.FakeKube.Schema;

/// <summary>
/// Pruning of custom resources (apiextensions-apiserver/pkg/apiserver/schema/pruning): fields not in the
/// structural schema are dropped unless x-kubernetes-preserve-unknown-fields; null values of non-nullable
/// fields are dropped before defaulting. apiVersion, kind and metadata at the root (and in embedded
/// resources) are kept; metadata is pruned to ObjectMeta.
/// </summary>
internal static class SchemaPruner
{
    private static readonly HashSet<string> ObjectMetaFields =
    [
        "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp",
        "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers",
        "managedFields",
    ];

    /// <summary>Prunes in place and returns the paths (like "spec.foo") of the unknown fields removed.</summary>
    public static List<string> Prune(JsonObject obj, StructuralSchema schema)
    {
        var unknown = new List<string>();
        PruneObject(obj, schema, "", unknown, isResourceRoot: true);
        return unknown;
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;

    private static void PruneObject(JsonObject obj, StructuralSchema? schema, string path, List<string> unknown, bool isResourceRoot)
    {
        foreach (var (key, value) in obj.ToList())
        {
            var childPath = Join(path, key);
            if (isResourceRoot && key is "apiVersion" or "kind")
            {
                continue;
            }
            if (isResourceRoot && key == "metadata")
            {
                if (value is JsonObject meta)
                {
                    foreach (var (mk, _) in meta.ToList())
                    {
                        if (!ObjectMetaFields.Contains(mk))
                        {
                            meta.Remove(mk);
                            unknown.Add(Join(childPath, mk));
                        }
                    }
                }
                continue;
            }
            var child = schema?.Property(key) ?? schema?.AdditionalProperties;
            if (child is null)
            {
                if (schema is not null && (schema.PreserveUnknownFields || schema.AdditionalPropertiesAny))
                {
                    continue;
                }
                obj.Remove(key);
                unknown.Add(childPath);
                continue;
            }
            if (value is null)
            {
                if (!child.Nullable)
                {
                    obj.Remove(key);
                }
                continue;
            }
            PruneValue(value, child, childPath, unknown);
        }
    }

    private static void PruneValue(JsonNode value, StructuralSchema schema, string path, List<string> unknown)
    {
        switch (value)
        {
            case JsonObject o:
                if (!(schema.PreserveUnknownFields && schema.Properties.Count == 0 && schema.AdditionalProperties is null))
                {
                    PruneObject(o, schema, path, unknown, isResourceRoot: schema.EmbeddedResource);
                }
                break;
            case JsonArray a when schema.Items is not null:
                for (var i = 0; i < a.Count; i++)
                {
                    if (a[i] is { } item)
                    {
                        PruneValue(item, schema.Items, $"{path}[{i}]", unknown);
                    }
                }
                break;
        }
    }
}
