using System.Text.Json.Nodes;
using AclOperator.Testing.FakeKube.Api;
using AclOperator.Testing.FakeKube.Json;
using AclOperator.Testing.FakeKube.Resources;

namespace AclOperator.Testing.FakeKube.Controllers;

/// <summary>
/// The controllers of a real control plane whose effects the operator can observe: the garbage collector
/// (kube-controller-manager pkg/controller/garbagecollector: background deletion of dependents whose owners are
/// all absent — an owner reference resolves in the dependent's own namespace, so a dependent pointing at an
/// owner in another namespace is collected — plus orphan and foreground deletion), the namespace controller
/// (deletes a terminating namespace's content, then the namespace) and the CRD finalizer (deletes a CRD's
/// instances before the CRD).
/// </summary>
internal sealed class ClusterControllers
{
    private readonly ServerState _s;
    private readonly ApiOperations _ops;

    private readonly StatefulSetSimulator? _statefulSets;

    public ClusterControllers(ServerState state, ApiOperations ops)
    {
        _s = state;
        _ops = ops;
        _statefulSets = state.Options.SimulateStatefulSets ? new StatefulSetSimulator(state, ops) : null;
    }

    private sealed record Item(ResourceType Type, JsonObject Object)
    {
        public JsonObject Meta => (JsonObject)Object["metadata"]!;

        public string Ns => JsonTools.Str(Meta, "namespace") ?? "";

        public string Name => JsonTools.Str(Meta, "name")!;

        public string Uid => JsonTools.Str(Meta, "uid") ?? "";

        public bool Deleting => Meta["deletionTimestamp"] is not null;

        public bool HasFinalizer(string f) => (Meta["finalizers"] as JsonArray)?.Any(x => x?.GetValue<string>() == f) ?? false;
    }

    private List<Item> Snapshot()
    {
        var items = new List<Item>();
        foreach (var key in _s.Store.StorageKeys())
        {
            var type = _s.Catalog.FindStorage(key);
            if (type is null)
            {
                continue;
            }
            items.AddRange(_s.Store.Scan(key, null).Select(x => new Item(type, x.Object)));
        }
        return items;
    }

    /// <summary>Runs one pass of every controller; returns whether anything was written.</summary>
    public bool RunOnce()
    {
        lock (_s.Store.Gate)
        {
            var before = _s.Store.Revision;
            Namespaces();
            CustomResourceCleanup();
            GarbageCollect();
            _statefulSets?.RunOnce();
            return _s.Store.Revision != before;
        }
    }

    private void Namespaces()
    {
        var all = Snapshot();
        foreach (var ns in all.Where(i => i.Type.Kind == "Namespace" && i.Type.Group.Length == 0 && i.Deleting))
        {
            var content = all.Where(i => i.Type.Namespaced && i.Ns == ns.Name).ToList();
            foreach (var item in content.Where(i => !i.Deleting))
            {
                _ops.DeleteInternal(item.Type, item.Ns, item.Name, "Background");
            }
            if (content.Count > 0)
            {
                continue;
            }
            var obj = JsonTools.Clone(ns.Object);
            JsonTools.Obj(obj, "spec")["finalizers"] = new JsonArray();
            if ((ns.Meta["finalizers"] as JsonArray)?.Count is null or 0)
            {
                _s.Store.Remove(ns.Type.StorageKey, "", ns.Name, obj);
            }
            else if (!JsonNode.DeepEquals(obj, ns.Object))
            {
                _s.Store.Put(ns.Type.StorageKey, "", ns.Name, obj);
            }
        }
    }

    private void CustomResourceCleanup()
    {
        var all = Snapshot();
        foreach (var crd in all.Where(i => i.Type.Kind == "CustomResourceDefinition" && i.Deleting && i.HasFinalizer(CustomResourceDefinitions.CleanupFinalizer)))
        {
            var storage = $"{JsonTools.StrAt(crd.Object, "spec", "names", "plural")}.{JsonTools.StrAt(crd.Object, "spec", "group")}";
            var instances = all.Where(i => i.Type.StorageKey == storage).ToList();
            foreach (var item in instances.Where(i => !i.Deleting))
            {
                _ops.DeleteInternal(item.Type, item.Ns, item.Name, "Background");
            }
            if (instances.Count == 0)
            {
                RemoveFinalizer(crd, CustomResourceDefinitions.CleanupFinalizer);
            }
        }
    }

    private void RemoveFinalizer(Item item, string finalizer)
    {
        var changed = JsonTools.Clone(item.Object);
        var list = (JsonArray)JsonTools.Metadata(changed)["finalizers"]!;
        for (var i = list.Count - 1; i >= 0; i--)
        {
            if (list[i]?.GetValue<string>() == finalizer)
            {
                list.RemoveAt(i);
            }
        }
        _ops.UpdateInternal(item.Type, item.Object, changed, "kube-controller-manager");
    }

    private enum OwnerState
    {
        Present,
        Absent,
        Unresolvable,
    }

