using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AclOperator.Testing.FakeKube.Api;
using AclOperator.Testing.FakeKube.Json;

namespace AclOperator.Testing.FakeKube.Resources;

/// <summary>
/// metadata validation of k8s.io/apimachinery/pkg/api/validation (ValidateObjectMeta/ValidateObjectMetaUpdate)
/// and the name/label/annotation rules of pkg/util/validation, with their messages.
/// </summary>
internal static partial class ObjectMetaValidation
{
    private const string Dns1123SubdomainFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
    private const string Dns1123LabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private const string Dns1035LabelFmt = "[a-z]([-a-z0-9]*[a-z0-9])?";
    private const string QualifiedNameFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    private const string LabelValueFmt = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";

    [GeneratedRegex("^" + Dns1123SubdomainFmt + "$")]
    private static partial Regex Dns1123Subdomain();

    [GeneratedRegex("^" + Dns1123LabelFmt + "$")]
    private static partial Regex Dns1123Label();

    [GeneratedRegex("^" + Dns1035LabelFmt + "$")]
    private static partial Regex Dns1035Label();

    [GeneratedRegex("^" + QualifiedNameFmt + "$")]
    private static partial Regex QualifiedName();

    [GeneratedRegex("^" + LabelValueFmt + "$")]
    private static partial Regex LabelValue();

    [GeneratedRegex("^[-._a-zA-Z0-9]+$")]
    private static partial Regex ConfigKey();

    public enum NameRule
    {
        Dns1123Subdomain,
        Dns1123Label,
        Dns1035Label,
        PathSegment,
    }

    public static NameRule RuleFor(ResourceType type) => (type.Group, type.Kind) switch
    {
        ("", "Namespace") => NameRule.Dns1123Label,
        ("", "Service") => NameRule.Dns1035Label,
        ("rbac.authorization.k8s.io", _) => NameRule.PathSegment,
        _ => NameRule.Dns1123Subdomain,
    };

    public static IEnumerable<string> NameErrors(string name, NameRule rule)
    {
        switch (rule)
        {
            case NameRule.Dns1123Label:
                if (name.Length > 63)
                {
                    yield return "must be no more than 63 characters";
                }
                if (!Dns1123Label().IsMatch(name))
                {
                    yield return $"a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '{Dns1123LabelFmt}')";
                }
                break;
            case NameRule.Dns1035Label:
                if (name.Length > 63)
                {
                    yield return "must be no more than 63 characters";
                }
                if (!Dns1035Label().IsMatch(name))
                {
                    yield return $"a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '{Dns1035LabelFmt}')";
                }
                break;
            case NameRule.PathSegment:
                if (name is "." or "..")
                {
                    yield return $"may not be '{name}'";
                }
                foreach (var bad in new[] { "/", "%" })
                {
                    if (name.Contains(bad, StringComparison.Ordinal))
                    {
                        yield return $"may not contain '{bad}'";
                    }
                }
                break;
            default:
                if (name.Length > 253)
                {
                    yield return "must be no more than 253 characters";
                }
                if (!Dns1123Subdomain().IsMatch(name))
                {
                    yield return $"a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '{Dns1123SubdomainFmt}')";
                }
                break;
        }
    }

