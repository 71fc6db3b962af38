using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AclOperator.Testing.FakeKube.Json;

/// <summary>Small helpers over System.Text.Json nodes; objects are stored and exchanged as JSON trees.</summary>
internal static class JsonTools
{
    /// <summary>Compact output that, like Go's encoder for API responses, leaves quotes as \" rather than \u0022.</summary>
    public static readonly JsonSerializerOptions Compact = new()
    {
        WriteIndented = false,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static JsonNode? Parse(ReadOnlySpan<byte> utf8) =>
        JsonNode.Parse(utf8, new JsonNodeOptions { PropertyNameCaseInsensitive = false },
            new JsonDocumentOptions { AllowTrailingCommas = false, MaxDepth = 256 });

    public static JsonObject Clone(JsonObject o) => (JsonObject)o.DeepClone();

    public static JsonNode? CloneNode(JsonNode? n) => n?.DeepClone();

    public static string ToJson(JsonNode? n) => n is null ? "null" : n.ToJsonString(Compact);

    public static bool Equal(JsonNode? a, JsonNode? b) => JsonNode.DeepEquals(a, b);

    public static JsonObject Obj(JsonObject parent, string name)
    {
        if (parent[name] is JsonObject o)
        {
            return o;
        }
        var created = new JsonObject();
        parent[name] = created;
        return created;
    }

    public static JsonObject Metadata(JsonObject obj) => Obj(obj, "metadata");

    public static string? Str(JsonNode? node, string name) =>
        node is JsonObject o && o[name] is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    public static string? StrAt(JsonNode? node, params string[] path)
    {
        var cur = node;
        for (var i = 0; i < path.Length - 1; i++)
        {
            cur = cur is JsonObject o ? o[path[i]] : null;
        }
        return Str(cur, path[^1]);
    }

    public static JsonNode? At(JsonNode? node, params string[] path)
    {
        var cur = node;
        foreach (var p in path)
        {
            cur = cur is JsonObject o ? o[p] : null;
        }
        return cur;
    }

    public static long? Int(JsonNode? node, string name) =>
        node is JsonObject o && o[name] is JsonValue v && TryNumber(v, out var d) && d == Math.Floor(d) ? (long)d : null;

    /// <summary>
    /// A JSON tree whose values are all parsed (JsonElement-backed), so comparisons and numeric reads behave the same
    /// everywhere, and fully materialized: a parsed JsonObject builds its children lazily on first access, which is not
    /// safe when several watchers read a stored object at once.
    /// </summary>
    public static JsonObject Normalize(JsonObject o)
    {
        var parsed = (JsonObject)JsonNode.Parse(o.ToJsonString(Compact))!;
        Materialize(parsed);
        return parsed;
    }

    private static void Materialize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, child) in obj)
                {
                    Materialize(child);
                }
                break;
            case JsonArray arr:
                foreach (var child in arr)
                {
                    Materialize(child);
                }
                break;
        }
    }

    public static bool IsString(JsonNode? n) => n is JsonValue v && v.GetValueKind() == JsonValueKind.String;

    public static JsonValueKind Kind(JsonNode? n) => n switch
    {
        null => JsonValueKind.Null,
        JsonObject => JsonValueKind.Object,
        JsonArray => JsonValueKind.Array,
        JsonValue v => v.GetValueKind(),
        _ => JsonValueKind.Undefined,
    };

    /// <summary>Renders a scalar the way Go's %v would for a decoded JSON value (strings unquoted).</summary>
    public static string ScalarText(JsonNode? n) => n switch
    {
        null => "null",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.True => "true",
        JsonValue v when v.GetValueKind() == JsonValueKind.False => "false",
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => NumberText(v),
        _ => ToJson(n),
    };

    public static string NumberText(JsonValue v)
    {
        TryNumber(v, out var d);
        return d == Math.Floor(d) && Math.Abs(d) < 1e15
            ? ((long)d).ToString(CultureInfo.InvariantCulture)
            : d.ToString("R", CultureInfo.InvariantCulture);
    }

    public static bool TryNumber(JsonNode? n, out double value)
    {
        value = 0;
        if (n is not JsonValue v || v.GetValueKind() != JsonValueKind.Number)
        {
            return false;
        }
        if (v.TryGetValue(out double d))
        {
            value = d;
            return true;
        }
        if (v.TryGetValue(out long l))
        {
            value = l;
            return true;
        }
        if (v.TryGetValue(out int i))
        {
            value = i;
            return true;
        }
        value = double.Parse(v.ToJsonString(), CultureInfo.InvariantCulture);
        return true;
    }

    /// <summary>An integral number, 3 or 3.0 alike (kube-openapi accepts float64 values that are whole numbers as integers).</summary>
    public static bool IsInteger(JsonNode? n) =>
        TryNumber(n, out var d) && d == Math.Floor(d) && !double.IsInfinity(d);

    public static string Timestamp(DateTimeOffset t) =>
        t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string MicroTimestamp(DateTimeOffset t) =>
        t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    public static DateTimeOffset? ParseTime(string? s) =>
        s is not null && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;

    /// <summary>Go's strconv.Quote for the ASCII-printable subset used in messages.</summary>
    public static string Quote(string s) => JsonSerializer.Serialize(s, QuoteOptions);

    private static readonly JsonSerializerOptions QuoteOptions = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
