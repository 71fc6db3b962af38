using System.Text.Json.Nodes;
using AclOperator.Testing.FakeKube.Json;
using AclOperator.Testing.FakeKube.Resources;

namespace AclOperator.Testing.FakeKube.Apply;

/// <summary>
/// Walks objects with a kind's list/map semantics to produce field sets: the set an applied configuration
/// specifies (structured-merge-diff ToFieldSet) and what changed between two versions (Compare: added or
/// modified, and removed).
/// </summary>
internal sealed class FieldWalker
{
    private readonly ITypeSemantics _sem;

    public FieldWalker(ITypeSemantics semantics) => _sem = semantics;

    public static string FieldElement(string name) => "f:" + name;

    public static string ValueElement(JsonNode? value) => "v:" + JsonTools.ToJson(value);

    /// <summary>The k:{...} element of an associative list item, or null when the item lacks a key.</summary>
    public static string? KeyElement(JsonNode? item, ListInfo info)
    {
        if (item is not JsonObject o)
        {
            return null;
        }
        var key = new JsonObject();
        foreach (var k in info.Keys.OrderBy(k => k, StringComparer.Ordinal))
        {
            if (o[k] is { } v)
            {
                key[k] = v.DeepClone();
            }
            else if (info.KeyDefaults.TryGetValue(k, out var d))
            {
                key[k] = d.DeepClone();
            }
            else
            {
                return null;
            }
        }
        return "k:" + JsonTools.ToJson(key);
    }

    /// <summary>Every leaf and list item an object specifies.</summary>
    public FieldSet ToSet(JsonNode? value)
    {
        var set = new FieldSet();
        Collect(value, "", [], set, root: true);
        return set;
    }

    private void Collect(JsonNode? value, string path, List<string> schemaPath, FieldSet set, bool root = false)
    {
        switch (value)
        {
            case JsonObject o when root || !_sem.IsAtomicMap(schemaPath):
                if (o.Count == 0 && !root)
                {
                    set.Add(path);
                }
                foreach (var (k, v) in o)
                {
                    Collect(v, FieldSet.Child(path, FieldElement(k)), [.. schemaPath, k], set);
                }
                break;
            case JsonArray a:
                CollectList(a, path, schemaPath, set);
                break;
            default:
                set.Add(path);
                break;
        }
    }

    private void CollectList(JsonArray a, string path, List<string> schemaPath, FieldSet set)
    {
        var info = _sem.ListAt(schemaPath);
        switch (info.Type)
        {
            case ListType.Set:
                foreach (var item in a)
                {
                    set.Add(FieldSet.Child(path, ValueElement(item)));
                }
                if (a.Count == 0)
                {
                    set.Add(path);
                }
                break;
            case ListType.Map when a.All(i => KeyElement(i, info) is not null):
                foreach (var item in a)
                {
                    var itemPath = FieldSet.Child(path, KeyElement(item, info)!);
                    set.Add(itemPath);
                    foreach (var (k, v) in (JsonObject)item!)
                    {
                        Collect(v, FieldSet.Child(itemPath, FieldElement(k)), [.. schemaPath, k], set);
                    }
                }
                if (a.Count == 0)
                {
                    set.Add(path);
                }
                break;
            default:
                set.Add(path);
                break;
        }
    }

    /// <summary>Paths added or modified from old to new, and paths removed.</summary>
    public (FieldSet Changed, FieldSet Removed) Compare(JsonNode? oldValue, JsonNode? newValue)
    {
        var changed = new FieldSet();
        var removed = new FieldSet();
        Diff(oldValue, newValue, "", [], changed, removed, root: true);
        return (changed, removed);
    }

    private void Diff(JsonNode? oldV, JsonNode? newV, string path, List<string> schemaPath, FieldSet changed, FieldSet removed, bool root = false)
    {
        if (newV is JsonObject no && (root || !_sem.IsAtomicMap(schemaPath)))
        {
            var oo = oldV as JsonObject;
            if (oo is null && !root)
            {
                changed.Add(path);
            }
            foreach (var (k, v) in no)
            {
                Diff(oo?[k], v, FieldSet.Child(path, FieldElement(k)), [.. schemaPath, k], changed, removed);
            }
            if (oo is not null)
            {
                foreach (var (k, v) in oo)
                {
                    if (!no.ContainsKey(k))
                    {
                        MarkRemoved(v, FieldSet.Child(path, FieldElement(k)), [.. schemaPath, k], removed);
                    }
                }
            }
            return;
        }
        if (newV is JsonArray na)
        {
            var info = _sem.ListAt(schemaPath);
            var oa = oldV as JsonArray;
            if (info.Type == ListType.Set)
            {
                if (oa is null && na.Count == 0)
                {
                    changed.Add(path);
                }
                foreach (var item in na)
                {
                    if (oa is null || !oa.Any(o => JsonNode.DeepEquals(o, item)))
                    {
                        changed.Add(FieldSet.Child(path, ValueElement(item)));
                    }
                }
                foreach (var item in oa ?? [])
                {
                    if (!na.Any(n => JsonNode.DeepEquals(n, item)))
                    {
                        removed.Add(FieldSet.Child(path, ValueElement(item)));
                    }
                }
                return;
            }
            if (info.Type == ListType.Map && na.All(i => KeyElement(i, info) is not null) &&
                (oa is null || oa.All(i => KeyElement(i, info) is not null)))
            {
                if (oa is null && na.Count == 0)
                {
                    changed.Add(path);
                }
                var oldItems = (oa ?? []).ToDictionary(i => KeyElement(i, info)!, i => i, StringComparer.Ordinal);
                foreach (var item in na)
                {
                    var key = KeyElement(item, info)!;
                    var itemPath = FieldSet.Child(path, key);
                    oldItems.TryGetValue(key, out var oldItem);
                    if (oldItem is null)
                    {
                        changed.Add(itemPath);
                    }
                    var oi = oldItem as JsonObject;
                    foreach (var (k, v) in (JsonObject)item!)
                    {
                        Diff(oi?[k], v, FieldSet.Child(itemPath, FieldElement(k)), [.. schemaPath, k], changed, removed);
                    }
                    if (oi is not null)
                    {
                        foreach (var (k, v) in oi)
                        {
                            if (!((JsonObject)item).ContainsKey(k))
                            {
                                MarkRemoved(v, FieldSet.Child(itemPath, FieldElement(k)), [.. schemaPath, k], removed);
                            }
                        }
                    }
                    oldItems.Remove(key);
                }
                foreach (var (key, item) in oldItems)
                {
                    MarkRemoved(item, FieldSet.Child(path, key), schemaPath, removed, listItem: true);
                }
                return;
            }
        }
        if (!JsonNode.DeepEquals(oldV, newV))
        {
            changed.Add(path);
        }
    }

    private void MarkRemoved(JsonNode? value, string path, List<string> schemaPath, FieldSet removed, bool listItem = false)
    {
        removed.Add(path);
        if (listItem && value is JsonObject item)
        {
            foreach (var (k, v) in item)
            {
                MarkRemoved(v, FieldSet.Child(path, FieldElement(k)), [.. schemaPath, k], removed);
            }
            return;
        }
        var sub = new FieldSet();
        Collect(value, path, schemaPath, sub);
        foreach (var p in sub.Paths)
        {
            removed.Add(p);
        }
    }
}
