using System.Text;
using System.Text.Json.Nodes;

namespace AclOperator.Testing.FakeKube.Apply;

/// <summary>
/// A set of field paths in the FieldsV1 vocabulary of sigs.k8s.io/structured-merge-diff: each path is a
/// sequence of elements "f:&lt;field&gt;", "k:&lt;key fields json&gt;", "v:&lt;value json&gt;".
/// </summary>
internal sealed class FieldSet
{
    private const char Separator = '\n';
    private readonly HashSet<string> _paths;

    public FieldSet() => _paths = new HashSet<string>(StringComparer.Ordinal);

    private FieldSet(IEnumerable<string> paths) => _paths = new HashSet<string>(paths, StringComparer.Ordinal);

    public int Count => _paths.Count;

    public bool IsEmpty => _paths.Count == 0;

    public IEnumerable<string> Paths => _paths;

    public static string Join(IEnumerable<string> elements) => string.Join(Separator, elements);

    public static string Child(string path, string element) => path.Length == 0 ? element : path + Separator + element;

    public static string[] Elements(string path) => path.Length == 0 ? [] : path.Split(Separator);

    public void Add(string path) => _paths.Add(path);

    public bool Contains(string path) => _paths.Contains(path);

    public FieldSet Union(FieldSet other) => new(_paths.Concat(other._paths));

    public FieldSet Intersect(FieldSet other) => new(_paths.Where(other._paths.Contains));

    public FieldSet Except(FieldSet other) => new(_paths.Where(p => !other._paths.Contains(p)));

    /// <summary>Paths at or below the given prefix removed (e.g. dropping "status" from a main-resource manager).</summary>
    public FieldSet WithoutPrefix(string prefix) =>
        new(_paths.Where(p => p != prefix && !p.StartsWith(prefix + Separator, StringComparison.Ordinal)));

    /// <summary>Only the paths at or below the given prefix.</summary>
    public FieldSet OnlyPrefix(string prefix) =>
        new(_paths.Where(p => p == prefix || p.StartsWith(prefix + Separator, StringComparison.Ordinal)));

    /// <summary>The FieldsV1 JSON tree: children by element, "." marking a member that also has children.</summary>
    public JsonObject ToFieldsV1()
    {
        var root = new JsonObject();
        foreach (var path in _paths.OrderBy(p => p, StringComparer.Ordinal))
        {
            var node = root;
            foreach (var e in Elements(path))
            {
                if (node[e] is not JsonObject child)
                {
                    child = new JsonObject();
                    node[e] = child;
                }
                node = child;
            }
            node["."] = new JsonObject();
        }
        Normalize(root);
        return Sort(root);
    }

    // A member without children is written as {} rather than {".": {}}.
    private static void Normalize(JsonObject node)
    {
        foreach (var (k, v) in node.ToList())
        {
            if (k == "." || v is not JsonObject child)
            {
                continue;
            }
            Normalize(child);
            if (child.Count == 1 && child.ContainsKey("."))
            {
                child.Remove(".");
            }
        }
    }

    private static JsonObject Sort(JsonObject node)
    {
        var sorted = new JsonObject();
        foreach (var (k, v) in node.OrderBy(p => p.Key == "." ? "" : p.Key, StringComparer.Ordinal))
        {
            sorted[k] = v is JsonObject c ? Sort(c) : new JsonObject();
        }
        return sorted;
    }

    public static FieldSet FromFieldsV1(JsonObject? fields)
    {
        var set = new FieldSet();
        if (fields is not null)
        {
            Collect(fields, "", set);
        }
        return set;
    }

    private static void Collect(JsonObject node, string path, FieldSet set)
    {
        foreach (var (k, v) in node)
        {
            if (k == ".")
            {
                if (path.Length > 0)
                {
                    set.Add(path);
                }
                continue;
            }
            var child = Child(path, k);
            if (v is JsonObject c && c.Count > 0)
            {
                Collect(c, child, set);
            }
            else
            {
                set.Add(child);
            }
        }
    }

    /// <summary>Renders a path like structured-merge-diff's fieldpath.Path.String(): .spec.containers[name="x"].image.</summary>
    public static string Display(string path)
    {
        var sb = new StringBuilder();
        foreach (var e in Elements(path))
        {
            if (e.StartsWith("f:", StringComparison.Ordinal))
            {
                sb.Append('.').Append(e.AsSpan(2));
            }
            else if (e.StartsWith("v:", StringComparison.Ordinal))
            {
                sb.Append("[=").Append(e.AsSpan(2)).Append(']');
            }
            else if (e.StartsWith("k:", StringComparison.Ordinal))
            {
                var key = JsonNode.Parse(e[2..]) as JsonObject ?? new JsonObject();
                sb.Append('[').Append(string.Join(",", key.Select(p => p.Key + "=" + p.Value?.ToJsonString()))).Append(']');
            }
            else if (e.StartsWith("i:", StringComparison.Ordinal))
            {
                sb.Append('[').Append(e.AsSpan(2)).Append(']');
            }
        }
        return sb.ToString();
    }
}
