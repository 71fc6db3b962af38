using System.Text.Json.Nodes;
using AclOperator.Testing.FakeKube.Api;
using AclOperator.Testing.FakeKube.Json;
using AclOperator.Testing.FakeKube.Resources;

namespace AclOperator.Testing.FakeKube.Apply;

/// <summary>
/// Field ownership as the API server's fieldmanager keeps it in metadata.managedFields: Update operations take
/// ownership of what they change (from everyone), Apply operations own exactly what their configuration
/// specifies, conflict (409) on fields another manager owns and the apply would change unless force=true,
/// and remove fields they stop specifying when nobody else owns them.
/// </summary>
internal static class FieldManager
{
    // apiserver's fieldmanager strips these before comparing (internal/stripmeta.go).
    private static readonly string[] StrippedMetadata =
        ["name", "namespace", "creationTimestamp", "selfLink", "uid", "generation", "managedFields", "resourceVersion"];

    private const string StatusPath = "f:status";

    // The exact paths the fieldmanager strips from every set (they are never owned, compared or removed).
    private static readonly HashSet<string> StrippedPaths = new(
        new[] { "f:apiVersion", "f:kind", "f:metadata" }
            .Concat(StrippedMetadata.Select(f => FieldSet.Join(["f:metadata", "f:" + f]))),
        StringComparer.Ordinal);

    private static FieldSet StripSet(FieldSet set)
    {
        var result = new FieldSet();
        foreach (var p in set.Paths)
        {
            if (!StrippedPaths.Contains(p) && !p.StartsWith(FieldSet.Join(["f:metadata", "f:managedFields"]), StringComparison.Ordinal))
            {
                result.Add(p);
            }
        }
        return result;
    }

    public static JsonObject Strip(JsonObject? obj)
    {
        var copy = obj is null ? new JsonObject() : JsonTools.Clone(obj);
        copy.Remove("apiVersion");
        copy.Remove("kind");
        if (copy["metadata"] is JsonObject m)
        {
            foreach (var f in StrippedMetadata)
            {
                m.Remove(f);
            }
            if (m.Count == 0)
            {
                copy.Remove("metadata");
            }
        }
        return copy;
    }

    // The reset fields of each endpoint: the main resource never owns status, /status owns only status.
    private static FieldSet Reset(FieldSet set, ResourceType type, string? subresource)
    {
        set = StripSet(set);
        return subresource == "status" ? set.OnlyPrefix(StatusPath) : type.HasStatus ? set.WithoutPrefix(StatusPath) : set;
    }

    /// <summary>Records an Update operation by a manager from old (null on create) to updated, in updated's metadata.</summary>
    public static void TrackUpdate(JsonObject? old, JsonObject updated, ResourceType type, string manager, string? subresource, DateTimeOffset now)
    {
        var meta = JsonTools.Metadata(updated);
        var oldManaged = JsonTools.At(old, "metadata", "managedFields");
        if (meta["managedFields"] is JsonArray given && !JsonNode.DeepEquals(given, oldManaged))
        {
            // The client wrote managedFields itself: keep them as given; an empty list clears them.
            if (given.Count == 0)
            {
                meta.Remove("managedFields");
            }
            return;
        }
        var entries = ManagedFieldsEntry.Parse(old);
        var walker = new FieldWalker(type.Semantics);
        var (changed, removed) = walker.Compare(Strip(old), Strip(updated));
        changed = Reset(changed, type, subresource);
        foreach (var e in entries)
        {
            e.Set = StripSet(e.Set).Except(removed).Except(changed);
        }
        var mine = entries.FirstOrDefault(e => e.SameIdentity(manager, "Update", type.ApiVersion, subresource));
        if (mine is null && !changed.IsEmpty)
        {
            mine = new ManagedFieldsEntry { Manager = manager, Operation = "Update", ApiVersion = type.ApiVersion, Subresource = subresource };
            entries.Add(mine);
        }
        if (mine is not null && !changed.IsEmpty)
        {
            mine.Set = mine.Set.Union(changed);
            mine.Time = JsonTools.Timestamp(now);
        }
        Write(meta, entries);
    }

    private static void Write(JsonObject meta, List<ManagedFieldsEntry> entries)
    {
        var encoded = ManagedFieldsEntry.Encode(entries);
        meta.Remove("managedFields");
        if (encoded.Count > 0)
        {
            meta["managedFields"] = encoded;
        }
    }

