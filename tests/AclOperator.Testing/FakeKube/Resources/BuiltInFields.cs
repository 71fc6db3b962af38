using System.Text.Json.Nodes;

namespace AclOperator.Testing.FakeKube.Resources;

/// <summary>
/// The top-level and metadata fields of the built-in kinds (their Go structs). A typed decoder drops anything else,
/// so unknown fields there are pruned and reported per fieldValidation like the real server does; fields deeper
/// inside spec are not checked (the fake has no schemas for built-in kinds).
/// </summary>
internal static class BuiltInFields
{
    private static readonly HashSet<string> ObjectMeta =
    [
        "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp",
        "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers",
        "managedFields",
    ];

    private static readonly Dictionary<string, string[]> TopLevel = new(StringComparer.Ordinal)
    {
        ["/ConfigMap"] = ["data", "binaryData", "immutable"],
        ["/Secret"] = ["data", "stringData", "type", "immutable"],
        ["/ServiceAccount"] = ["secrets", "imagePullSecrets", "automountServiceAccountToken"],
        ["/Endpoints"] = ["subsets"],
        ["/Event"] = ["involvedObject", "reason", "message", "source", "firstTimestamp", "lastTimestamp", "count", "type",
            "eventTime", "series", "action", "related", "reportingComponent", "reportingInstance"],
        ["rbac.authorization.k8s.io/Role"] = ["rules"],
        ["rbac.authorization.k8s.io/ClusterRole"] = ["rules", "aggregationRule"],
        ["rbac.authorization.k8s.io/RoleBinding"] = ["subjects", "roleRef"],
        ["rbac.authorization.k8s.io/ClusterRoleBinding"] = ["subjects", "roleRef"],
    };

    // events.k8s.io Events arrive here already converted to the stored core/v1 form.
    private static string[] Fields(ResourceType type) =>
        TopLevel.TryGetValue(type.IsEventsApiView ? "/Event" : type.Group + "/" + type.Kind, out var f) ? f : ["spec", "status"];

    /// <summary>Removes unknown top-level and metadata fields; returns their paths.</summary>
    public static List<string> Prune(ResourceType type, JsonObject obj)
    {
        var unknown = new List<string>();
        var allowed = new HashSet<string>(Fields(type)) { "apiVersion", "kind", "metadata" };
        foreach (var (key, _) in obj.ToList())
        {
            if (!allowed.Contains(key))
            {
                obj.Remove(key);
                unknown.Add(key);
            }
        }
        if (obj["metadata"] is JsonObject meta)
        {
            foreach (var (key, _) in meta.ToList())
            {
                if (!ObjectMeta.Contains(key))
                {
                    meta.Remove(key);
                    unknown.Add("metadata." + key);
                }
            }
        }
        return unknown;
    }
}
