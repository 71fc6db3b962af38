using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AclOperator.Testing.FakeKube.Api;
using AclOperator.Testing.FakeKube.Json;

namespace AclOperator.Testing.FakeKube.Schema;

/// <summary>
/// OpenAPI v3 value validation of custom resources with the messages of k8s.io/kube-openapi/pkg/validation
/// as converted to field errors by apiextensions-apiserver (kubeOpenAPIResultToFieldErrors): type, enum,
/// required, pattern, minimum/maximum, minLength/maxLength, minItems/maxItems, uniqueItems, properties
/// counts, multipleOf, list-type set/map uniqueness, allOf/anyOf/oneOf/not. CEL rules are not evaluated.
/// </summary>
internal static class SchemaValidator
{
    public static List<FieldError> Validate(JsonNode? value, StructuralSchema schema, string path = "")
    {
        var errors = new List<FieldError>();
        ValidateNode(value, schema, path, errors, isRoot: path.Length == 0);
        return errors;
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;

    private static string InBody(string path) => path.Length == 0 ? "body" : path + " in body";

    private static string ActualType(JsonNode? v) => JsonTools.Kind(v) switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => JsonTools.IsInteger(v) ? "integer" : "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => "null",
    };

    private static bool TypeMatches(JsonNode? v, StructuralSchema s)
    {
        if (s.IntOrString)
        {
            return JsonTools.IsString(v) || JsonTools.IsInteger(v);
        }
        return s.Type switch
        {
            null or "" => true,
            "object" => v is JsonObject,
            "array" => v is JsonArray,
            "string" => JsonTools.IsString(v),
            "integer" => JsonTools.IsInteger(v),
            "number" => JsonTools.Kind(v) == JsonValueKind.Number,
            "boolean" => JsonTools.Kind(v) is JsonValueKind.True or JsonValueKind.False,
            _ => true,
        };
    }

    private static void ValidateNode(JsonNode? v, StructuralSchema s, string path, List<FieldError> errors, bool isRoot = false)
    {
        if (v is null)
        {
            if (!s.Nullable && s.Type is not null && !isRoot)
            {
                errors.Add(new FieldError(FieldError.TypeInvalid, path, FieldErrorValue.Of(JsonValue.Create("null")),
                    $"{InBody(path)} must be of type {s.Type}: \"null\""));
            }
            return;
        }
        if (!TypeMatches(v, s))
        {
            var expected = s.IntOrString ? "integer,string" : s.Type;
            var actual = ActualType(v);
            errors.Add(new FieldError(FieldError.TypeInvalid, path, FieldErrorValue.Of(JsonValue.Create(actual)),
                $"{InBody(path)} must be of type {expected}: \"{actual}\""));
            return;
        }
        if (s.Enum is { } e && !e.Any(x => JsonNode.DeepEquals(x, v)))
        {
            errors.Add(FieldError.Unsupported(path, v, e.Select(x => JsonTools.IsString(x) ? x!.GetValue<string>() : JsonTools.ToJson(x))));
        }
        switch (v)
        {
            case JsonValue when JsonTools.IsString(v):
                ValidateString(v.GetValue<string>(), s, path, errors);
                break;
            case JsonValue when JsonTools.Kind(v) == JsonValueKind.Number:
                ValidateNumber(v, s, path, errors);
                break;
            case JsonArray a:
                ValidateArray(a, s, path, errors);
                break;
            case JsonObject o:
                ValidateObject(o, s, path, errors, isRoot);
                break;
        }
        foreach (var sub in s.AllOf)
        {
            ValidateNode(v, sub, path, errors);
        }
        if (s.AnyOf.Count > 0 && !s.AnyOf.Any(sub => Validate(v, sub, path).Count == 0))
        {
            errors.Add(FieldError.InvalidValue(path, Short(v), $"{InBody(path)} must validate at least one schema (anyOf)"));
        }
        if (s.OneOf.Count > 0 && s.OneOf.Count(sub => Validate(v, sub, path).Count == 0) != 1)
        {
            errors.Add(FieldError.InvalidValue(path, Short(v), $"{InBody(path)} must validate one and only one schema (oneOf)"));
        }
        if (s.Not is not null && Validate(v, s.Not, path).Count == 0)
        {
            errors.Add(FieldError.InvalidValue(path, Short(v), $"{InBody(path)} must not validate the schema (not)"));
        }
    }

    private static JsonNode? Short(JsonNode? v) => v is JsonValue ? v : JsonValue.Create("");