    /// <summary>Server-side apply of a configuration onto the live object (null when creating); returns the new object.</summary>
    public static JsonObject Apply(JsonObject? live, JsonObject config, ResourceType type, string manager, bool force, string? subresource, DateTimeOffset now)
    {
        var walker = new FieldWalker(type.Semantics);
        var configSet = Reset(walker.ToSet(Strip(config)), type, subresource);
        var liveObj = live is null ? new JsonObject() : JsonTools.Clone(live);
        var cleanConfig = JsonTools.Clone(config);
        if (cleanConfig["metadata"] is JsonObject cm)
        {
            foreach (var f in new[] { "managedFields", "resourceVersion", "uid", "creationTimestamp", "generation", "selfLink" })
            {
                cm.Remove(f);
            }
        }
        var merged = (JsonObject)MergeInto(liveObj, cleanConfig, type.Semantics, [])!;
        var (changed, _) = walker.Compare(Strip(liveObj), Strip(merged));
        changed = Reset(changed, type, subresource);

        var entries = ManagedFieldsEntry.Parse(live);
        foreach (var e in entries)
        {
            e.Set = StripSet(e.Set);
        }
        var mine = entries.FirstOrDefault(e => e.SameIdentity(manager, "Apply", type.ApiVersion, subresource));
        var conflicts = new List<(ManagedFieldsEntry Entry, string Path)>();
        foreach (var e in entries)
        {
            if (ReferenceEquals(e, mine))
            {
                continue;
            }
            foreach (var p in e.Set.Intersect(changed).Paths.OrderBy(p => p, StringComparer.Ordinal))
            {
                conflicts.Add((e, p));
            }
        }
        if (conflicts.Count > 0)
        {
            if (!force)
            {
                throw ConflictError(conflicts);
            }
            foreach (var e in entries)
            {
                e.Set = e.Set.Except(changed);
            }
        }

        var previous = mine?.Set ?? new FieldSet();
        var others = entries.Where(e => !ReferenceEquals(e, mine)).Aggregate(new FieldSet(), (acc, e) => acc.Union(e.Set));
        // structured-merge-diff prune: drop what this applier owned before and nobody owns now; a field stays when it
        // or any field below it is still owned (EnsureNamedFieldsAreMembers + addBackOwnedItems).
        var toRemove = previous.Except(WithAncestors(configSet.Union(others)));
        foreach (var path in toRemove.Paths.OrderByDescending(p => FieldSet.Elements(p).Length))
        {
            RemovePath(merged, FieldSet.Elements(path), type.Semantics);
        }
        var (_, prunedAway) = walker.Compare(Strip(liveObj), Strip(merged));
        if (mine is null)
        {
            mine = new ManagedFieldsEntry { Manager = manager, Operation = "Apply", ApiVersion = type.ApiVersion, Subresource = subresource };
            entries.Add(mine);
        }
        mine.ApiVersion = type.ApiVersion;
        mine.Set = configSet;
        // managedFieldsUpdater: the applier's timestamp moves only when the apply changed the object, so a repeated
        // apply of the same configuration is a no-op that keeps the resourceVersion.
        if (mine.Time is null || !JsonNode.DeepEquals(Strip(liveObj), Strip(merged)))
        {
            mine.Time = JsonTools.Timestamp(now);
        }
        foreach (var e in entries)
        {
            if (!ReferenceEquals(e, mine))
            {
                e.Set = e.Set.Except(prunedAway);
            }
        }
        Write(JsonTools.Metadata(merged), entries);
        return merged;
    }

    private static FieldSet WithAncestors(FieldSet set)
    {
        var result = new FieldSet();
        foreach (var p in set.Paths)
        {
            var elements = FieldSet.Elements(p);
            for (var i = 1; i <= elements.Length; i++)
            {
                result.Add(FieldSet.Join(elements.Take(i)));
            }
        }
        return result;
    }

