using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AclOperator.Testing.FakeKube.Apply;
using AclOperator.Testing.FakeKube.Json;
using AclOperator.Testing.FakeKube.Patching;
using AclOperator.Testing.FakeKube.Resources;
using AclOperator.Testing.FakeKube.Schema;
using AclOperator.Testing.FakeKube.Selectors;
using AclOperator.Testing.FakeKube.Storage;

namespace AclOperator.Testing.FakeKube.Api;

/// <summary>
/// The generic registry (k8s.io/apiserver/pkg/registry/generic/registry/store.go) over the fake's store:
/// create, get, list, update, patch (JSON, merge, strategic, apply), delete with finalizers and propagation,
/// with the real server's preconditions, defaulting, validation, generation and managedFields handling.
/// Every operation runs under the store gate, so a read-modify-write is atomic.
/// </summary>
internal sealed class ApiOperations
{
    private readonly ServerState _s;

    public ApiOperations(ServerState state) => _s = state;

    private ObjectStore Store => _s.Store;

    /// <summary>Sets the apiVersion/kind a response in the requested version carries.</summary>
    public static JsonObject ForVersion(JsonObject stored, ResourceType type)
    {
        if (type.IsEventsApiView)
        {
            stored = EventsConversion.FromStorage(stored);
        }
        var copy = new JsonObject { ["kind"] = type.Kind, ["apiVersion"] = type.ApiVersion };
        foreach (var (k, v) in stored)
        {
            if (k is not ("kind" or "apiVersion"))
            {
                copy[k] = v?.DeepClone();
            }
        }
        return copy;
    }

    private static string Ns(ResourceType type, string? ns) => type.Namespaced ? ns ?? "" : "";

    // Incoming objects of an API view are converted to the storage format once their type meta is checked.
    private static JsonObject ToStorage(ResourceType type, JsonObject obj) =>
        type.IsEventsApiView ? EventsConversion.ToStorage(obj) : obj;

    public JsonObject Get(ResourceType type, string? ns, string name)
    {
        lock (Store.Gate)
        {
            var obj = Store.Get(type.StorageKey, Ns(type, ns), name) ?? throw ApiErrors.NotFound(type, name);
            return ForVersion(obj, type);
        }
    }

    // ---------------------------------------------------------------- list

    private sealed record ContinueToken(long Revision, string Start);

