using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using AclOperator.Api.Schema;
using YamlDotNet.RepresentationModel;

namespace AclOperator.Api.Manifests;

/// <summary>
/// Checks a YAML node against a C# type and its schema attributes, as the API server checks a CRD's OpenAPI schema
/// with strict field validation, and converts it to JSON for <c>KubernetesJson</c>. Plain scalars are typed as
/// Kubernetes' YAML reader types them (YAML 1.1: <c>yes</c>/<c>on</c> are booleans), so an unquoted value that would be
/// rejected by <c>kubectl apply</c> is rejected here too. Records the line of every field path.
/// </summary>
internal sealed partial class SchemaWalker(string file)
{
    private readonly Dictionary<string, int> _lines = new(StringComparer.Ordinal);
    private readonly List<ManifestError> _errors = [];

    public IReadOnlyDictionary<string, int> Lines => _lines;

    public IReadOnlyList<ManifestError> Errors => _errors;

    private enum ScalarKind
    {
        String,
        Null,
        Bool,
        Int,
        Float,
    }

    public JsonNode? Walk(YamlNode node, Type type, string path, PropertyInfo? property = null)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (!_lines.ContainsKey(path))
        {
            _lines[path] = Line(node);
        }

        if (node is YamlScalarNode s && Kind(s) == ScalarKind.Null && !IsStringLike(type))
        {
            return null;
        }

        if (type == typeof(object))
        {
            return Generic(node);
        }

        if (type == typeof(string))
        {
            return String(node, path, property);
        }

        if (type == typeof(bool))
        {
            return node is YamlScalarNode b && Kind(b) == ScalarKind.Bool
                ? JsonValue.Create(IsTrue(b.Value!))
                : Fail(node, path, $"Invalid value: {Show(node)}: expected true or false");
        }

        if (type == typeof(int) || type == typeof(long))
        {
            if (node is not YamlScalarNode n || Kind(n) != ScalarKind.Int || !long.TryParse(n.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v))
            {
                return Fail(node, path, $"Invalid value: {Show(node)}: expected an integer");
            }

            if (property?.GetCustomAttribute<RangeAttribute>() is { } range)
            {
                if (v < range.Minimum)
                {
                    return Fail(node, path, $"Invalid value: {v}: must be greater than or equal to {range.Minimum}");
                }

                if (v > range.Maximum)
                {
                    return Fail(node, path, $"Invalid value: {v}: must be less than or equal to {range.Maximum}");
                }
            }

            return type == typeof(int) && v is > int.MaxValue or < int.MinValue
                ? Fail(node, path, $"Invalid value: {v}: out of range")
                : JsonValue.Create(v);
        }

        if (type == typeof(byte[]))
        {
            if (String(node, path, null) is not { } text)
            {
                return null;
            }

            var b64 = text.GetValue<string>();
            return Convert.TryFromBase64String(b64, new byte[b64.Length], out _)
                ? text
                : Fail(node, path, "illegal base64 data (data values are base64; use stringData for plain text)");
        }

        if (type == typeof(DateTime) || type == typeof(DateTimeOffset))
        {
            return node is YamlScalarNode t && DateTimeOffset.TryParse(t.Value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _)
                ? JsonValue.Create(t.Value)
                : Fail(node, path, $"Invalid value: {Show(node)}: expected an RFC 3339 timestamp");
        }

        if (DictionaryValueType(type) is { } valueType)
        {
            return Map(node, valueType, path, property);
        }

        if (ListItemType(type) is { } itemType)
        {
            return List(node, itemType, path, property);
        }

        if (type.GetCustomAttribute<JsonConverterAttribute>() is not null)
        {
            // Kubernetes scalars with their own converters (ResourceQuantity, IntOrString): the converter decides.
            return node is YamlScalarNode q
                ? (Kind(q) == ScalarKind.Int && long.TryParse(q.Value, CultureInfo.InvariantCulture, out long number) ? JsonValue.Create(number) : JsonValue.Create(q.Value))
                : Fail(node, path, $"Invalid value: expected a string or a number");
        }

        if (type.IsClass)
        {
            return Object(node, type, path);
        }