    private static ApiException ConflictError(List<(ManagedFieldsEntry Entry, string Path)> conflicts)
    {
        static string Who(ManagedFieldsEntry e) =>
            e.Operation == "Update" ? $"{JsonTools.Quote(e.Manager)} using {e.ApiVersion}" : JsonTools.Quote(e.Manager);

        var causes = new JsonArray();
        foreach (var (e, p) in conflicts)
        {
            causes.Add(new JsonObject
            {
                ["reason"] = "FieldManagerConflict",
                ["message"] = "conflict with " + Who(e),
                ["field"] = FieldSet.Display(p),
            });
        }
        string message;
        if (conflicts.Count == 1)
        {
            message = $"Apply failed with 1 conflict: conflict with {Who(conflicts[0].Entry)}: {FieldSet.Display(conflicts[0].Path)}";
        }
        else
        {
            var lines = new List<string>();
            foreach (var group in conflicts.GroupBy(c => Who(c.Entry)).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                lines.Add($"conflicts with {group.Key}:");
                lines.AddRange(group.Select(c => "- " + FieldSet.Display(c.Path)));
            }
            message = $"Apply failed with {conflicts.Count} conflicts: {string.Join("\n", lines)}";
        }
        return ApiErrors.ApplyConflict(causes, message);
    }

    /// <summary>Merges an applied configuration into the live object: maps recursively, associative lists by key, sets by value, the rest replaced.</summary>
    private static JsonNode? MergeInto(JsonNode? live, JsonNode? config, ITypeSemantics sem, List<string> path)
    {
        switch (config)
        {
            case JsonObject co when live is JsonObject lo && !sem.IsAtomicMap(path):
                {
                    var result = (JsonObject)lo.DeepClone();
                    foreach (var (k, v) in co)
                    {
                        var merged = MergeInto(lo[k], v, sem, [.. path, k]);
                        result.Remove(k);
                        if (merged is not null || v is not null)
                        {
                            result[k] = merged;
                        }
                    }
                    return result;
                }
            case JsonArray ca when live is JsonArray la:
                {
                    var info = sem.ListAt(path);
                    if (info.Type == ListType.Set)
                    {
                        var result = (JsonArray)la.DeepClone();
                        foreach (var item in ca)
                        {
                            if (!result.Any(r => JsonNode.DeepEquals(r, item)))
                            {
                                result.Add(item?.DeepClone());
                            }
                        }
                        return result;
                    }
                    if (info.Type == ListType.Map && ca.All(i => FieldWalker.KeyElement(i, info) is not null) &&
                        la.All(i => FieldWalker.KeyElement(i, info) is not null))
                    {
                        var result = (JsonArray)la.DeepClone();
                        foreach (var item in ca)
                        {
                            var key = FieldWalker.KeyElement(item, info);
                            var index = -1;
                            for (var i = 0; i < result.Count; i++)
                            {
                                if (FieldWalker.KeyElement(result[i], info) == key)
                                {
                                    index = i;
                                    break;
                                }
                            }
                            if (index >= 0)
                            {
                                result[index] = MergeInto(result[index]!.DeepClone(), item, sem, path);
                            }
                            else
                            {
                                result.Add(item?.DeepClone());
                            }
                        }
                        return result;
                    }
                    return ca.DeepClone();
                }
            default:
                return config?.DeepClone();
        }
    }

    private static void RemovePath(JsonNode? node, string[] elements, ITypeSemantics sem)
    {
        var schemaPath = new List<string>();
        var cur = node;
        for (var i = 0; i < elements.Length; i++)
        {
            var e = elements[i];
            var last = i == elements.Length - 1;
            if (e.StartsWith("f:", StringComparison.Ordinal))
            {
                var name = e[2..];
                if (cur is not JsonObject o)
                {
                    return;
                }
                if (last)
                {
                    o.Remove(name);
                    return;
                }
                schemaPath.Add(name);
                cur = o[name];
            }
            else if (cur is JsonArray a)
            {
                var info = sem.ListAt(schemaPath);
                var index = -1;
                for (var j = 0; j < a.Count; j++)
                {
                    var match = e.StartsWith("v:", StringComparison.Ordinal)
                        ? FieldWalker.ValueElement(a[j]) == e
                        : FieldWalker.KeyElement(a[j], info) == e;
                    if (match)
                    {
                        index = j;
                        break;
                    }
                }
                if (index < 0)
                {
                    return;
                }
                if (last)
                {
                    a.RemoveAt(index);
                    return;
                }
                cur = a[index];
            }
            else
            {
                return;
            }
        }
    }
}
