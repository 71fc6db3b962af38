using AclOperator.Testing.FakeKube.Resources;

namespace AclOperator.Testing.FakeKube.Schema;

/// <summary>List and map semantics of a custom resource, read from x-kubernetes-list-type/-list-map-keys/-map-type.</summary>
internal sealed class SchemaSemantics : ITypeSemantics
{
    private static readonly BuiltInSemantics Metadata = new();
    private readonly StructuralSchema? _root;

    public SchemaSemantics(StructuralSchema? root) => _root = root;

    private StructuralSchema? Navigate(IReadOnlyList<string> path)
    {
        var cur = _root;
        foreach (var segment in path)
        {
            if (cur is null)
            {
                return null;
            }
            if (cur.Type == "array")
            {
                cur = cur.Items;
                if (cur is null)
                {
                    return null;
                }
            }
            cur = cur.Child(segment);
        }
        return cur;
    }

    public ListInfo ListAt(IReadOnlyList<string> path)
    {
        if (path.Count > 0 && path[0] == "metadata")
        {
            return Metadata.ListAt(path);
        }
        var s = Navigate(path);
        return s?.ListType switch
        {
            "map" => new ListInfo(ListType.Map, s.ListMapKeys, s.ListMapKeys.Count > 0 ? s.ListMapKeys[0] : null, true)
            {
                KeyDefaults = s.Items is null ? new Dictionary<string, System.Text.Json.Nodes.JsonNode>() :
                    s.ListMapKeys.Select(k => (k, d: s.Items.Property(k)?.Default))
                        .Where(x => x.d is not null).ToDictionary(x => x.k, x => x.d!),
            },
            "set" => ListInfo.PrimitiveSet,
            _ => ListInfo.Atomic,
        };
    }

    public bool IsAtomicMap(IReadOnlyList<string> path)
    {
        if (path.Count > 0 && path[0] == "metadata")
        {
            return false;
        }
        var s = Navigate(path);
        return s is not null && (s.MapType == "atomic");
    }
}