    private static string EncodeContinue(long rv, string lastKey)
    {
        var json = new JsonObject { ["v"] = "meta.k8s.io/v1", ["rv"] = rv, ["start"] = lastKey + "\u0000" }.ToJsonString();
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json));
    }

    private static ContinueToken DecodeContinue(string token)
    {
        try
        {
            var json = JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(token))) as JsonObject;
            if (JsonTools.Str(json, "v") != "meta.k8s.io/v1" || JsonTools.Int(json, "rv") is not long rv || JsonTools.Str(json, "start") is not { } start)
            {
                throw new FormatException("unexpected token");
            }
            return new ContinueToken(rv, start);
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            throw ApiErrors.BadRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
        }
    }

    public const string ContinueTooOld =
        "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";

    public JsonObject List(ResourceType type, string? ns, ListRequest request)
    {
        var labels = LabelSelector.Parse(request.LabelSelector);
        var fields = FieldSelector.Parse(request.FieldSelector, type);
        lock (Store.Gate)
        {
            List<(string Key, JsonObject Object)> scanned;
            long revision;
            string? start = null;
            var scanNs = type.Namespaced && !string.IsNullOrEmpty(ns) ? ns : null;
            if (!string.IsNullOrEmpty(request.Continue))
            {
                if (!string.IsNullOrEmpty(request.ResourceVersion) && request.ResourceVersion != "0")
                {
                    throw ApiErrors.BadRequest("specifying resource version is not allowed when using continue");
                }
                var token = DecodeContinue(request.Continue);
                revision = token.Revision;
                start = token.Start;
                scanned = Store.ScanAt(type.StorageKey, scanNs, revision, () => ApiErrors.Expired(ContinueTooOld));
            }
            else if (request.ResourceVersionMatch == "Exact" && long.TryParse(request.ResourceVersion, CultureInfo.InvariantCulture, out var exact))
            {
                if (exact > Store.Revision)
                {
                    throw new ApiException(504, "Timeout", $"Too large resource version: {exact}, current: {Store.Revision}");
                }
                revision = exact;
                scanned = Store.ScanAt(type.StorageKey, scanNs, revision,
                    () => ApiErrors.Expired($"The resourceVersion for the provided list is too old."));
            }
            else
            {
                revision = Store.Revision;
                scanned = Store.Scan(type.StorageKey, scanNs);
            }
            var matching = scanned
                .Where(x => start is null || string.CompareOrdinal(x.Key, start) >= 0)
                .Where(x => labels.Matches(JsonTools.At(x.Object, "metadata", "labels") as JsonObject) && fields.Matches(x.Object))
                .ToList();
            var page = request.Limit > 0 ? matching.Take((int)request.Limit).ToList() : matching;
            var items = new JsonArray();
            foreach (var (_, o) in page)
            {
                var item = ForVersion(o, type);
                if (!type.IsCustom)
                {
                    item.Remove("kind");
                    item.Remove("apiVersion");
                }
                items.Add(item);
            }
            var meta = new JsonObject { ["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture) };
            if (page.Count < matching.Count)
            {
                meta["continue"] = EncodeContinue(revision, page[^1].Key);
                if (labels.IsEmpty && fields.IsEmpty)
                {
                    meta["remainingItemCount"] = matching.Count - page.Count;
                }
            }
            return new JsonObject
            {
                ["kind"] = type.ListKind,
                ["apiVersion"] = type.ApiVersion,
                ["metadata"] = meta,
                ["items"] = items,
            };
        }
    }

    // ---------------------------------------------------------------- create

    private static void CheckTypeMeta(ResourceType type, JsonObject obj, bool required = false)
    {
        var apiVersion = JsonTools.Str(obj, "apiVersion");
        var kind = JsonTools.Str(obj, "kind");
        if (required && (string.IsNullOrEmpty(apiVersion) || string.IsNullOrEmpty(kind)))
        {
            throw ApiErrors.BadRequest(string.IsNullOrEmpty(kind) ? "Object 'Kind' is missing in '" + obj.ToJsonString() + "'" : "Object 'apiVersion' is missing in '" + obj.ToJsonString() + "'");
        }
        if (!string.IsNullOrEmpty(apiVersion) && apiVersion != type.ApiVersion)
        {
            throw ApiErrors.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({type.ApiVersion})");
        }
        if (!string.IsNullOrEmpty(kind) && kind != type.Kind)
        {
            throw ApiErrors.BadRequest($"the kind in the data ({kind}) does not match the expected kind ({type.Kind})");
        }
        obj["apiVersion"] = type.ApiVersion;
        obj["kind"] = type.Kind;
    }

    private static void CheckNamespace(ResourceType type, JsonObject meta, string? requestNs)
    {
        var objNs = JsonTools.Str(meta, "namespace");
        if (type.Namespaced)
        {
            if (string.IsNullOrEmpty(objNs))
            {
                meta["namespace"] = requestNs;
            }
            else if (objNs != requestNs)
            {
                throw ApiErrors.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }
        }
        else
        {
            if (!string.IsNullOrEmpty(objNs) && objNs != "default")
            {
                throw ApiErrors.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }
            meta.Remove("namespace");
        }
    }

    private void CheckNamespaceLifecycle(ResourceType type, string ns, string name)
    {
        if (!type.Namespaced)
        {
            return;
        }
        var nsType = _s.Catalog.Find("", "v1", "namespaces")!;
        var nsObj = Store.Get(nsType.StorageKey, "", ns) ?? throw ApiErrors.NotFound(nsType, ns);
        if (JsonTools.At(nsObj, "metadata", "deletionTimestamp") is not null)
        {
            var e = ApiErrors.Forbidden(type, name, $"unable to create new content in namespace {ns} because it is being terminated");
            e.Details!["causes"] = new JsonArray(new JsonObject
            {
                ["reason"] = "NamespaceTerminating",
                ["message"] = $"namespace {ns} is being terminated",
                ["field"] = "metadata.namespace",
            });
            throw e;
        }
    }

    /// <summary>fieldValidation for pruned unknown fields: Strict is a 400, Warn a Warning header, Ignore silence.</summary>
    private static void ReportUnknownFields(List<string> unknown, WriteOptions o)
    {
        if (unknown.Count == 0)
        {
            return;
        }
        if (o.FieldValidation == "Strict")
        {
            throw ApiErrors.BadRequest("strict decoding error: " + string.Join(", ", unknown.Select(u => $"unknown field \"{u}\"")));
        }
        if (o.FieldValidation == "Warn")
        {
            o.Warnings.AddRange(unknown.Select(u => $"unknown field \"{u}\""));
        }
    }

    /// <summary>Pruning, defaulting and schema validation of custom resources; unknown fields per fieldValidation.</summary>
    private static void CustomResourcePipeline(ResourceType type, JsonObject obj, WriteOptions o, List<FieldError> errors)
    {
        if (type.Schema is not { } schema)
        {
            return;
        }
        ReportUnknownFields(SchemaPruner.Prune(obj, schema), o);
        SchemaDefaulter.Apply(obj, schema);
        errors.AddRange(SchemaValidator.Validate(obj, schema));
    }

    private void ValidateObject(ResourceType type, JsonObject obj, JsonObject? old, WriteOptions o)
    {
        var errors = new List<FieldError>();
        ObjectMetaValidation.Validate(type, obj, old, errors);
        if (type.IsCustom)
        {
            CustomResourcePipeline(type, obj, o, errors);
        }
        else
        {
            ReportUnknownFields(BuiltInFields.Prune(type, obj), o);
            BuiltInStrategy.Validate(type, obj, old, errors);
            if (type.Kind == "CustomResourceDefinition")
            {
                errors.AddRange(CustomResourceDefinitions.Validate(obj, old));
            }
        }
        if (errors.Count > 0)
        {
            throw ApiErrors.Invalid(type, JsonTools.StrAt(obj, "metadata", "name") ?? "", errors);
        }
    }

    public JsonObject Create(ResourceType type, string? ns, JsonObject body, WriteOptions o, bool managedFieldsComputed = false)
    {
        lock (Store.Gate)
        {
            var obj = JsonTools.Clone(body);
            CheckTypeMeta(type, obj);
            obj = ToStorage(type, obj);
            BuiltInStrategy.CheckDecodable(type, obj);
            var meta = JsonTools.Metadata(obj);
            CheckNamespace(type, meta, ns);
            if (!managedFieldsComputed && !string.IsNullOrEmpty(JsonTools.Str(meta, "resourceVersion")))
            {
                throw ApiErrors.BadRequest("resourceVersion should not be set on objects to be created");
            }
            meta.Remove("resourceVersion");
            if (string.IsNullOrEmpty(JsonTools.Str(meta, "name")) && JsonTools.Str(meta, "generateName") is { Length: > 0 } prefix)
            {
                meta["name"] = prefix + ServerState.RandomSuffix();
            }
            var name = JsonTools.Str(meta, "name") ?? "";
            var objNs = Ns(type, JsonTools.Str(meta, "namespace"));
            if (name.Length > 0)
            {
                CheckNamespaceLifecycle(type, objNs, name);
            }
            if (type.Kind == "CustomResourceDefinition")
            {
                CustomResourceDefinitions.Default(obj);
            }
            BuiltInStrategy.Default(type, obj);
            BuiltInStrategy.PrepareForCreate(type, obj, _s);
            if (type.IsCustom && type.HasStatus)
            {
                obj.Remove("status");
            }
            ValidateObject(type, obj, null, o);
            if (Store.Get(type.StorageKey, objNs, name) is not null)
            {
                throw ApiErrors.AlreadyExists(type, name);
            }
            var now = _s.Now;
            meta["uid"] = Guid.NewGuid().ToString();
            meta["creationTimestamp"] = JsonTools.Timestamp(now);
            meta.Remove("deletionTimestamp");
            meta.Remove("deletionGracePeriodSeconds");
            meta.Remove("selfLink");
            meta.Remove("generation");
            if (type.Generation != GenerationPolicy.None)
            {
                meta["generation"] = 1;
            }
            if (type.Kind == "CustomResourceDefinition")
            {
                AddFinalizer(meta, CustomResourceDefinitions.CleanupFinalizer);
                CustomResourceDefinitions.SetEstablished(obj, now, null);
            }
            if (!managedFieldsComputed)
            {
                FieldManager.TrackUpdate(null, obj, type, o.FieldManager, null, now);
            }
            meta["resourceVersion"] = "";
            Reorder(type, obj);
            if (o.DryRun)
            {
                JsonTools.Metadata(obj).Remove("resourceVersion");
                return ForVersion(obj, type);
            }
            var stored = Store.Put(type.StorageKey, objNs, name, obj).Object;
            AfterWrite(type, stored);
            return ForVersion(stored, type);
        }
    }

    private static void AddFinalizer(JsonObject meta, string finalizer)
    {
        if (meta["finalizers"] is not JsonArray list)
        {
            list = [];
            meta["finalizers"] = list;
        }
        if (!list.Any(f => f?.GetValue<string>() == finalizer))
        {
            list.Add(finalizer);
        }
    }

    // Go's encoding/json writes struct fields in declaration order and map keys sorted. Custom resources are
    // unstructured maps all the way down (every key sorted); built-in kinds keep their field order, with the map
    // fields (labels, annotations, data, selectors) sorted.
    private static readonly string[][] BuiltInMapFields =
    [
        ["metadata", "labels"], ["metadata", "annotations"], ["data"], ["binaryData"], ["spec", "selector"],
        ["spec", "selector", "matchLabels"], ["spec", "template", "metadata", "labels"],
        ["spec", "template", "metadata", "annotations"], ["spec", "template", "spec", "nodeSelector"], ["spec", "nodeSelector"],
    ];

    private static void SortKeys(JsonObject o, bool recursive)
    {
        var entries = o.OrderBy(p => p.Key, StringComparer.Ordinal).ToList();
        o.Clear();
        foreach (var (k, v) in entries)
        {
            o[k] = v;
            if (!recursive)
            {
                continue;
            }
            if (v is JsonObject child)
            {
                SortKeys(child, true);
            }
            else if (v is JsonArray list)
            {
                foreach (var item in list.OfType<JsonObject>())
                {
                    SortKeys(item, true);
                }
            }
        }
    }

    private static void Reorder(ResourceType type, JsonObject obj)
    {
        if (type.IsCustom)
        {
            SortKeys(obj, recursive: true);
            return;
        }
        foreach (var path in BuiltInMapFields)
        {
            if (JsonTools.At(obj, path) is JsonObject map && !(path is ["spec", "selector"] && map.ContainsKey("matchLabels")))
            {
                SortKeys(map, recursive: false);
            }
        }
        Reorder(obj);
    }

    // Keeps the conventional field order (apiVersion, kind, metadata, then the rest) in responses.
    private static void Reorder(JsonObject obj)
    {
        var entries = obj.ToList();
        obj.Clear();
        foreach (var key in new[] { "apiVersion", "kind", "metadata" })
        {
            var e = entries.FirstOrDefault(p => p.Key == key);
            if (e.Key is not null)
            {
                obj[key] = e.Value;
            }
        }
        foreach (var (k, v) in entries)
        {
            if (k is not ("apiVersion" or "kind" or "metadata"))
            {
                obj[k] = v;
            }
        }
        if (obj["metadata"] is JsonObject meta)
        {
            var fields = meta.ToList();
            meta.Clear();
            foreach (var (k, v) in fields.OrderBy(f => MetadataOrder(f.Key)))
            {
                meta[k] = v;
            }
        }
    }

    // ObjectMeta's field order in Go, which the JSON encoder follows.
    private static readonly string[] MetadataFields =
    [
        "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp",
        "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers", "managedFields",
    ];

    private static int MetadataOrder(string field)
    {
        var i = Array.IndexOf(MetadataFields, field);
        return i < 0 ? MetadataFields.Length : i;
    }

    private void AfterWrite(ResourceType type, JsonObject stored)
    {
        if (type.Kind == "CustomResourceDefinition" && type.Group == "apiextensions.k8s.io")
        {
            var name = JsonTools.StrAt(stored, "metadata", "name")!;
            _s.Catalog.SetCustom(name, CustomResourceDefinitions.ToResourceTypes(stored));
        }
    }

    // ---------------------------------------------------------------- update

    public JsonObject Update(ResourceType type, string? ns, string name, JsonObject body, string? subresource, WriteOptions o)
    {
        lock (Store.Gate)
        {
            var obj = JsonTools.Clone(body);
            CheckTypeMeta(type, obj);
            obj = ToStorage(type, obj);
            var meta = JsonTools.Metadata(obj);
            var bodyName = JsonTools.Str(meta, "name") ?? "";
            if (bodyName != name)
            {
                throw ApiErrors.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
            }
            CheckNamespace(type, meta, ns);
            var existing = Store.Get(type.StorageKey, Ns(type, ns), name) ?? throw ApiErrors.NotFound(type, name);
            CheckPreconditions(type, name, meta, existing, allowUnconditional: type.AllowUnconditionalUpdate);
            return UpdateCore(type, existing, obj, subresource, o, trackFields: true);
        }
    }

    private static void CheckPreconditions(ResourceType type, string name, JsonObject meta, JsonObject existing, bool allowUnconditional)
    {
        var rv = JsonTools.Str(meta, "resourceVersion");
        var current = JsonTools.StrAt(existing, "metadata", "resourceVersion");
        if (string.IsNullOrEmpty(rv))
        {
            if (!allowUnconditional)
            {
                throw ApiErrors.Invalid(type, name,
                    [new FieldError(FieldError.Invalid, "metadata.resourceVersion", FieldErrorValue.Raw("0x0"), "must be specified for an update")]);
            }
        }
        else if (rv != current)
        {
            throw ApiErrors.Conflict(type, name, ApiErrors.ObjectModified);
        }
        var uid = JsonTools.Str(meta, "uid");
        var currentUid = JsonTools.StrAt(existing, "metadata", "uid");
        if (!string.IsNullOrEmpty(uid) && uid != currentUid)
        {
            throw ApiErrors.Conflict(type, name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {currentUid}");
        }
    }

    private static bool GenerationChanged(ResourceType type, JsonObject obj, JsonObject old)
    {
        switch (type.Generation)
        {
            case GenerationPolicy.Spec:
                return !JsonNode.DeepEquals(obj["spec"], old["spec"]);
            case GenerationPolicy.AllButMetadataAndStatus:
            case GenerationPolicy.AllButMetadata:
                var a = JsonTools.Clone(obj);
                var b = JsonTools.Clone(old);
                foreach (var x in new[] { a, b })
                {
                    x.Remove("metadata");
                    x.Remove("apiVersion");
                    x.Remove("kind");
                    if (type.Generation == GenerationPolicy.AllButMetadataAndStatus)
                    {
                        x.Remove("status");
                    }
                }
                return !JsonNode.DeepEquals(a, b);
            default:
                return false;
        }
    }

    /// <summary>The shared tail of update, patch and apply: strategy, validation, generation, managedFields, commit.</summary>
    private JsonObject UpdateCore(ResourceType type, JsonObject existing, JsonObject obj, string? subresource, WriteOptions o, bool trackFields)
    {
        var old = existing;
        if (subresource == "status")
        {
            var status = obj["status"]?.DeepClone();
            var managed = JsonTools.At(obj, "metadata", "managedFields")?.DeepClone();
            obj = JsonTools.Clone(old);
            obj.Remove("status");
            if (status is not null)
            {
                obj["status"] = status;
            }
            if (!trackFields)
            {
                var m = JsonTools.Metadata(obj);
                m.Remove("managedFields");
                if (managed is not null)
                {
                    m["managedFields"] = managed;
                }
            }
        }
        CheckTypeMeta(type, obj);
        BuiltInStrategy.CheckDecodable(type, obj);
        var meta = JsonTools.Metadata(obj);
        var oldMeta = (JsonObject)old["metadata"]!;
        foreach (var f in new[] { "name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation" })
        {
            meta.Remove(f);
            if (oldMeta[f] is { } v)
            {
                meta[f] = v.DeepClone();
            }
        }
        meta.Remove("selfLink");
        meta["resourceVersion"] = oldMeta["resourceVersion"]?.DeepClone();
        if (subresource != "status")
        {
            if (type.Kind == "CustomResourceDefinition")
            {
                CustomResourceDefinitions.Default(obj);
            }
            BuiltInStrategy.Default(type, obj);
            BuiltInStrategy.PrepareForUpdate(type, obj, old);
            if (type.IsCustom && type.HasStatus)
            {
                obj.Remove("status");
                if (old["status"] is { } st)
                {
                    obj["status"] = st.DeepClone();
                }
            }
        }
        ValidateObject(type, obj, old, o);
        if (type.Generation != GenerationPolicy.None && GenerationChanged(type, obj, old))
        {
            meta["generation"] = (JsonTools.Int(oldMeta, "generation") ?? 0) + 1;
        }
        var now = _s.Now;
        if (type.Kind == "CustomResourceDefinition" && subresource != "status")
        {
            CustomResourceDefinitions.SetEstablished(obj, now, old);
        }
        if (trackFields)
        {
            FieldManager.TrackUpdate(old, obj, type, o.FieldManager, subresource, now);
        }
        Reorder(type, obj);
        obj = JsonTools.Normalize(obj);
        meta = JsonTools.Metadata(obj);
        if (JsonNode.DeepEquals(obj, old))
        {
            return ForVersion(old, type);
        }
        if (o.DryRun)
        {
            return ForVersion(obj, type);
        }
        var ns = JsonTools.Str(meta, "namespace") ?? "";
        var name = JsonTools.Str(meta, "name")!;
        if (ShouldDeleteDuringUpdate(type, obj))
        {
            var e = Store.Remove(type.StorageKey, ns, name, obj)!;
            AfterDelete(type, e.Object);
            return ForVersion(e.Object, type);
        }
        var stored = Store.Put(type.StorageKey, ns, name, obj).Object;
        AfterWrite(type, stored);
        return ForVersion(stored, type);
    }

    private static bool ShouldDeleteDuringUpdate(ResourceType type, JsonObject obj)
    {
        var meta = (JsonObject)obj["metadata"]!;
        if (meta["deletionTimestamp"] is null)
        {
            return false;
        }
        if (meta["finalizers"] is JsonArray f && f.Count > 0)
        {
            return false;
        }
        if (type.Kind == "Namespace" && type.Group.Length == 0 && JsonTools.At(obj, "spec", "finalizers") is JsonArray nf && nf.Count > 0)
        {
            return false;
        }
        return true;
    }

    // ---------------------------------------------------------------- patch

    public const string JsonPatchType = "application/json-patch+json";
    public const string MergePatchType = "application/merge-patch+json";
    public const string StrategicPatchType = "application/strategic-merge-patch+json";
    public const string ApplyPatchType = "application/apply-patch+yaml";

    public JsonObject Patch(ResourceType type, string? ns, string name, string patchType, JsonNode? patch, string? subresource, WriteOptions o)
    {
        lock (Store.Gate)
        {
            var existing = Store.Get(type.StorageKey, Ns(type, ns), name);
            if (patchType == ApplyPatchType)
            {
                return ApplyPatch(type, ns, name, existing, patch, subresource, o);
            }
            if (existing is null)
            {
                throw ApiErrors.NotFound(type, name);
            }
            var current = ForVersion(existing, type);
            JsonNode? patched;
            try
            {
                patched = patchType switch
                {
                    JsonPatchType => JsonPatch.Apply(current, patch),
                    MergePatchType => patch is JsonObject ? MergePatch.Apply(current, patch) : throw new PatchException("json: cannot unmarshal into Go value of type map[string]interface {}", malformed: true),
                    StrategicPatchType when type.IsCustom => throw ApiErrors.UnsupportedMediaType(
                        $"the body of the request was in an unknown format - accepted media types include: {JsonPatchType}, {MergePatchType}, {ApplyPatchType}"),
                    StrategicPatchType => patch is JsonObject sp ? StrategicMergePatch.Apply(current, sp, type.Semantics) : throw new PatchException("unable to unmarshal patch", malformed: true),
                    _ => throw ApiErrors.UnsupportedMediaType($"the body of the request was in an unknown format - accepted media types include: {JsonPatchType}, {MergePatchType}, {ApplyPatchType}, {StrategicPatchType}"),
                };
            }
            catch (PatchException e) when (e.Malformed)
            {
                throw ApiErrors.BadRequest(e.Message);
            }
            catch (PatchException)
            {
                // patch.go: errors.NewGenericServerResponse(422, "", schema.GroupResource{}, "", err.Error(), 0, false),
                // which keeps only the generic message (the JSON patch library's error is not returned).
                throw new ApiException(422, "Invalid", "the server rejected our request due to an error in our request", new JsonObject());
            }
            if (patched is not JsonObject obj)
            {
                throw new ApiException(422, "Invalid", "the server rejected our request due to an error in our request");
            }
            return UpdatePatched(type, name, existing, ToStorage(type, obj), subresource, o, trackFields: true);
        }
    }

    private JsonObject UpdatePatched(ResourceType type, string name, JsonObject existing, JsonObject obj, string? subresource, WriteOptions o, bool trackFields)
    {
        var meta = JsonTools.Metadata(obj);
        if (JsonTools.Str(meta, "name") != name)
        {
            throw ApiErrors.Invalid(type, name, [FieldError.InvalidString("metadata.name", JsonTools.Str(meta, "name") ?? "", "field is immutable")]);
        }
        CheckPreconditions(type, name, meta, existing, allowUnconditional: true);
        return UpdateCore(type, existing, obj, subresource, o, trackFields);
    }

    private JsonObject ApplyPatch(ResourceType type, string? ns, string name, JsonObject? existing, JsonNode? patch, string? subresource, WriteOptions o)
    {
        if (string.IsNullOrEmpty(o.FieldManager) || !o.ExplicitFieldManager)
        {
            throw ApiErrors.BadRequest("PATCH requests with apply content type must specify fieldManager");
        }
        if (patch is not JsonObject config)
        {
            throw ApiErrors.BadRequest("error decoding YAML: the applied configuration is not an object");
        }
        CheckTypeMeta(type, JsonTools.Clone(config), required: true);
        var configName = JsonTools.StrAt(config, "metadata", "name");
        if (configName != name)
        {
            throw ApiErrors.BadRequest($"the name of the object ({configName}) does not match the name on the URL ({name})");
        }
        if (existing is null)
        {
            if (subresource is not null)
            {
                throw ApiErrors.NotFound(type, name);
            }
            if (!string.IsNullOrEmpty(JsonTools.StrAt(config, "metadata", "resourceVersion")))
            {
                throw ApiErrors.Conflict(type, name, ApiErrors.ObjectModified);
            }
            var created = FieldManager.Apply(null, config, type, o.FieldManager, o.Force, null, _s.Now);
            return Create(type, ns, created, o, managedFieldsComputed: true);

        }
        var current = ForVersion(existing, type);
        var configRv = JsonTools.StrAt(config, "metadata", "resourceVersion");
        if (!string.IsNullOrEmpty(configRv) && configRv != JsonTools.StrAt(existing, "metadata", "resourceVersion"))
        {
            throw ApiErrors.Conflict(type, name, ApiErrors.ObjectModified);
        }
        var merged = FieldManager.Apply(current, config, type, o.FieldManager, o.Force, subresource, _s.Now);
        JsonTools.Metadata(merged)["resourceVersion"] = JsonTools.StrAt(existing, "metadata", "resourceVersion");
        return UpdatePatched(type, name, existing, ToStorage(type, merged), subresource, o, trackFields: false);
    }

    // ---------------------------------------------------------------- delete

    /// <summary>Deletes (or marks for deletion); returns the body to answer with.</summary>
    public JsonObject Delete(ResourceType type, string? ns, string name, DeleteRequest d, WriteOptions o)
    {
        lock (Store.Gate)
        {
            var objNs = Ns(type, ns);
            var existing = Store.Get(type.StorageKey, objNs, name) ?? throw ApiErrors.NotFound(type, name);
            var meta = (JsonObject)existing["metadata"]!;
            if (d.PreconditionUid is { Length: > 0 } uid && uid != JsonTools.Str(meta, "uid"))
            {
                throw ApiErrors.Conflict(type, name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {JsonTools.Str(meta, "uid")}");
            }
            if (d.PreconditionResourceVersion is { Length: > 0 } prv && prv != JsonTools.Str(meta, "resourceVersion"))
            {
                throw ApiErrors.Conflict(type, name, $"Precondition failed: ResourceVersion in precondition: {prv}, ResourceVersion in object meta: {JsonTools.Str(meta, "resourceVersion")}");
            }
            var policy = d.PropagationPolicy ?? (d.OrphanDependents == true ? "Orphan" : null);
            if (policy is not (null or "Background" or "Foreground" or "Orphan"))
            {
                throw ApiErrors.Invalid(type, name, [FieldError.Unsupported("propagationPolicy", JsonValue.Create(policy), ["Foreground", "Background", "Orphan", "nil"])]);
            }
            var obj = JsonTools.Clone(existing);
            var objMeta = JsonTools.Metadata(obj);
            if (type.Kind == "Namespace" && type.Group.Length == 0)
            {
                if (objMeta["deletionTimestamp"] is null)
                {
                    objMeta["deletionTimestamp"] = JsonTools.Timestamp(_s.Now);
                    objMeta["deletionGracePeriodSeconds"] = 0;
                    obj["status"] = new JsonObject { ["phase"] = "Terminating" };
                    if (!o.DryRun)
                    {
                        obj = Store.Put(type.StorageKey, "", name, obj).Object;
                    }
                }
                return ForVersion(obj, type);
            }
            if (policy == "Orphan")
            {
                AddFinalizer(objMeta, "orphan");
            }
            else if (policy == "Foreground")
            {
                AddFinalizer(objMeta, "foregroundDeletion");
            }
            if (objMeta["finalizers"] is JsonArray finalizers && finalizers.Count > 0)
            {
                if (objMeta["deletionTimestamp"] is null)
                {
                    // store.go markAsDeleting: generation bump, deletionTimestamp now, grace period 0.
                    if (JsonTools.Int(objMeta, "generation") is long g && g > 0)
                    {
                        objMeta["generation"] = g + 1;
                    }
                    objMeta["deletionTimestamp"] = JsonTools.Timestamp(_s.Now);
                    objMeta["deletionGracePeriodSeconds"] = 0;
                }
                if (!JsonNode.DeepEquals(JsonTools.Normalize(obj), existing) && !o.DryRun)
                {
                    obj = Store.Put(type.StorageKey, objNs, name, obj).Object;
                }
                return ForVersion(obj, type);
            }
            if (!o.DryRun)
            {
                var e = Store.Remove(type.StorageKey, objNs, name)!;
                AfterDelete(type, e.Object);
                if (type.ReturnDeletedObject)
                {
                    return ForVersion(e.Object, type);
                }
            }
            var details = new JsonObject { ["name"] = name };
            if (type.Group.Length > 0)
            {
                details["group"] = type.Group;
            }
            details["kind"] = type.Plural;
            details["uid"] = JsonTools.Str(meta, "uid");
            return new JsonObject
            {
                ["kind"] = "Status",
                ["apiVersion"] = "v1",
                ["metadata"] = new JsonObject(),
                ["status"] = "Success",
                ["details"] = details,
            };
        }
    }

    private void AfterDelete(ResourceType type, JsonObject deleted)
    {
        if (type.Kind == "CustomResourceDefinition" && type.Group == "apiextensions.k8s.io")
        {
            _s.Catalog.RemoveCustom(JsonTools.StrAt(deleted, "metadata", "name")!);
        }
    }

    public JsonObject DeleteCollection(ResourceType type, string? ns, ListRequest list, DeleteRequest d, WriteOptions o)
    {
        lock (Store.Gate)
        {
            var listed = List(type, ns, new ListRequest { LabelSelector = list.LabelSelector, FieldSelector = list.FieldSelector });
            var items = new JsonArray();
            foreach (var item in ((JsonArray)listed["items"]!).OfType<JsonObject>())
            {
                var name = JsonTools.StrAt(item, "metadata", "name")!;
                var itemNs = JsonTools.StrAt(item, "metadata", "namespace");
                var before = Store.Get(type.StorageKey, Ns(type, itemNs), name);
                Delete(type, itemNs, name, d, o);
                var after = Store.Get(type.StorageKey, Ns(type, itemNs), name);
                var shown = ForVersion(after ?? before!, type);
                if (!type.IsCustom)
                {
                    shown.Remove("kind");
                    shown.Remove("apiVersion");
                }
                items.Add(shown);
            }
            listed["items"] = items;
            return listed;
        }
    }

    /// <summary>Deletes an object from a controller (garbage collector, namespace controller); missing objects are ignored.</summary>
    public void DeleteInternal(ResourceType type, string ns, string name, string? propagation, string? uid = null)
    {
        try
        {
            Delete(type, ns, name, new DeleteRequest { PropagationPolicy = propagation, PreconditionUid = uid },
                new WriteOptions { FieldManager = "kube-controller-manager" });
        }
        catch (ApiException e) when (e.Code is 404 or 409)
        {
        }
    }

    /// <summary>Writes the status of an object as a controller (through the status subresource).</summary>
    public void UpdateStatusInternal(ResourceType type, JsonObject existing, JsonObject changed, string manager)
    {
        lock (Store.Gate)
        {
            UpdateCore(type, existing, changed, "status", new WriteOptions { FieldManager = manager }, trackFields: true);
        }
    }

    /// <summary>Writes an object changed by a controller (finalizer or ownerReference removal) as an Update.</summary>
    public void UpdateInternal(ResourceType type, JsonObject existing, JsonObject changed, string manager)
    {
        lock (Store.Gate)
        {
            UpdateCore(type, existing, changed, null, new WriteOptions { FieldManager = manager }, trackFields: true);
        }
    }
}