    private static void ValidateString(string str, StructuralSchema s, string path, List<FieldError> errors)
    {
        var length = str.EnumerateRunes().Count();
        if (s.MaxLength is long max && length > max)
        {
            errors.Add(FieldError.TooLongValue(path, (int)max));
        }
        if (s.MinLength is long min && length < min)
        {
            errors.Add(FieldError.InvalidString(path, str, $"{InBody(path)} should be at least {min} chars long"));
        }
        if (s.Pattern is { } pattern && !Regex.IsMatch(str, pattern, RegexOptions.None, TimeSpan.FromSeconds(1)))
        {
            errors.Add(FieldError.InvalidString(path, str, $"{InBody(path)} should match '{pattern}'"));
        }
        if (s.Format is "date-time" && !DateTimeOffset.TryParse(str, CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            errors.Add(FieldError.InvalidString(path, str, $"{InBody(path)} must be of type date-time: \"{str}\""));
        }
    }

    private static void ValidateNumber(JsonNode v, StructuralSchema s, string path, List<FieldError> errors)
    {
        JsonTools.TryNumber(v, out var d);
        static string N(double x) => JsonTools.ScalarText(JsonValue.Create(x));
        if (s.Minimum is double min && (s.ExclusiveMinimum ? d <= min : d < min))
        {
            errors.Add(FieldError.InvalidValue(path, v, s.ExclusiveMinimum
                ? $"{InBody(path)} should be greater than {N(min)}"
                : $"{InBody(path)} should be greater than or equal to {N(min)}"));
        }
        if (s.Maximum is double max && (s.ExclusiveMaximum ? d >= max : d > max))
        {
            errors.Add(FieldError.InvalidValue(path, v, s.ExclusiveMaximum
                ? $"{InBody(path)} should be less than {N(max)}"
                : $"{InBody(path)} should be less than or equal to {N(max)}"));
        }
        if (s.MultipleOf is double m && m > 0 && Math.Abs(Math.IEEERemainder(d, m)) > 1e-9)
        {
            errors.Add(FieldError.InvalidValue(path, v, $"{InBody(path)} should be a multiple of {N(m)}"));
        }
    }

    private static void ValidateArray(JsonArray a, StructuralSchema s, string path, List<FieldError> errors)
    {
        if (s.MaxItems is long max && a.Count > max)
        {
            errors.Add(FieldError.TooManyItems(path, a.Count, (int)max));
        }
        if (s.MinItems is long min && a.Count < min)
        {
            errors.Add(new FieldError(FieldError.Invalid, path, FieldErrorValue.Raw(a.Count.ToString(CultureInfo.InvariantCulture)),
                $"{InBody(path)} should have at least {min} items"));
        }
        if (s.UniqueItems && HasDuplicates(a.ToList()))
        {
            errors.Add(FieldError.InvalidValue(path, JsonValue.Create(""), $"{InBody(path)} shouldn't contain duplicates"));
        }
        if (s.ListType == "set")
        {
            for (var i = 0; i < a.Count; i++)
            {
                for (var j = 0; j < i; j++)
                {
                    if (JsonNode.DeepEquals(a[i], a[j]))
                    {
                        errors.Add(FieldError.DuplicateValue($"{path}[{i}]", a[i]));
                        break;
                    }
                }
            }
        }
        else if (s.ListType == "map" && s.ListMapKeys.Count > 0)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < a.Count; i++)
            {
                if (a[i] is JsonObject item)
                {
                    var key = new JsonObject();
                    foreach (var k in s.ListMapKeys)
                    {
                        key[k] = item[k]?.DeepClone();
                    }
                    if (!seen.Add(JsonTools.ToJson(key)))
                    {
                        errors.Add(FieldError.DuplicateValue($"{path}[{i}]", key));
                    }
                }
            }
        }
        if (s.Items is { } items)
        {
            for (var i = 0; i < a.Count; i++)
            {
                ValidateNode(a[i], items, $"{path}[{i}]", errors);
            }
        }
    }

    private static bool HasDuplicates(List<JsonNode?> items)
    {
        for (var i = 0; i < items.Count; i++)
        {
            for (var j = 0; j < i; j++)
            {
                if (JsonNode.DeepEquals(items[i], items[j]))
                {
                    return true;
                }
            }
        }
        return false;
    }

    private static void ValidateObject(JsonObject o, StructuralSchema s, string path, List<FieldError> errors, bool isRoot)
    {
        if (s.MaxProperties is long max && o.Count > max)
        {
            errors.Add(FieldError.TooManyItems(path, o.Count, (int)max));
        }
        if (s.MinProperties is long min && o.Count < min)
        {
            errors.Add(FieldError.InvalidValue(path, JsonValue.Create(""), $"{InBody(path)} should have at least {min} properties"));
        }
        foreach (var req in s.Required)
        {
            if (!o.ContainsKey(req) || (o[req] is null && !(s.Property(req)?.Nullable ?? false)))
            {
                errors.Add(FieldError.RequiredValue(Join(path, req)));
            }
        }
        foreach (var (key, child) in o)
        {
            if (isRoot && key is "apiVersion" or "kind")
            {
                continue;
            }
            if (isRoot && key == "metadata")
            {
                if (s.Property("metadata") is { } metaSchema && child is JsonObject meta)
                {
                    foreach (var (mk, ms) in metaSchema.Properties)
                    {
                        if (mk is "name" or "generateName" && meta[mk] is { } mv)
                        {
                            ValidateNode(mv, ms, Join("metadata", mk), errors);
                        }
                    }
                }
                continue;
            }
            var cs = s.Property(key) ?? s.AdditionalProperties;
            if (cs is not null)
            {
                ValidateNode(child, cs, Join(path, key), errors);
            }
        }
    }
}
