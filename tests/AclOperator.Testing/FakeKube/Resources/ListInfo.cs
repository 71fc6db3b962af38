using System.Text.Json.Nodes;

namespace AclOperator.Testing.FakeKube.Resources;

/// <summary>How a list merges: x-kubernetes-list-type (server-side apply) and patchStrategy/patchMergeKey (strategic merge).</summary>
internal enum ListType
{
    Atomic,
    Set,
    Map,
}

/// <summary>List semantics at one field path of a kind.</summary>
internal sealed record ListInfo(ListType Type, IReadOnlyList<string> Keys, string? MergeKey, bool SmpMerge, bool RetainKeys = false)
{
    /// <summary>Defaults of key fields (server-side apply needs every key, e.g. ports[].protocol defaults to TCP).</summary>
    public IReadOnlyDictionary<string, JsonNode> KeyDefaults { get; init; } = new Dictionary<string, JsonNode>();

    public static readonly ListInfo Atomic = new(ListType.Atomic, [], null, false);

    public static ListInfo MapBy(params string[] keys) => new(ListType.Map, keys, keys[0], true);

    public static readonly ListInfo PrimitiveSet = new(ListType.Set, [], null, true);
}

/// <summary>Type knowledge about a kind that patching and field management need: list and map semantics by path.</summary>
internal interface ITypeSemantics
{
    /// <summary>The list semantics at a path of field names (list indices omitted).</summary>
    ListInfo ListAt(IReadOnlyList<string> path);

    /// <summary>True when the map at the path is atomic (x-kubernetes-map-type: atomic).</summary>
    bool IsAtomicMap(IReadOnlyList<string> path);
}
