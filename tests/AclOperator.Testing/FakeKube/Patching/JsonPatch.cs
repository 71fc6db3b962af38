using System.Globalization;
using System.Text.Json.Nodes;

namespace AclOperator.Testing.FakeKube.Patching;

/// <summary>JSON patch, RFC 6902 (application/json-patch+json): add, remove, replace, move, copy, test.</summary>
internal static class JsonPatch
{
    public static JsonNode? Apply(JsonNode? document, JsonNode? patch)
    {
        if (patch is not JsonArray ops)
        {
            throw new PatchException("json: cannot unmarshal object into Go value of type jsonpatch.Patch", malformed: true);
        }
        var doc = document?.DeepClone();
        foreach (var opNode in ops)
        {
            if (opNode is not JsonObject op || op["op"] is not JsonValue opv || !opv.TryGetValue(out string? name))
            {
                throw new PatchException("Unexpected kind: unknown", malformed: true);
            }
            var path = op["path"]?.GetValue<string>() ?? throw new PatchException($"{name} operation missing path", malformed: true);
            switch (name)
            {
                case "add":
                    doc = Add(doc, path, op["value"]?.DeepClone());
                    break;
                case "remove":
                    doc = Remove(doc, path, out _);
                    break;
                case "replace":
                    Get(doc, path, "replace");
                    doc = Remove(doc, path, out _);
                    doc = Add(doc, path, op["value"]?.DeepClone());
                    break;
                case "move":
                    {
                        var from = op["from"]?.GetValue<string>() ?? throw new PatchException("move operation missing from", malformed: true);
                        doc = Remove(doc, from, out var moved);
                        doc = Add(doc, path, moved);
                        break;
                    }
                case "copy":
                    {
                        var from = op["from"]?.GetValue<string>() ?? throw new PatchException("copy operation missing from", malformed: true);
                        doc = Add(doc, path, Get(doc, from, "copy")?.DeepClone());
                        break;
                    }
                case "test":
                    if (!JsonNode.DeepEquals(Get(doc, path, "test"), op["value"]))
                    {
                        throw new PatchException($"testing value {path} failed: test failed");
                    }
                    break;
                default:
                    throw new PatchException($"Unexpected kind: {name}", malformed: true);
            }
        }
        return doc;
    }

    private static List<string> Tokens(string pointer)
    {
        if (pointer.Length == 0)
        {
            return [];
        }
        if (pointer[0] != '/')
        {
            throw new PatchException($"JSON pointer must be empty or start with a \"/\": {pointer}");
        }
        return pointer[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToList();
    }

    private static JsonNode? Get(JsonNode? doc, string path, string op)
    {
        var cur = doc;
        foreach (var t in Tokens(path))
        {
            cur = cur switch
            {
                JsonObject o when o.ContainsKey(t) => o[t],
                JsonArray a when int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count => a[i],
                _ => throw new PatchException(op == "test"
                    ? $"testing value {path} failed: test failed"
                    : $"{op} operation does not apply: doc is missing path: \"{path}\": missing value"),
            };
        }
        return cur;
    }

    private static (JsonNode Parent, string Last) Parent(JsonNode? doc, string path, string op)
    {
        var tokens = Tokens(path);
        var cur = doc;
        for (var i = 0; i < tokens.Count - 1; i++)
        {
            var t = tokens[i];
            cur = cur switch
            {
                JsonObject o when o[t] is not null => o[t],
                JsonArray a when int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var ix) && ix < a.Count => a[ix],
                _ => null,
            };
            if (cur is null)
            {
                throw new PatchException($"{op} operation does not apply: doc is missing path: \"{path}\": missing value");
            }
        }
        if (cur is null)
        {
            throw new PatchException($"{op} operation does not apply: doc is missing path: \"{path}\": missing value");
        }
        return (cur, tokens[^1]);
    }

    private static JsonNode? Add(JsonNode? doc, string path, JsonNode? value)
    {
        if (path.Length == 0)
        {
            return value;
        }
        var (parent, last) = Parent(doc, path, "add");
        switch (parent)
        {
            case JsonObject o:
                o.Remove(last);
                o[last] = value;
                break;
            case JsonArray a:
                if (last == "-")
                {
                    a.Add(value);
                }
                else if (int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i <= a.Count)
                {
                    a.Insert(i, value);
                }
                else
                {
                    throw new PatchException($"add operation does not apply: doc is missing path: \"{path}\": invalid index");
                }
                break;
            default:
                throw new PatchException($"add operation does not apply: doc is missing path: \"{path}\": missing value");
        }
        return doc;
    }

    private static JsonNode? Remove(JsonNode? doc, string path, out JsonNode? removed)
    {
        var (parent, last) = Parent(doc, path, "remove");
        switch (parent)
        {
            case JsonObject o when o.ContainsKey(last):
                removed = o[last];
                o.Remove(last);
                return doc;
            case JsonArray a when int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i < a.Count:
                removed = a[i];
                a.RemoveAt(i);
                return doc;
            default:
                throw new PatchException($"remove operation does not apply: doc is missing path: \"{path}\": missing value");
        }
    }
}
