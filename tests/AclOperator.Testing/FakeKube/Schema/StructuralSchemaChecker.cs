using System.Text.Json.Nodes;
using AclOperator.Testing.FakeKube.Api;
using AclOperator.Testing.FakeKube.Json;

namespace AclOperator.Testing.FakeKube.Schema;

/// <summary>
/// The structural-schema rules apiextensions-apiserver enforces on apiextensions.k8s.io/v1 CRDs
/// (pkg/apiserver/schema/validation.go and pkg/apis/apiextensions/validation): every node has a type (unless
/// x-kubernetes-int-or-string or x-kubernetes-preserve-unknown-fields), the root is an object, arrays have items,
/// properties and additionalProperties exclude each other, metadata only restricts name/generateName,
/// x-kubernetes-preserve-unknown-fields is true or absent, list-type map has keys, defaults validate.
/// </summary>
internal static class StructuralSchemaChecker
{
    public static void Check(JsonObject root, string path, List<FieldError> errors)
    {
        var type = JsonTools.Str(root, "type");
        if (type is null)
        {
            errors.Add(FieldError.RequiredValue(path + ".type", "must not be empty at the root"));
        }
        else if (type != "object")
        {
            errors.Add(FieldError.InvalidString(path + ".type", type, "must be object at the root"));
        }
        if (root["properties"] is JsonObject props && props["metadata"] is JsonObject meta)
        {
            CheckMetadata(meta, path + ".properties[metadata]", errors);
        }
        CheckNode(root, path, errors, isRoot: true, context: "");
    }

    private static void CheckMetadata(JsonObject meta, string path, List<FieldError> errors)
    {
        var allowedKeys = new HashSet<string> { "type", "properties", "description" };
        var ok = meta.All(p => allowedKeys.Contains(p.Key)) &&
                 (meta["properties"] is not JsonObject mp || mp.All(p => p.Key is "name" or "generateName"));
        if (!ok)
        {
            errors.Add(FieldError.ForbiddenField(path, "must not specify anything other than name and generateName, but metadata is implicitly specified"));
        }
    }