    public static void Validate(ResourceType type, JsonObject obj, JsonObject? old, List<FieldError> errors)
    {
        var meta = obj["metadata"] as JsonObject ?? new JsonObject();
        var name = JsonTools.Str(meta, "name") ?? "";
        if (name.Length == 0)
        {
            errors.Add(FieldError.RequiredValue("metadata.name", "name or generateName is required"));
        }
        else if (old is null)
        {
            foreach (var msg in NameErrors(name, RuleFor(type)))
            {
                errors.Add(FieldError.InvalidString("metadata.name", name, msg));
            }
        }
        if (meta["labels"] is JsonObject labels)
        {
            foreach (var (k, v) in labels)
            {
                foreach (var msg in QualifiedNameErrors(k))
                {
                    errors.Add(FieldError.InvalidString("metadata.labels", k, msg));
                }
                var value = v is JsonValue jv && jv.TryGetValue(out string? s) ? s : "";
                if (value.Length > 63)
                {
                    errors.Add(FieldError.InvalidString("metadata.labels", value, "must be no more than 63 characters"));
                }
                if (!LabelValue().IsMatch(value))
                {
                    errors.Add(FieldError.InvalidString("metadata.labels", value, $"a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '{LabelValueFmt}')"));
                }
            }
        }
        if (meta["annotations"] is JsonObject annotations)
        {
            var total = 0;
            foreach (var (k, v) in annotations)
            {
                foreach (var msg in QualifiedNameErrors(k.ToLowerInvariant()))
                {
                    errors.Add(FieldError.InvalidString("metadata.annotations", k, msg));
                }
                total += Encoding.UTF8.GetByteCount(k) + Encoding.UTF8.GetByteCount(v is JsonValue av && av.TryGetValue(out string? s) ? s : "");
            }
            if (total > 256 * 1024)
            {
                errors.Add(FieldError.TooLongBytes("metadata.annotations", 256 * 1024));
            }
        }
        if (meta["finalizers"] is JsonArray finalizers)
        {
            for (var i = 0; i < finalizers.Count; i++)
            {
                var f = finalizers[i] is JsonValue fv && fv.TryGetValue(out string? s) ? s : "";
                foreach (var msg in QualifiedNameErrors(f))
                {
                    errors.Add(FieldError.InvalidString($"metadata.finalizers[{i}]", f, msg));
                }
            }
        }
        if (meta["ownerReferences"] is JsonArray owners)
        {
            for (var i = 0; i < owners.Count; i++)
            {
                var o = owners[i] as JsonObject ?? new JsonObject();
                foreach (var f in new[] { "apiVersion", "kind", "name", "uid" })
                {
                    if (string.IsNullOrEmpty(JsonTools.Str(o, f)))
                    {
                        var text = f switch
                        {
                            "apiVersion" => "version must not be empty",
                            "kind" => "kind must not be empty",
                            "name" => "name must not be empty",
                            _ => "uid must not be empty",
                        };
                        errors.Add(FieldError.InvalidValue($"metadata.ownerReferences[{i}]." + f, JsonValue.Create(""), text));
                    }
                }
            }
            if (owners.OfType<JsonObject>().Count(o => o["controller"] is JsonValue c && c.TryGetValue(out bool b) && b) > 1)
            {
                errors.Add(FieldError.InvalidValue("metadata.ownerReferences", JsonValue.Create(""), "Only one reference can have Controller set to true"));
            }
        }
        if (old is not null)
        {
            ValidateUpdate(meta, old["metadata"] as JsonObject ?? new JsonObject(), errors);
        }
    }

    private static void ValidateUpdate(JsonObject meta, JsonObject oldMeta, List<FieldError> errors)
    {
        if (oldMeta["deletionTimestamp"] is not null)
        {
            var oldFinalizers = (oldMeta["finalizers"] as JsonArray)?.Select(f => f?.GetValue<string>()).ToHashSet() ?? [];
            var added = (meta["finalizers"] as JsonArray)?.Select(f => f?.GetValue<string>() ?? "").Where(f => !oldFinalizers.Contains(f)).ToList() ?? [];
            if (added.Count > 0)
            {
                errors.Add(FieldError.ForbiddenField("metadata.finalizers",
                    "no new finalizers can be added if the object is being deleted, found new finalizers []string{" +
                    string.Join(", ", added.Select(JsonTools.Quote)) + "}"));
            }
        }
    }

    public static IEnumerable<string> QualifiedNameErrors(string value)
    {
        var parts = value.Split('/');
        string name;
        if (parts.Length == 1)
        {
            name = parts[0];
        }
        else if (parts.Length == 2)
        {
            var prefix = parts[0];
            name = parts[1];
            if (prefix.Length == 0)
            {
                yield return "prefix part must be non-empty";
            }
            else
            {
                foreach (var msg in NameErrors(prefix, NameRule.Dns1123Subdomain))
                {
                    yield return "prefix part " + msg;
                }
            }
        }
        else
        {
            yield return $"a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '{QualifiedNameFmt}') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
            yield break;
        }
        if (name.Length == 0)
        {
            yield return "name part must be non-empty";
        }
        else if (name.Length > 63)
        {
            yield return "name part must be no more than 63 characters";
        }
        if (name.Length > 0 && !QualifiedName().IsMatch(name))
        {
            yield return $"name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '{QualifiedNameFmt}')";
        }
    }

    public static IEnumerable<string> ConfigKeyErrors(string key)
    {
        if (key.Length > 253)
        {
            yield return "must be no more than 253 characters";
        }
        if (!ConfigKey().IsMatch(key))
        {
            yield return "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";
        }
        if (key is "." or "..")
        {
            yield return $"must not be '{key}'";
        }
    }
}