        return Fail(node, path, $"unsupported field type {type.Name}");
    }

    private static bool IsStringLike(Type type) => type == typeof(string);

    private JsonNode? String(YamlNode node, string path, PropertyInfo? property)
    {
        if (node is not YamlScalarNode s)
        {
            return Fail(node, path, $"Invalid value: expected a string, got a {(node is YamlSequenceNode ? "list" : "mapping")}");
        }

        var kind = Kind(s);
        if (kind == ScalarKind.Null)
        {
            string hint = string.IsNullOrEmpty(s.Anchor.Value)
                ? ""
                : $" (YAML reads an unquoted value starting with '&' as an anchor: quote it, e.g. \"&{s.Anchor.Value}\")";
            return Fail(node, path, "Invalid value: null: expected a string" + hint);
        }

        if (kind != ScalarKind.String)
        {
            string what = kind == ScalarKind.Bool ? "a boolean" : "a number";
            return Fail(node, path, $"Invalid value: {s.Value}: expected a string; YAML reads the unquoted value as {what}, quote it");
        }

        string value = s.Value ?? "";
        if (property is not null && !CheckString(node, path, value, property))
        {
            return null;
        }

        return JsonValue.Create(value);
    }

    private bool CheckString(YamlNode node, string path, string value, PropertyInfo property)
    {
        if (property.GetCustomAttribute<LengthAttribute>() is { } length)
        {
            int bytes = System.Text.Encoding.UTF8.GetByteCount(value);
            if (length.MinLength >= 0 && bytes < length.MinLength)
            {
                Fail(node, path, length.MinLength == 1 ? "Invalid value: \"\": must not be empty" : $"Invalid value: should be at least {length.MinLength} chars long");
                return false;
            }

            if (length.MaxLength >= 0 && bytes > length.MaxLength)
            {
                Fail(node, path, $"Too long: may not be more than {length.MaxLength} bytes");
                return false;
            }
        }

        if (property.GetCustomAttribute<EnumValuesAttribute>() is { } values && !values.Values.Contains(value, StringComparer.Ordinal))
        {
            Fail(node, path, $"Unsupported value: \"{value}\": supported values: {string.Join(", ", values.Values.Select(v => $"\"{v}\""))}");
            return false;
        }

        if (property.GetCustomAttribute<PatternAttribute>() is { } pattern && !Regex.IsMatch(value, pattern.Pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)))
        {
            Fail(node, path, $"Invalid value: \"{value}\": should match '{pattern.Pattern}'");
            return false;
        }

        return true;
    }

    private JsonArray? List(YamlNode node, Type itemType, string path, PropertyInfo? property)
    {
        if (node is not YamlSequenceNode seq)
        {
            Fail(node, path, $"Invalid value: {Show(node)}: expected a list");
            return null;
        }

        if (property?.GetCustomAttribute<ItemsAttribute>() is { } items)
        {
            if (items.MinItems >= 0 && seq.Children.Count < items.MinItems)
            {
                Fail(node, path, items.MinItems == 1 ? "Required value: must list at least one item" : $"Invalid value: must have at least {items.MinItems} items");
                return null;
            }

            if (items.MaxItems >= 0 && seq.Children.Count > items.MaxItems)
            {
                Fail(node, path, $"Too many: {seq.Children.Count}: must have at most {items.MaxItems} items");
                return null;
            }
        }

        var array = new JsonArray();
        for (int i = 0; i < seq.Children.Count; i++)
        {
            // Item-level string facts (length, pattern) are written on the list property.
            var child = Walk(seq.Children[i], itemType, $"{path}[{i}]", itemType == typeof(string) ? property : null);
            array.Add(child);
        }

        return array;
    }

    private JsonObject? Map(YamlNode node, Type valueType, string path, PropertyInfo? property)
    {
        if (node is not YamlMappingNode map)
        {
            Fail(node, path, $"Invalid value: {Show(node)}: expected a mapping");
            return null;
        }

        // On a map, Items bounds the entries (maxProperties) and Length its string values, as in the CRD schema.
        if (property?.GetCustomAttribute<ItemsAttribute>() is { MaxItems: >= 0 } items && map.Children.Count > items.MaxItems)
        {
            Fail(node, path, $"Too many: {map.Children.Count}: must have at most {items.MaxItems} items");
            return null;
        }

        var obj = new JsonObject();
        foreach (var (k, v) in map.Children)
        {
            string key = ((k as YamlScalarNode)?.Value) ?? "";
            obj[key] = Walk(v, valueType, $"{path}.{key}", valueType == typeof(string) ? property : null);
        }

        return obj;
    }

    private JsonObject? Object(YamlNode node, Type type, string path)
    {
        if (node is not YamlMappingNode map)
        {
            Fail(node, path, $"Invalid value: {Show(node)}: expected a mapping");
            return null;
        }

        var properties = Properties(type);
        var obj = new JsonObject();
        var failed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (k, v) in map.Children)
        {
            string key = ((k as YamlScalarNode)?.Value) ?? "";
            string child = path.Length == 0 ? key : $"{path}.{key}";
            _lines[child] = Line(k);
            if (!properties.TryGetValue(key, out var p))
            {
                Fail(k, child, "unknown field \"" + child + "\"", withPath: false);
                continue;
            }

            // `field:` with no value is unset, as in Kubernetes (an anchor there is reported: it is a quoting mistake).
            if (v is YamlScalarNode n && Kind(n) == ScalarKind.Null && string.IsNullOrEmpty(n.Anchor.Value))
            {
                continue;
            }

            int errors = _errors.Count;
            var value = Walk(v, p.PropertyType, child, p);
            if (value is not null)
            {
                obj[key] = value;
            }
            else if (_errors.Count > errors)
            {
                failed.Add(key);
            }
        }

        foreach (var (name, p) in properties)
        {
            if (p.GetCustomAttribute<RequiredAttribute>() is not null && !obj.ContainsKey(name) && !failed.Contains(name))
            {
                Fail(node, path.Length == 0 ? name : $"{path}.{name}", "Required value");
            }
        }

        return obj;
    }

    private static readonly Dictionary<Type, Dictionary<string, PropertyInfo>> PropertyCache = [];
    private static readonly Lock PropertyCacheLock = new();

    private static Dictionary<string, PropertyInfo> Properties(Type type)
    {
        lock (PropertyCacheLock)
        {
            if (!PropertyCache.TryGetValue(type, out var map))
            {
                map = new Dictionary<string, PropertyInfo>(StringComparer.Ordinal);
                foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
                {
                    if (p.GetCustomAttribute<JsonPropertyNameAttribute>() is { } n)
                    {
                        map[n.Name] = p;
                    }
                }

                PropertyCache[type] = map;
            }

            return map;
        }
    }

    private static Type? DictionaryValueType(Type type)
    {
        if (type.IsGenericType && type.GetGenericTypeDefinition() is var d &&
            (d == typeof(IDictionary<,>) || d == typeof(Dictionary<,>) || d == typeof(IReadOnlyDictionary<,>)))
        {
            return type.GetGenericArguments()[1];
        }

        return null;
    }

    private static Type? ListItemType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        if (type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type) && type.GetGenericArguments().Length == 1)
        {
            return type.GetGenericArguments()[0];
        }

        return null;
    }

    private static JsonNode? Generic(YamlNode node) => node switch
    {
        YamlMappingNode m => new JsonObject(m.Children.Select(kv => KeyValuePair.Create(((kv.Key as YamlScalarNode)?.Value) ?? "", Generic(kv.Value)))),
        YamlSequenceNode q => new JsonArray(q.Children.Select(Generic).ToArray()),
        YamlScalarNode s => Kind(s) switch
        {
            ScalarKind.Null => null,
            ScalarKind.Bool => JsonValue.Create(IsTrue(s.Value!)),
            ScalarKind.Int when long.TryParse(s.Value, CultureInfo.InvariantCulture, out long l) => JsonValue.Create(l),
            ScalarKind.Float when double.TryParse(s.Value, CultureInfo.InvariantCulture, out double f) => JsonValue.Create(f),
            _ => JsonValue.Create(s.Value),
        },
        _ => null,
    };

    private static ScalarKind Kind(YamlScalarNode s)
    {
        if (s.Style != YamlDotNet.Core.ScalarStyle.Plain)
        {
            return ScalarKind.String;
        }

        string v = s.Value ?? "";
        if (v is "" or "~" or "null" or "Null" or "NULL")
        {
            return ScalarKind.Null;
        }

        if (v is "y" or "Y" or "yes" or "Yes" or "YES" or "n" or "N" or "no" or "No" or "NO" or "true" or "True" or "TRUE" or
            "false" or "False" or "FALSE" or "on" or "On" or "ON" or "off" or "Off" or "OFF")
        {
            return ScalarKind.Bool;
        }

        if (IntPattern().IsMatch(v))
        {
            return ScalarKind.Int;
        }

        return FloatPattern().IsMatch(v) ? ScalarKind.Float : ScalarKind.String;
    }

    private static bool IsTrue(string v) => v is "y" or "Y" or "yes" or "Yes" or "YES" or "true" or "True" or "TRUE" or "on" or "On" or "ON";

    private static string Show(YamlNode node) => node switch
    {
        YamlScalarNode s => s.Value ?? "null",
        YamlSequenceNode => "list",
        _ => "mapping",
    };

    private static int Line(YamlNode node) => (int)Math.Min(node.Start.Line, int.MaxValue);

    private JsonNode? Fail(YamlNode node, string path, string message, bool withPath = true)
    {
        _errors.Add(new ManifestError(file, Line(node), withPath && path.Length > 0 ? $"{path}: {message}" : message));
        return null;
    }

    [GeneratedRegex("^[-+]?(0|[1-9][0-9_]*|0x[0-9a-fA-F_]+|0[0-7_]+)$", RegexOptions.CultureInvariant)]
    private static partial Regex IntPattern();

    [GeneratedRegex("^([-+]?([0-9][0-9_]*)?\\.[0-9.]*([eE][-+][0-9]+)?|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN))$", RegexOptions.CultureInvariant)]
    private static partial Regex FloatPattern();
}