    private OwnerState Resolve(Item dependent, JsonObject reference, Dictionary<(string StorageKey, string Ns, string Name), Item> index)
    {
        var (group, _) = ResourceCatalog.SplitApiVersion(JsonTools.Str(reference, "apiVersion") ?? "");
        var ownerType = _s.Catalog.FindGroupKind(group, JsonTools.Str(reference, "kind") ?? "");
        if (ownerType is null)
        {
            return OwnerState.Unresolvable;
        }
        if (ownerType.Namespaced && !dependent.Type.Namespaced)
        {
            // A cluster-scoped dependent cannot have a namespaced owner: the reference is unresolvable (never collected).
            return OwnerState.Unresolvable;
        }
        var ownerNs = ownerType.Namespaced ? dependent.Ns : "";
        return index.TryGetValue((ownerType.StorageKey, ownerNs, JsonTools.Str(reference, "name") ?? ""), out var owner) &&
               owner.Uid == JsonTools.Str(reference, "uid")
            ? OwnerState.Present
            : OwnerState.Absent;
    }

    private void GarbageCollect()
    {
        var all = Snapshot();
        var index = all.ToDictionary(i => (i.Type.StorageKey, i.Ns, i.Name));
        var byOwnerUid = new Dictionary<string, List<Item>>(StringComparer.Ordinal);
        foreach (var item in all)
        {
            foreach (var r in (item.Meta["ownerReferences"] as JsonArray ?? []).OfType<JsonObject>())
            {
                var uid = JsonTools.Str(r, "uid") ?? "";
                if (!byOwnerUid.TryGetValue(uid, out var list))
                {
                    byOwnerUid[uid] = list = [];
                }
                list.Add(item);
            }
        }

        foreach (var owner in all.Where(i => i.Deleting))
        {
            var dependents = byOwnerUid.GetValueOrDefault(owner.Uid) ?? [];
            if (owner.HasFinalizer("orphan"))
            {
                foreach (var d in dependents)
                {
                    var current = _s.Store.Get(d.Type.StorageKey, d.Ns, d.Name);
                    if (current is null)
                    {
                        continue;
                    }
                    var changed = JsonTools.Clone(current);
                    RemoveOwnerReferences(changed, r => JsonTools.Str(r, "uid") == owner.Uid);
                    _ops.UpdateInternal(d.Type, current, changed, "kube-controller-manager");
                }
                RemoveFinalizer(owner, "orphan");
            }
            else if (owner.HasFinalizer("foregroundDeletion"))
            {
                foreach (var d in dependents.Where(d => !d.Deleting))
                {
                    _ops.DeleteInternal(d.Type, d.Ns, d.Name, "Foreground");
                }
                var blocking = dependents.Where(d => _s.Store.Get(d.Type.StorageKey, d.Ns, d.Name) is not null &&
                    (d.Meta["ownerReferences"] as JsonArray ?? []).OfType<JsonObject>().Any(r =>
                        JsonTools.Str(r, "uid") == owner.Uid && r["blockOwnerDeletion"] is JsonValue b && b.GetValue<bool>()));
                if (!blocking.Any())
                {
                    var current = _s.Store.Get(owner.Type.StorageKey, owner.Ns, owner.Name);
                    if (current is not null)
                    {
                        RemoveFinalizer(owner with { Object = current }, "foregroundDeletion");
                    }
                }
            }
        }

        foreach (var item in all)
        {
            if (item.Meta["ownerReferences"] is not JsonArray refs || refs.Count == 0 || item.Deleting)
            {
                continue;
            }
            if (_s.Store.Get(item.Type.StorageKey, item.Ns, item.Name) is not { } current)
            {
                continue;
            }
            var states = refs.OfType<JsonObject>().Select(r => (Ref: r, State: Resolve(item, r, index))).ToList();
            if (states.Any(s => s.State == OwnerState.Unresolvable))
            {
                continue;
            }
            var absent = states.Where(s => s.State == OwnerState.Absent).ToList();
            if (absent.Count == 0)
            {
                continue;
            }
            if (absent.Count == states.Count)
            {
                _ops.DeleteInternal(item.Type, item.Ns, item.Name, "Background", item.Uid);
                continue;
            }
            var changed = JsonTools.Clone(current);
            var dangling = absent.Select(a => JsonTools.Str(a.Ref, "uid")).ToHashSet();
            RemoveOwnerReferences(changed, r => dangling.Contains(JsonTools.Str(r, "uid")));
            _ops.UpdateInternal(item.Type, current, changed, "kube-controller-manager");
        }
    }

    private static void RemoveOwnerReferences(JsonObject obj, Func<JsonObject, bool> predicate)
    {
        var meta = JsonTools.Metadata(obj);
        if (meta["ownerReferences"] is not JsonArray refs)
        {
            return;
        }
        for (var i = refs.Count - 1; i >= 0; i--)
        {
            if (refs[i] is JsonObject r && predicate(r))
            {
                refs.RemoveAt(i);
            }
        }
        if (refs.Count == 0)
        {
            meta.Remove("ownerReferences");
        }
    }
}
