using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AclOperator.Testing.FakeKube.Api;
using AclOperator.Testing.FakeKube.Json;
using AclOperator.Testing.FakeKube.Schema;

namespace AclOperator.Testing.FakeKube.Resources;

/// <summary>
/// apiextensions.k8s.io/v1 CustomResourceDefinition handling: defaulting, validation (names, scope, versions,
/// structural schemas), the status the CRD controllers write (NamesAccepted, Established) and the served
/// resource types.
/// </summary>
internal static partial class CustomResourceDefinitions
{
    public const string CleanupFinalizer = "customresourcecleanup.apiextensions.k8s.io";

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Dns1123Subdomain();

    [GeneratedRegex("^[a-z]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1035Label();

    public static void Default(JsonObject crd)
    {
        var spec = JsonTools.Obj(crd, "spec");
        var names = JsonTools.Obj(spec, "names");
        if (JsonTools.Str(names, "kind") is { } kind)
        {
            if (JsonTools.Str(names, "singular") is null or "")
            {
                names["singular"] = kind.ToLowerInvariant();
            }
            if (JsonTools.Str(names, "listKind") is null or "")
            {
                names["listKind"] = kind + "List";
            }
        }
        if (spec["conversion"] is null)
        {
            spec["conversion"] = new JsonObject { ["strategy"] = "None" };
        }
    }

    public static List<FieldError> Validate(JsonObject crd, JsonObject? old)
    {
        var errors = new List<FieldError>();
        var spec = crd["spec"] as JsonObject ?? new JsonObject();
        var names = spec["names"] as JsonObject ?? new JsonObject();
        var group = JsonTools.Str(spec, "group") ?? "";
        var plural = JsonTools.Str(names, "plural") ?? "";
        var name = JsonTools.StrAt(crd, "metadata", "name") ?? "";
        if (plural.Length > 0 && group.Length > 0 && name != plural + "." + group)
        {
            errors.Add(FieldError.InvalidString("metadata.name", name, "must be spec.names.plural+\".\"+spec.group"));
        }
        if (group.Length == 0)
        {
            errors.Add(FieldError.RequiredValue("spec.group"));
        }
        else if (!group.Contains('.', StringComparison.Ordinal))
        {
            errors.Add(FieldError.InvalidString("spec.group", group, "should be a domain with at least one dot"));
        }
        else if (!Dns1123Subdomain().IsMatch(group))
        {
            errors.Add(FieldError.InvalidString("spec.group", group, "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"));
        }
        var scope = JsonTools.Str(spec, "scope");
        if (scope is not ("Namespaced" or "Cluster"))
        {
            errors.Add(scope is null
                ? FieldError.RequiredValue("spec.scope")
                : FieldError.Unsupported("spec.scope", JsonValue.Create(scope), ["Cluster", "Namespaced"]));
        }
        foreach (var field in new[] { "plural", "singular", "kind", "listKind" })
        {
            var value = JsonTools.Str(names, field);
            if (string.IsNullOrEmpty(value))
            {
                if (field is "plural" or "kind")
                {
                    errors.Add(FieldError.RequiredValue("spec.names." + field));
                }
            }
            else if (field is "plural" or "singular" && !Dns1035Label().IsMatch(value))
            {
                errors.Add(FieldError.InvalidString("spec.names." + field, value, "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"));
            }
        }
        var versions = spec["versions"] as JsonArray ?? [];
        if (versions.Count == 0)
        {
            errors.Add(FieldError.InvalidValue("spec.versions", new JsonArray(), "must have exactly one version marked as storage version"));
        }
        else if (versions.Count(v => v is JsonObject vo && vo["storage"] is JsonValue s && s.GetValue<bool>()) != 1)
        {
            errors.Add(FieldError.InvalidValue("spec.versions", JsonValue.Create(""), "must have exactly one version marked as storage version"));
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < versions.Count; i++)
        {
            var v = versions[i] as JsonObject ?? new JsonObject();
            var vpath = $"spec.versions[{i}]";
            var vname = JsonTools.Str(v, "name") ?? "";
            if (vname.Length == 0)
            {
                errors.Add(FieldError.RequiredValue(vpath + ".name"));
            }
            else if (!seen.Add(vname))
            {
                errors.Add(FieldError.InvalidString("spec.versions", vname, "must contain unique version names"));
            }
            if (v["served"] is null)
            {
                errors.Add(FieldError.RequiredValue(vpath + ".served"));
            }
            if (v["storage"] is null)
            {
                errors.Add(FieldError.RequiredValue(vpath + ".storage"));
            }
            if (JsonTools.At(v, "schema", "openAPIV3Schema") is JsonObject schema)
            {
                StructuralSchemaChecker.Check(schema, vpath + ".schema.openAPIV3Schema", errors);
            }
            else
            {
                errors.Add(FieldError.RequiredValue(vpath + ".schema.openAPIV3Schema", "schemas are required"));
            }
            if (JsonTools.At(v, "subresources", "scale") is JsonObject scale && JsonTools.Str(scale, "specReplicasPath") is null)
            {
                errors.Add(FieldError.RequiredValue(vpath + ".subresources.scale.specReplicasPath"));
            }
        }
        if (old is not null)
        {
            var oldSpec = old["spec"] as JsonObject;
            if (JsonTools.Str(oldSpec, "scope") is { } oldScope && scope is not null && oldScope != scope)
            {
                errors.Add(FieldError.InvalidString("spec.scope", scope, "field is immutable"));
            }
            if (JsonTools.Str(oldSpec, "group") is { } oldGroup && oldGroup != group)
            {
                errors.Add(FieldError.InvalidString("spec.group", group, "field is immutable"));
            }
        }
        return errors;
    }

    /// <summary>The status the naming and establishing controllers write: accepted names, conditions, stored versions.</summary>
    public static void SetEstablished(JsonObject crd, DateTimeOffset now, JsonObject? old)
    {
        var spec = (JsonObject)crd["spec"]!;
        var status = new JsonObject();
        var oldStatus = old?["status"] as JsonObject;
        var stamp = JsonTools.Timestamp(now);
        string Since(string type) =>
            (oldStatus?["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => JsonTools.Str(c, "type") == type) is { } c
                ? JsonTools.Str(c, "lastTransitionTime") ?? stamp
                : stamp;
        status["conditions"] = new JsonArray(
            new JsonObject
            {
                ["type"] = "NamesAccepted",
                ["status"] = "True",
                ["lastTransitionTime"] = Since("NamesAccepted"),
                ["reason"] = "NoConflicts",
                ["message"] = "no conflicts found",
            },
            new JsonObject
            {
                ["type"] = "Established",
                ["status"] = "True",
                ["lastTransitionTime"] = Since("Established"),
                ["reason"] = "InitialNamesAccepted",
                ["message"] = "the initial names have been accepted",
            });
        var accepted = new JsonObject();
        foreach (var f in new[] { "plural", "singular", "shortNames", "kind", "listKind", "categories" })
        {
            if (JsonTools.At(spec, "names", f) is { } value)
            {
                accepted[f] = value.DeepClone();
            }
        }
        status["acceptedNames"] = accepted;
        var stored = (oldStatus?["storedVersions"] as JsonArray)?.Select(v => v!.GetValue<string>()).ToList() ?? [];
        var storage = (spec["versions"] as JsonArray)?.OfType<JsonObject>()
            .FirstOrDefault(v => v["storage"] is JsonValue s && s.GetValue<bool>());
        if (JsonTools.Str(storage, "name") is { } storageName && !stored.Contains(storageName))
        {
            stored.Add(storageName);
        }
        status["storedVersions"] = new JsonArray(stored.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray());
        crd["status"] = status;
    }

    /// <summary>The served versions of a CRD as resource types.</summary>
    public static List<ResourceType> ToResourceTypes(JsonObject crd)
    {
        var spec = (JsonObject)crd["spec"]!;
        var names = (JsonObject)spec["names"]!;
        var result = new List<ResourceType>();
        foreach (var v in (spec["versions"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (v["served"] is not JsonValue served || !served.GetValue<bool>())
            {
                continue;
            }
            var hasStatus = JsonTools.At(v, "subresources", "status") is JsonObject;
            var schema = JsonTools.At(v, "schema", "openAPIV3Schema") is JsonObject raw ? StructuralSchema.Parse(raw) : null;
            result.Add(new ResourceType
            {
                Group = JsonTools.Str(spec, "group")!,
                Version = JsonTools.Str(v, "name")!,
                Kind = JsonTools.Str(names, "kind")!,
                Plural = JsonTools.Str(names, "plural")!,
                Singular = JsonTools.Str(names, "singular") ?? "",
                ListKindOverride = JsonTools.Str(names, "listKind"),
                Namespaced = JsonTools.Str(spec, "scope") == "Namespaced",
                ShortNames = Strings(names["shortNames"]),
                Categories = Strings(names["categories"]),
                HasStatus = hasStatus,
                Generation = hasStatus ? GenerationPolicy.AllButMetadataAndStatus : GenerationPolicy.AllButMetadata,
                AllowUnconditionalUpdate = false,
                Schema = schema,
                Semantics = new SchemaSemantics(schema),
                PrinterColumns = v["additionalPrinterColumns"] as JsonArray,
                CrdName = JsonTools.StrAt(crd, "metadata", "name"),
            });
        }
        return result;
    }

    private static List<string> Strings(JsonNode? n) => n is JsonArray a ? a.Select(x => x!.GetValue<string>()).ToList() : [];
}