    private static void CheckNode(JsonObject node, string path, List<FieldError> errors, bool isRoot, string context)
    {
        var type = JsonTools.Str(node, "type");
        var intOrString = node["x-kubernetes-int-or-string"] is JsonValue ios && ios.TryGetValue(out bool b1) && b1;
        var preserve = node["x-kubernetes-preserve-unknown-fields"];
        var preserveTrue = preserve is JsonValue pv && pv.TryGetValue(out bool b2) && b2;
        if (preserve is JsonValue pf && pf.TryGetValue(out bool b3) && !b3)
        {
            errors.Add(FieldError.InvalidValue(path + ".x-kubernetes-preserve-unknown-fields", JsonValue.Create(false), "must be true or undefined"));
        }
        if (!isRoot && type is null && !intOrString && !preserveTrue)
        {
            errors.Add(FieldError.RequiredValue(path + ".type", context));
        }
        if (type is not null and not ("object" or "array" or "string" or "integer" or "number" or "boolean"))
        {
            errors.Add(FieldError.Unsupported(path + ".type", JsonValue.Create(type), ["array", "boolean", "integer", "number", "object", "string"]));
        }
        if (intOrString && type is not null)
        {
            errors.Add(FieldError.InvalidString(path + ".type", type, "must be empty if x-kubernetes-int-or-string is true"));
        }
        if (node["properties"] is JsonObject && node["additionalProperties"] is not null)
        {
            errors.Add(FieldError.ForbiddenField(path + ".additionalProperties", "additionalProperties and properties are mutual exclusive"));
        }
        if (node["additionalProperties"] is JsonValue apv && apv.TryGetValue(out bool apb) && !apb)
        {
            errors.Add(FieldError.ForbiddenField(path + ".additionalProperties", "additionalProperties cannot be set to false"));
        }
        if (type == "array" && node["items"] is null)
        {
            errors.Add(FieldError.RequiredValue(path + ".items", "must be specified"));
        }
        var listType = JsonTools.Str(node, "x-kubernetes-list-type");
        var mapKeys = node["x-kubernetes-list-map-keys"] as JsonArray;
        if (listType is not null and not ("atomic" or "set" or "map"))
        {
            errors.Add(FieldError.Unsupported(path + ".x-kubernetes-list-type", JsonValue.Create(listType), ["atomic", "set", "map"]));
        }
        if (listType is not null && type != "array")
        {
            errors.Add(FieldError.InvalidString(path + ".x-kubernetes-list-type", listType, "must only be used if type is array"));
        }
        if (listType == "map")
        {
            if (mapKeys is null || mapKeys.Count == 0)
            {
                errors.Add(FieldError.RequiredValue(path + ".x-kubernetes-list-map-keys", "must not be empty if x-kubernetes-list-type is map"));
            }
            else if (node["items"] is JsonObject items)
            {
                if (JsonTools.Str(items, "type") != "object")
                {
                    errors.Add(FieldError.InvalidValue(path + ".items.type", items["type"]?.DeepClone(), "must be object if parent array's x-kubernetes-list-type is map"));
                }
                var required = (items["required"] as JsonArray)?.Select(x => x?.GetValue<string>()).ToHashSet() ?? [];
                foreach (var k in mapKeys.Select(x => x?.GetValue<string>() ?? ""))
                {
                    var keySchema = JsonTools.At(items, "properties", k) as JsonObject;
                    if (keySchema is null)
                    {
                        errors.Add(FieldError.InvalidString(path + ".x-kubernetes-list-map-keys", k, "entries must all be names of item properties"));
                    }
                    else if (!required.Contains(k) && keySchema["default"] is null)
                    {
                        errors.Add(FieldError.RequiredValue(path + ".items.properties[" + k + "]", "this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property"));
                    }
                }
            }
        }
        else if (mapKeys is not null && mapKeys.Count > 0)
        {
            errors.Add(FieldError.RequiredValue(path + ".x-kubernetes-list-type", "must be map if x-kubernetes-list-map-keys is non-empty"));
        }
        foreach (var junctor in new[] { "allOf", "anyOf", "oneOf" })
        {
            if (!intOrString && node[junctor] is JsonArray alts)
            {
                for (var i = 0; i < alts.Count; i++)
                {
                    if (alts[i] is JsonObject alt)
                    {
                        CheckJunctor(alt, $"{path}.{junctor}[{i}]", errors);
                    }
                }
            }
        }
        if (!intOrString && node["not"] is JsonObject not)
        {
            CheckJunctor(not, path + ".not", errors);
        }
        if (node["properties"] is JsonObject props)
        {
            foreach (var (name, child) in props)
            {
                if (child is JsonObject c && !(isRoot && name == "metadata"))
                {
                    CheckNode(c, $"{path}.properties[{name}]", errors, false, "must not be empty for specified object fields");
                }
            }
        }
        if (node["additionalProperties"] is JsonObject ap)
        {
            CheckNode(ap, path + ".additionalProperties", errors, false, "must not be empty for specified object fields");
        }
        if (node["items"] is JsonObject itemsNode)
        {
            CheckNode(itemsNode, path + ".items", errors, false, "must not be empty for specified array items");
        }
        if (node["default"] is { } def && !isRoot)
        {
            var copy = new JsonObject { ["v"] = def.DeepClone() };
            var wrapper = StructuralSchema.Parse(new JsonObject
            {
                ["type"] = "object",
                ["properties"] = new JsonObject { ["v"] = JsonTools.Clone(node) },
            });
            SchemaPruner.Prune(copy, wrapper);
            foreach (var e in SchemaValidator.Validate(copy["v"], wrapper.Property("v")!, "v"))
            {
                errors.Add(FieldError.InvalidValue(path + ".default", def.DeepClone() is JsonValue dv ? dv : JsonValue.Create(""), e.ToString()));
            }
        }
    }

    // Value validations under allOf/anyOf/oneOf/not must not carry structure (structural schema rule).
    private static void CheckJunctor(JsonObject node, string path, List<FieldError> errors)
    {
        foreach (var forbidden in new[] { "type", "default", "nullable", "additionalProperties", "x-kubernetes-preserve-unknown-fields", "x-kubernetes-embedded-resource", "x-kubernetes-int-or-string" })
        {
            if (node.ContainsKey(forbidden))
            {
                errors.Add(FieldError.ForbiddenField($"{path}.{forbidden}", "must not be specified in a nested context"));
            }
        }
    }
}
