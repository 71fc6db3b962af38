using System.Text.Json.Nodes;
using AclOperator.Testing.FakeKube.Resources;

namespace AclOperator.Testing.FakeKube.Patching;

/// <summary>
/// Strategic merge patch (k8s.io/apimachinery/pkg/util/strategicpatch) for the built-in kinds: lists merge by
/// their patchMergeKey, primitive "merge" lists union, other lists are replaced; the directives $patch
/// (replace/delete/merge), $retainKeys, $setElementOrder/&lt;list&gt; and $deleteFromPrimitiveList/&lt;list&gt; are honoured.
/// </summary>
internal static class StrategicMergePatch
{
    private const string SetElementOrder = "$setElementOrder/";
    private const string DeleteFromPrimitiveList = "$deleteFromPrimitiveList/";

    public static JsonObject Apply(JsonObject original, JsonObject patch, ITypeSemantics semantics) =>
        MergeMap((JsonObject)original.DeepClone(), patch, semantics, []) ?? new JsonObject();

    private static JsonObject? MergeMap(JsonObject target, JsonObject patch, ITypeSemantics sem, List<string> path)
    {
        if (patch["$patch"] is JsonValue directive)
        {
            switch (directive.GetValue<string>())
            {
                case "replace":
                    return StripDirectives(patch);
                case "delete":
                    return null;
                case "merge":
                    break;
                default:
                    throw new PatchException($"Unknown patch type: {directive.GetValue<string>()}", malformed: true);
            }
        }
        List<string>? retain = null;
        if (patch["$retainKeys"] is JsonArray rk)
        {
            retain = rk.Select(k => k!.GetValue<string>()).ToList();
        }
        foreach (var (key, value) in patch)
        {
            if (key is "$patch" or "$retainKeys" || key.StartsWith(SetElementOrder, StringComparison.Ordinal))
            {
                continue;
            }
            if (key.StartsWith(DeleteFromPrimitiveList, StringComparison.Ordinal))
            {
                var field = key[DeleteFromPrimitiveList.Length..];
                if (target[field] is JsonArray list && value is JsonArray remove)
                {
                    for (var i = list.Count - 1; i >= 0; i--)
                    {
                        if (remove.Any(r => JsonNode.DeepEquals(r, list[i])))
                        {
                            list.RemoveAt(i);
                        }
                    }
                }
                continue;
            }
            var childPath = new List<string>(path) { key };
            if (value is null)
            {
                target.Remove(key);
                continue;
            }
            JsonNode? merged;
            switch (value)
            {
                case JsonObject po when target[key] is JsonObject to && !sem.IsAtomicMap(childPath):
                    merged = MergeMap((JsonObject)to.DeepClone(), po, sem, childPath);
                    break;
                case JsonObject po:
                    merged = po["$patch"] is JsonValue d && d.GetValue<string>() == "delete" ? null : StripDirectives(po);
                    break;
                case JsonArray pa:
                    merged = MergeList(target[key] as JsonArray, pa, sem, childPath);
                    break;
                default:
                    merged = value.DeepClone();
                    break;
            }
            target.Remove(key);
            if (merged is not null)
            {
                target[key] = merged;
            }
        }
        foreach (var (key, value) in patch)
        {
            if (key.StartsWith(SetElementOrder, StringComparison.Ordinal) && value is JsonArray order)
            {
                var field = key[SetElementOrder.Length..];
                if (target[field] is JsonArray list)
                {
                    var info = sem.ListAt(new List<string>(path) { field });
                    target.Remove(field);
                    target[field] = Reorder(list, order, info.MergeKey);
                }
            }
        }
        if (retain is not null)
        {
            foreach (var k in target.Select(p => p.Key).ToList())
            {
                if (!retain.Contains(k))
                {
                    target.Remove(k);
                }
            }
        }
        return target;
    }

    private static JsonArray MergeList(JsonArray? target, JsonArray patch, ITypeSemantics sem, List<string> path)
    {
        var info = sem.ListAt(path);
        if (!info.SmpMerge)
        {
            return StripList(patch);
        }
        var result = target is null ? new JsonArray() : (JsonArray)target.DeepClone();
        if (info.MergeKey is null)
        {
            // A primitive list with patchStrategy "merge": union, keeping order.
            foreach (var item in patch)
            {
                if (!result.Any(r => JsonNode.DeepEquals(r, item)))
                {
                    result.Add(item?.DeepClone());
                }
            }
            return result;
        }
        if (patch.Any(i => i is JsonObject o && o["$patch"] is JsonValue v && v.GetValue<string>() == "replace"))
        {
            return new JsonArray(patch.Where(i => !(i is JsonObject o && o["$patch"] is not null)).Select(i => StripDirectives((JsonObject)i!)).ToArray<JsonNode?>());
        }
        foreach (var item in patch)
        {
            if (item is not JsonObject pi || !pi.TryGetPropertyValue(info.MergeKey, out var keyValue))
            {
                throw new PatchException($"map: {item?.ToJsonString()} does not contain declared merge key: {info.MergeKey}");
            }
            var index = IndexOf(result, info.MergeKey, keyValue);
            var delete = pi["$patch"] is JsonValue d && d.GetValue<string>() == "delete";
            if (delete)
            {
                if (index >= 0)
                {
                    result.RemoveAt(index);
                }
                continue;
            }
            if (index >= 0)
            {
                var merged = MergeMap((JsonObject)result[index]!.DeepClone(), pi, sem, path);
                result[index] = merged;
            }
            else
            {
                result.Add(StripDirectives(pi));
            }
        }
        return result;
    }

    private static int IndexOf(JsonArray list, string key, JsonNode? value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] is JsonObject o && JsonNode.DeepEquals(o[key], value))
            {
                return i;
            }
        }
        return -1;
    }

    private static JsonArray Reorder(JsonArray list, JsonArray order, string? mergeKey)
    {
        JsonNode? KeyOf(JsonNode? item) => mergeKey is null ? item : (item as JsonObject)?[mergeKey];
        var items = list.Select(i => i?.DeepClone()).ToList();
        var ordered = new List<JsonNode?>();
        foreach (var o in order)
        {
            var key = mergeKey is null ? o : (o as JsonObject)?[mergeKey];
            var found = items.FindIndex(i => JsonNode.DeepEquals(KeyOf(i), key));
            if (found >= 0)
            {
                ordered.Add(items[found]);
                items.RemoveAt(found);
            }
        }
        ordered.AddRange(items);
        return new JsonArray(ordered.ToArray());
    }

    private static JsonObject StripDirectives(JsonObject o)
    {
        var copy = new JsonObject();
        foreach (var (k, v) in o)
        {
            if (k.StartsWith('$'))
            {
                continue;
            }
            copy[k] = v switch
            {
                JsonObject c => StripDirectives(c),
                JsonArray a => StripList(a),
                _ => v?.DeepClone(),
            };
        }
        return copy;
    }

    private static JsonArray StripList(JsonArray a) =>
        new(a.Select(i => i is JsonObject o ? StripDirectives(o) : i?.DeepClone()).ToArray());
}
