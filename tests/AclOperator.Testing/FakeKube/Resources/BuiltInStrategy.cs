using System.Text;
using System.Text.Json.Nodes;
using AclOperator.Testing.FakeKube.Api;
using AclOperator.Testing.FakeKube.Json;

namespace AclOperator.Testing.FakeKube.Resources;

/// <summary>
/// Kind-specific behaviour of the built-in registries (pkg/registry/*/strategy.go and pkg/apis/*/v1/defaults.go)
/// for the kinds the operator uses: defaulting, create/update preparation and the validation rules that matter.
/// </summary>
internal static class BuiltInStrategy
{
    public const string NamespaceNameLabel = "kubernetes.io/metadata.name";

    private static bool Is(ResourceType t, string group, string kind) => t.Group == group && t.Kind == kind;

    /// <summary>Defaulting, as the decoder applies it on every write.</summary>
    public static void Default(ResourceType type, JsonObject obj)
    {
        if (Is(type, "apps", "StatefulSet"))
        {
            var spec = JsonTools.Obj(obj, "spec");
            spec["replicas"] ??= 1;
            spec["podManagementPolicy"] ??= "OrderedReady";
            spec["revisionHistoryLimit"] ??= 10;
            spec["updateStrategy"] ??= new JsonObject { ["type"] = "RollingUpdate", ["rollingUpdate"] = new JsonObject { ["partition"] = 0 } };
            spec["persistentVolumeClaimRetentionPolicy"] ??= new JsonObject { ["whenDeleted"] = "Retain", ["whenScaled"] = "Retain" };
            DefaultPodSpec(JsonTools.At(spec, "template", "spec") as JsonObject);
        }
        else if (Is(type, "apps", "Deployment"))
        {
            var spec = JsonTools.Obj(obj, "spec");
            spec["replicas"] ??= 1;
            spec["revisionHistoryLimit"] ??= 10;
            spec["progressDeadlineSeconds"] ??= 600;
            spec["strategy"] ??= new JsonObject
            {
                ["type"] = "RollingUpdate",
                ["rollingUpdate"] = new JsonObject { ["maxUnavailable"] = "25%", ["maxSurge"] = "25%" },
            };
            DefaultPodSpec(JsonTools.At(spec, "template", "spec") as JsonObject);
        }
        else if (Is(type, "", "Pod"))
        {
            DefaultPodSpec(obj["spec"] as JsonObject);
        }
        else if (Is(type, "", "Service"))
        {
            var spec = JsonTools.Obj(obj, "spec");
            spec["type"] ??= "ClusterIP";
            spec["sessionAffinity"] ??= "None";
            if (JsonTools.Str(spec, "type") != "ExternalName")
            {
                spec["internalTrafficPolicy"] ??= "Cluster";
            }
            foreach (var port in (spec["ports"] as JsonArray ?? []).OfType<JsonObject>())
            {
                port["protocol"] ??= "TCP";
                port["targetPort"] ??= port["port"]?.DeepClone();
            }
        }
        else if (Is(type, "", "Secret"))
        {
            obj["type"] ??= "Opaque";
        }
    }

    private static void DefaultPodSpec(JsonObject? spec)
    {
        if (spec is null)
        {
            return;
        }
        spec["restartPolicy"] ??= "Always";
        spec["terminationGracePeriodSeconds"] ??= 30;
        spec["dnsPolicy"] ??= "ClusterFirst";
        spec["securityContext"] ??= new JsonObject();
        spec["schedulerName"] ??= "default-scheduler";
        foreach (var list in new[] { "initContainers", "containers" })
        {
            foreach (var c in (spec[list] as JsonArray ?? []).OfType<JsonObject>())
            {
                c["terminationMessagePath"] ??= "/dev/termination-log";
                c["terminationMessagePolicy"] ??= "File";
                if (c["imagePullPolicy"] is null)
                {
                    var image = JsonTools.Str(c, "image") ?? "";
                    var lastSegment = image[(image.LastIndexOf('/') + 1)..];
                    c["imagePullPolicy"] = !lastSegment.Contains(':', StringComparison.Ordinal) || image.EndsWith(":latest", StringComparison.Ordinal)
                        ? "Always" : "IfNotPresent";
                }
                foreach (var p in (c["ports"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    p["protocol"] ??= "TCP";
                }
            }
        }
    }

    /// <summary>
    /// Checks what the typed decoder would reject before any registry logic: []byte fields (Secret data, ConfigMap
    /// binaryData) must be base64, which the real server reports as a 400 decoding error.
    /// </summary>
    public static void CheckDecodable(ResourceType type, JsonObject obj)
    {
        var field = Is(type, "", "Secret") ? "data" : Is(type, "", "ConfigMap") ? "binaryData" : null;
        if (field is null || obj[field] is not JsonObject data)
        {
            return;
        }
        foreach (var (_, v) in data)
        {
            var text = v is JsonValue jv && jv.TryGetValue(out string? str) ? str : null;
            if (text is null)
            {
                throw ApiErrors.BadRequest($"{type.Kind} in version \"v1\" cannot be handled as a {type.Kind}: json: cannot unmarshal {JsonTools.Kind(v).ToString().ToLowerInvariant()} into Go struct field {type.Kind}.{field} of type []uint8");
            }
            var buffer = new byte[text.Length];
            if (!Convert.TryFromBase64String(text, buffer, out _))
            {
                var at = text.TakeWhile(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '/').Count();
                throw ApiErrors.BadRequest($"{type.Kind} in version \"v1\" cannot be handled as a {type.Kind}: illegal base64 data at input byte {at}");
            }
        }
    }

    public static void PrepareForCreate(ResourceType type, JsonObject obj, ServerState state)
    {
        if (type.HasStatus && !Is(type, "apiextensions.k8s.io", "CustomResourceDefinition"))
        {
            obj.Remove("status");
        }
        if (Is(type, "", "Namespace"))
        {
            JsonTools.Obj(obj, "spec")["finalizers"] = new JsonArray("kubernetes");
            obj["status"] = new JsonObject { ["phase"] = "Active" };
            var name = JsonTools.StrAt(obj, "metadata", "name");
            if (name is not null)
            {
                JsonTools.Obj(JsonTools.Metadata(obj), "labels")[NamespaceNameLabel] = name;
            }
        }
        else if (Is(type, "", "Secret"))
        {
            MergeStringData(obj);
        }
        else if (Is(type, "", "Service"))
        {
            var spec = JsonTools.Obj(obj, "spec");
            var kind = JsonTools.Str(spec, "type");
            if (kind != "ExternalName" && JsonTools.Str(spec, "clusterIP") is null or "")
            {
                var ip = state.AllocateClusterIp();
                spec["clusterIP"] = ip;
                spec["clusterIPs"] = new JsonArray(ip);
            }
            else if (JsonTools.Str(spec, "clusterIP") is { } given && spec["clusterIPs"] is null)
            {
                spec["clusterIPs"] = new JsonArray(given);
            }
            if (kind != "ExternalName")
            {
                spec["ipFamilies"] ??= new JsonArray("IPv4");
                spec["ipFamilyPolicy"] ??= "SingleStack";
            }
            obj["status"] = new JsonObject { ["loadBalancer"] = new JsonObject() };
        }
        else if (Is(type, "apps", "StatefulSet"))
        {
            obj["status"] = new JsonObject { ["replicas"] = 0, ["availableReplicas"] = 0 };
        }
        else if (Is(type, "", "Pod"))
        {
            obj["status"] = new JsonObject { ["phase"] = "Pending", ["qosClass"] = "BestEffort" };
        }
    }

    public static void PrepareForUpdate(ResourceType type, JsonObject obj, JsonObject old)
    {
        if (type.HasStatus)
        {
            obj.Remove("status");
            if (old["status"] is { } status)
            {
                obj["status"] = status.DeepClone();
            }
        }
        if (Is(type, "", "Namespace"))
        {
            // spec.finalizers change only through /finalize.
            obj["spec"] = old["spec"]?.DeepClone();
            var name = JsonTools.StrAt(obj, "metadata", "name");
            if (name is not null)
            {
                JsonTools.Obj(JsonTools.Metadata(obj), "labels")[NamespaceNameLabel] = name;
            }
        }
        else if (Is(type, "", "Secret"))
        {
            MergeStringData(obj);
        }
        else if (Is(type, "", "Service"))
        {
            var spec = JsonTools.Obj(obj, "spec");
            var oldSpec = old["spec"] as JsonObject;
            foreach (var f in new[] { "clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy" })
            {
                if (spec[f] is null && oldSpec?[f] is { } v)
                {
                    spec[f] = v.DeepClone();
                }
            }
        }
    }

    private static void MergeStringData(JsonObject secret)
    {
        if (secret["stringData"] is JsonObject sd)
        {
            var data = JsonTools.Obj(secret, "data");
            foreach (var (k, v) in sd)
            {
                data[k] = Convert.ToBase64String(Encoding.UTF8.GetBytes(v?.GetValue<string>() ?? ""));
            }
            secret.Remove("stringData");
        }
    }

    public static void Validate(ResourceType type, JsonObject obj, JsonObject? old, List<FieldError> errors)
    {
        if (Is(type, "", "ConfigMap") || Is(type, "", "Secret"))
        {
            ValidateData(type, obj, old, errors);
        }
        else if (Is(type, "apps", "StatefulSet"))
        {
            ValidateStatefulSet(obj, old, errors);
        }
        else if (Is(type, "", "Pod"))
        {
            ValidateContainers(JsonTools.At(obj, "spec", "containers") as JsonArray, "spec.containers", errors);
        }
        else if (Is(type, "", "Service"))
        {
            var spec = obj["spec"] as JsonObject;
            if (JsonTools.Str(spec, "type") is "ClusterIP" or "NodePort" or "LoadBalancer" &&
                JsonTools.Str(spec, "clusterIP") != "None" && (spec?["ports"] as JsonArray ?? []).Count == 0)
            {
                errors.Add(FieldError.RequiredValue("spec.ports"));
            }
        }
        else if (Is(type, "policy", "PodDisruptionBudget"))
        {
            var spec = obj["spec"] as JsonObject;
            if (spec?["minAvailable"] is not null && spec["maxUnavailable"] is not null)
            {
                errors.Add(FieldError.InvalidValue("spec", JsonValue.Create(""), "minAvailable and maxUnavailable cannot be both set"));
            }
        }
        else if (type.Group == "rbac.authorization.k8s.io" && type.Kind.EndsWith("Binding", StringComparison.Ordinal))
        {
            if (obj["roleRef"] is not JsonObject roleRef || string.IsNullOrEmpty(JsonTools.Str(roleRef, "name")))
            {
                errors.Add(FieldError.RequiredValue("roleRef.name"));
            }
            else if (old is not null && !JsonNode.DeepEquals(old["roleRef"], obj["roleRef"]))
            {
                errors.Add(FieldError.InvalidValue("roleRef", JsonValue.Create(""), "cannot change roleRef"));
            }
        }
    }

    private static void ValidateData(ResourceType type, JsonObject obj, JsonObject? old, List<FieldError> errors)
    {
        var total = 0L;
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var field in new[] { "data", "binaryData" })
        {
            if (obj[field] is not JsonObject data)
            {
                continue;
            }
            foreach (var (k, v) in data)
            {
                foreach (var msg in ObjectMetaValidation.ConfigKeyErrors(k))
                {
                    errors.Add(FieldError.InvalidString($"{field}[{k}]", k, msg));
                }
                if (!keys.Add(k))
                {
                    errors.Add(FieldError.InvalidString($"{field}[{k}]", k, "duplicate of key present in data"));
                }
                var s = v is JsonValue jv && jv.TryGetValue(out string? str) ? str : "";
                total += type.Kind == "Secret" || field == "binaryData" ? s.Length * 3L / 4 : Encoding.UTF8.GetByteCount(s);
            }
        }
        if (total > 1024 * 1024)
        {
            errors.Add(type.Kind == "Secret"
                ? FieldError.TooLongBytes("data", 1024 * 1024)
                : FieldError.TooLongBytes("", 1024 * 1024));
        }
        if (old is not null && old["immutable"] is JsonValue imm && imm.TryGetValue(out bool isImmutable) && isImmutable)
        {
            foreach (var field in new[] { "data", "binaryData" })
            {
                if (!JsonNode.DeepEquals(old[field], obj[field]))
                {
                    errors.Add(FieldError.ForbiddenField(field, "field is immutable when `immutable` is set"));
                }
            }
            if (!(obj["immutable"] is JsonValue ni && ni.TryGetValue(out bool stillImmutable) && stillImmutable))
            {
                errors.Add(FieldError.ForbiddenField("immutable", "field is immutable when `immutable` is set"));
            }
        }
        if (type.Kind == "Secret" && old is not null && JsonTools.Str(old, "type") != JsonTools.Str(obj, "type"))
        {
            errors.Add(FieldError.InvalidString("type", JsonTools.Str(obj, "type") ?? "", "field is immutable"));
        }
    }

    private static void ValidateContainers(JsonArray? containers, string path, List<FieldError> errors)
    {
        if (containers is null || containers.Count == 0)
        {
            errors.Add(FieldError.RequiredValue(path));
            return;
        }
        for (var i = 0; i < containers.Count; i++)
        {
            var c = containers[i] as JsonObject ?? new JsonObject();
            if (string.IsNullOrEmpty(JsonTools.Str(c, "name")))
            {
                errors.Add(FieldError.RequiredValue($"{path}[{i}].name"));
            }
            if (string.IsNullOrEmpty(JsonTools.Str(c, "image")))
            {
                errors.Add(FieldError.RequiredValue($"{path}[{i}].image"));
            }
        }
    }

    private static void ValidateStatefulSet(JsonObject obj, JsonObject? old, List<FieldError> errors)
    {
        var spec = obj["spec"] as JsonObject ?? new JsonObject();
        if (spec["selector"] is not JsonObject selector)
        {
            errors.Add(FieldError.RequiredValue("spec.selector"));
        }
        else if (selector["matchLabels"] is JsonObject matchLabels &&
                 JsonTools.At(spec, "template", "metadata", "labels") is var labels &&
                 !matchLabels.All(p => labels is JsonObject l && JsonNode.DeepEquals(l[p.Key], p.Value)))
        {
            errors.Add(FieldError.InvalidValue("spec.template.metadata.labels", labels?.DeepClone(), "`selector` does not match template `labels`"));
        }
        ValidateContainers(JsonTools.At(spec, "template", "spec", "containers") as JsonArray, "spec.template.spec.containers", errors);
        if (old?["spec"] is JsonObject oldSpec)
        {
            var mutable = new HashSet<string> { "replicas", "ordinals", "template", "updateStrategy", "persistentVolumeClaimRetentionPolicy", "minReadySeconds", "revisionHistoryLimit" };
            var changed = spec.Select(p => p.Key).Union(oldSpec.Select(p => p.Key))
                .Where(k => !mutable.Contains(k) && !JsonNode.DeepEquals(spec[k], oldSpec[k]));
            if (changed.Any())
            {
                errors.Add(FieldError.ForbiddenField("spec", "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
            }
        }
    }
}
