using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AclOperator.Testing.FakeKube.Discovery;
using AclOperator.Testing.FakeKube.Json;
using AclOperator.Testing.FakeKube.Resources;
using AclOperator.Testing.FakeKube.Selectors;
using AclOperator.Testing.FakeKube.Storage;
using Microsoft.AspNetCore.Http;

namespace AclOperator.Testing.FakeKube.Api;

/// <summary>Routes HTTP requests to discovery, OpenAPI and resource handlers (k8s.io/apiserver/pkg/endpoints).</summary>
internal sealed class ApiRequestHandler
{
    private readonly ServerState _s;
    private readonly ApiOperations _ops;
    private readonly Func<string> _serverAddress;
    private readonly ConcurrentQueue<RecordedRequest> _log;

    public ApiRequestHandler(ServerState state, ApiOperations ops, Func<string> serverAddress, ConcurrentQueue<RecordedRequest> log)
    {
        _s = state;
        _ops = ops;
        _serverAddress = serverAddress;
        _log = log;
    }

    private sealed class Route
    {
        public string Group { get; init; } = "";

        public string Version { get; init; } = "";

        public string? Namespace { get; init; }

        public string Resource { get; init; } = "";

        public string? Name { get; init; }

        public string? Subresource { get; init; }

        public bool WatchPath { get; init; }
    }

    public async Task HandleAsync(HttpContext ctx)
    {
        var req = ctx.Request;
        var verb = "";
        var resource = "";
        var ns = "";
        var name = "";
        try
        {
            var segments = (req.Path.Value ?? "/").Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
            var route = ParseRoute(segments);
            if (route is null)
            {
                await NonResourceAsync(ctx, segments);
                return;
            }
            var type = _s.Catalog.Find(route.Group, route.Version, route.Resource) ?? throw ApiErrors.RouteNotFound();
            verb = VerbOf(req.Method, route, req.Query);
            resource = route.Subresource is null ? route.Resource : route.Resource + "/" + route.Subresource;
            ns = route.Namespace ?? "";
            name = route.Name ?? "";
            var latency = _s.Faults.LatencyFor(verb, resource);
            if (latency > TimeSpan.Zero)
            {
                await Task.Delay(latency, ctx.RequestAborted);
            }
            if (_s.Faults.TakeFailure(verb, resource, ns, name) is int code)
            {
                throw InjectedFailure(code, type, route.Name ?? "");
            }
            await ResourceAsync(ctx, type, route, verb);
        }
        catch (ApiException e)
        {
            await WriteStatusAsync(ctx, e);
        }
        catch (JsonException e)
        {
            await WriteStatusAsync(ctx, ApiErrors.BadRequest("the object provided is unrecognized or malformed: " + e.Message));
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or InvalidCastException or ArgumentException or KeyNotFoundException or IndexOutOfRangeException or NullReferenceException)
        {
            // A bug or an input this fake does not understand: answer like the real server's panic handler would,
            // with a Status that names the cause, instead of an empty 500.
            await WriteStatusAsync(ctx, ApiErrors.Internal($"{e.GetType().Name}: {e.Message}"));
        }
        finally
        {
            if (_s.Options.RecordRequests)
            {
                _log.Enqueue(new RecordedRequest(req.Method, req.Path.Value ?? "", req.QueryString.Value ?? "", verb, resource, ns, name,
                    ctx.Response.StatusCode, req.Headers.UserAgent.ToString()));
            }
        }
    }

    private static ApiException InjectedFailure(int code, ResourceType type, string name) => code switch
    {
        409 => ApiErrors.Conflict(type, name, ApiErrors.ObjectModified),
        429 => new ApiException(429, "TooManyRequests", "the server has received too many requests and has asked us to try again later",
            new JsonObject { ["retryAfterSeconds"] = 1 }),
        503 => new ApiException(503, "ServiceUnavailable", "the server is currently unable to handle the request"),
        504 => new ApiException(504, "Timeout", "the server was unable to return a response in the time allotted, but may still be processing the request"),
        404 => ApiErrors.NotFound(type, name),
        _ => ApiErrors.Internal("injected fault"),
    };

    private static Route? ParseRoute(string[] s)
    {
        string group;
        string version;
        string[] rest;
        if (s.Length >= 3 && s[0] == "api")
        {
            (group, version, rest) = ("", s[1], s[2..]);
        }
        else if (s.Length >= 4 && s[0] == "apis")
        {
            (group, version, rest) = (s[1], s[2], s[3..]);
        }
        else
        {
            return null;
        }
        var watch = false;
        if (rest[0] == "watch")
        {
            watch = true;
            rest = rest[1..];
            if (rest.Length == 0)
            {
                throw ApiErrors.RouteNotFound();
            }
        }
        if (rest[0] == "namespaces" && rest.Length >= 3 && !(group.Length == 0 && rest.Length == 3 && rest[2] is "status" or "finalize"))
        {
            if (rest.Length > 5)
            {
                throw ApiErrors.RouteNotFound();
            }
            return new Route
            {
                Group = group,
                Version = version,
                Namespace = rest[1],
                Resource = rest[2],
                Name = rest.Length > 3 ? rest[3] : null,
                Subresource = rest.Length > 4 ? rest[4] : null,
                WatchPath = watch,
            };
        }
        if (rest.Length > 3)
        {
            throw ApiErrors.RouteNotFound();
        }
        return new Route
        {
            Group = group,
            Version = version,
            Resource = rest[0],
            Name = rest.Length > 1 ? rest[1] : null,
            Subresource = rest.Length > 2 ? rest[2] : null,
            WatchPath = watch,
        };
    }

    private static bool IsTrue(string? v) => v is "true" or "1" or "True";

    private static string VerbOf(string method, Route r, IQueryCollection q) => method switch
    {
        "GET" when r.Name is null || r.WatchPath => r.WatchPath || IsTrue(q["watch"]) ? "watch" : "list",
        "GET" => "get",
        "POST" => "create",
        "PUT" => "update",
        "PATCH" => "patch",
        "DELETE" when r.Name is null => "deletecollection",
        "DELETE" => "delete",
        _ => method.ToLowerInvariant(),
    };

    // ------------------------------------------------------------------ non-resource endpoints

    private async Task NonResourceAsync(HttpContext ctx, string[] s)
    {
        var path = string.Join('/', s);
        var accept = ctx.Request.Headers.Accept.ToString();
        if (ctx.Request.Method != "GET")
        {
            throw new ApiException(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
        }
        switch (path)
        {
            case "version":
                await WriteJsonAsync(ctx, 200, DiscoveryDocuments.Version());
                return;
            case "healthz" or "livez" or "readyz":
                ctx.Response.ContentType = "text/plain; charset=utf-8";
                await ctx.Response.WriteAsync("ok", ctx.RequestAborted);
                return;
            case "api":
                RequireJson(accept);
                await WriteJsonAsync(ctx, 200, DiscoveryDocuments.CoreVersions(_serverAddress()));
                return;
            case "apis":
                RequireJson(accept);
                await WriteJsonAsync(ctx, 200, DiscoveryDocuments.GroupList(_s.Catalog));
                return;
            case "openapi/v2":
                if (accept.Contains("protobuf", StringComparison.Ordinal))
                {
                    ctx.Response.StatusCode = 200;
                    ctx.Response.ContentType = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";
                    await ctx.Response.Body.WriteAsync(OpenApiDocuments.V2Protobuf, ctx.RequestAborted);
                    return;
                }
                await WriteJsonAsync(ctx, 200, OpenApiDocuments.V2Json());
                return;
            case "openapi/v3":
                await WriteJsonAsync(ctx, 200, OpenApiDocuments.V3Root(_s.Catalog));
                return;
        }
        if (s.Length == 2 && s[0] == "api")
        {
            RequireJson(accept);
            await WriteJsonAsync(ctx, 200, DiscoveryDocuments.ResourceList(_s.Catalog, "", s[1]) ?? throw ApiErrors.RouteNotFound());
            return;
        }
        if (s.Length == 2 && s[0] == "apis")
        {
            await WriteJsonAsync(ctx, 200, DiscoveryDocuments.ApiGroup(_s.Catalog, s[1]) ?? throw ApiErrors.RouteNotFound());
            return;
        }
        if (s.Length == 3 && s[0] == "apis")
        {
            RequireJson(accept);
            await WriteJsonAsync(ctx, 200, DiscoveryDocuments.ResourceList(_s.Catalog, s[1], s[2]) ?? throw ApiErrors.RouteNotFound());
            return;
        }
        if (s.Length >= 4 && s[0] == "openapi" && s[1] == "v3")
        {
            var doc = s[2] == "api" && s.Length == 4
                ? OpenApiDocuments.V3GroupVersion(_s.Catalog, "", s[3])
                : s[2] == "apis" && s.Length == 5 ? OpenApiDocuments.V3GroupVersion(_s.Catalog, s[3], s[4]) : null;
            await WriteJsonAsync(ctx, 200, doc ?? throw ApiErrors.RouteNotFound());
            return;
        }
        throw ApiErrors.RouteNotFound();
    }

    // Aggregated discovery (as=APIGroupDiscoveryList) is not served; client-go falls back to the legacy documents
    // whenever its Accept also lists application/json, which it always does.
    private static void RequireJson(string accept)
    {
        if (accept.Length > 0 && !MediaRanges(accept).Any(m => IsJson(m.Type) && !m.Params.ContainsKey("as")))
        {
            throw ApiErrors.NotAcceptable("only the following media types are accepted: application/json");
        }
    }

    // ------------------------------------------------------------------ content negotiation

    private sealed record MediaRange(string Type, Dictionary<string, string> Params);

    private static List<MediaRange> MediaRanges(string accept)
    {
        var list = new List<MediaRange>();
        foreach (var part in accept.Split(','))
        {
            var pieces = part.Split(';');
            var p = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var kv in pieces.Skip(1))
            {
                var eq = kv.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0)
                {
                    p[kv[..eq].Trim()] = kv[(eq + 1)..].Trim();
                }
            }
            list.Add(new MediaRange(pieces[0].Trim(), p));
        }
        return list;
    }

    private static bool IsJson(string type) => type is "application/json" or "*/*" or "application/*" or "";

    /// <summary>What the response should be: the object, a Table, or PartialObjectMetadata.</summary>
    private enum Shape
    {
        Object,
        Table,
        Metadata,
    }

    private static Shape Negotiate(string accept, bool list, bool watch = false)
    {
        if (accept.Length == 0)
        {
            return Shape.Object;
        }
        foreach (var m in MediaRanges(accept))
        {
            if (!IsJson(m.Type))
            {
                continue;
            }
            if (!m.Params.TryGetValue("as", out var asKind))
            {
                return Shape.Object;
            }
            var metaGroup = m.Params.GetValueOrDefault("g") == "meta.k8s.io" && m.Params.GetValueOrDefault("v") is "v1" or "v1beta1";
            if (metaGroup && asKind == "Table")
            {
                return Shape.Table;
            }
            if (metaGroup && (asKind == (list ? "PartialObjectMetadataList" : "PartialObjectMetadata") || (watch && asKind == "PartialObjectMetadata")))
            {
                return Shape.Metadata;
            }
        }
        throw ApiErrors.NotAcceptable("only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf");
    }

    private static JsonObject PartialMetadata(JsonObject obj) => new()
    {
        ["kind"] = "PartialObjectMetadata",
        ["apiVersion"] = "meta.k8s.io/v1",
        ["metadata"] = obj["metadata"]?.DeepClone(),
    };

    private JsonObject Shaped(JsonObject obj, Shape shape, ResourceType type, string includeObject) => shape switch
    {
        Shape.Table => TableConverter.ToTable(type, [obj], new JsonObject { ["resourceVersion"] = JsonTools.StrAt(obj, "metadata", "resourceVersion") }, includeObject, _s.Now),
        Shape.Metadata => PartialMetadata(obj),
        _ => obj,
    };

    // ------------------------------------------------------------------ resources

    private async Task ResourceAsync(HttpContext ctx, ResourceType type, Route route, string verb)
    {
        var q = ctx.Request.Query;
        if (route.Namespace is not null && !type.Namespaced)
        {
            throw ApiErrors.RouteNotFound();
        }
        if (route.Subresource is not null && !(route.Subresource == "status" && type.HasStatus) &&
            !(route.Subresource == "finalize" && type.Kind == "Namespace" && type.Group.Length == 0 && verb == "update"))
        {
            throw ApiErrors.RouteNotFound();
        }
        if (type.Namespaced && route.Namespace is null && verb is not ("list" or "watch"))
        {
            throw ApiErrors.RouteNotFound();
        }
        var accept = ctx.Request.Headers.Accept.ToString();
        var includeObject = q["includeObject"].ToString();
        switch (verb)
        {
            case "get":
                {
                    var shape = Negotiate(accept, list: false);
                    await WriteJsonAsync(ctx, 200, Shaped(_ops.Get(type, route.Namespace, route.Name!), shape, type, includeObject));
                    return;
                }
            case "list":
                {
                    var shape = Negotiate(accept, list: true);
                    var list = _ops.List(type, route.Namespace, ListOptions(q));
                    await WriteJsonAsync(ctx, 200, ShapeList(list, shape, type, includeObject));
                    return;
                }
            case "watch":
                {
                    var shape = Negotiate(accept, list: true, watch: true);
                    await WatchAsync(ctx, type, route, ListOptions(q), shape, includeObject);
                    return;
                }
            case "create":
                {
                    if (route.Name is not null)
                    {
                        throw new ApiException(405, "MethodNotAllowed", $"the server does not allow this method on the requested resource");
                    }
                    var body = await ReadObjectAsync(ctx);
                    var o = WriteOptionsOf(ctx);
                    var created = _ops.Create(type, route.Namespace, body, o);
                    await WriteJsonAsync(ctx, 201, Shaped(created, Negotiate(accept, false), type, includeObject), o);
                    return;
                }
            case "update":
                {
                    var body = await ReadObjectAsync(ctx);
                    var o = WriteOptionsOf(ctx);
                    var updated = route.Subresource == "finalize"
                        ? FinalizeNamespace(type, route.Name!, body)
                        : _ops.Update(type, route.Namespace, route.Name!, body, route.Subresource, o);
                    await WriteJsonAsync(ctx, 200, Shaped(updated, Negotiate(accept, false), type, includeObject), o);
                    return;
                }
            case "patch":
                {
                    var contentType = (ctx.Request.ContentType ?? "").Split(';')[0].Trim();
                    var text = await ReadBodyAsync(ctx);
                    JsonNode? patch;
                    try
                    {
                        patch = contentType == ApiOperations.ApplyPatchType ? ParseYamlOrJson(text) : JsonNode.Parse(text);
                    }
                    catch (Exception e) when (e is JsonException or YamlDotNet.Core.YamlException)
                    {
                        throw ApiErrors.BadRequest("error decoding patch: " + e.Message);
                    }
                    var o = WriteOptionsOf(ctx);
                    var exists = contentType == ApiOperations.ApplyPatchType &&
                        _s.Store.Get(type.StorageKey, type.Namespaced ? route.Namespace ?? "" : "", route.Name!) is not null;
                    var patched = _ops.Patch(type, route.Namespace, route.Name!, contentType, patch, route.Subresource, o);
                    var code = contentType == ApiOperations.ApplyPatchType && !exists ? 201 : 200;
                    await WriteJsonAsync(ctx, code, Shaped(patched, Negotiate(accept, false), type, includeObject), o);
                    return;
                }
            case "delete":
                {
                    var (d, o) = await DeleteOptionsAsync(ctx);
                    var result = _ops.Delete(type, route.Namespace, route.Name!, d, o);
                    await WriteJsonAsync(ctx, 200, result, o);
                    return;
                }
            case "deletecollection":
                {
                    if (!type.DeleteCollection)
                    {
                        throw ApiErrors.MethodNotSupported(type, "deletecollection");
                    }
                    var (d, o) = await DeleteOptionsAsync(ctx);
                    var result = _ops.DeleteCollection(type, route.Namespace, ListOptions(q), d, o);
                    await WriteJsonAsync(ctx, 200, result, o);
                    return;
                }
            default:
                throw new ApiException(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
        }
    }

    private JsonObject FinalizeNamespace(ResourceType type, string name, JsonObject body)
    {
        lock (_s.Store.Gate)
        {
            var existing = _s.Store.Get(type.StorageKey, "", name) ?? throw ApiErrors.NotFound(type, name);
            var obj = JsonTools.Clone(existing);
            JsonTools.Obj(obj, "spec")["finalizers"] = JsonTools.At(body, "spec", "finalizers")?.DeepClone() ?? new JsonArray();
            var remaining = (JsonTools.At(obj, "spec", "finalizers") as JsonArray)?.Count ?? 0;
            var metaFinalizers = (JsonTools.At(obj, "metadata", "finalizers") as JsonArray)?.Count ?? 0;
            if (JsonTools.At(obj, "metadata", "deletionTimestamp") is not null && remaining == 0 && metaFinalizers == 0)
            {
                return ApiOperations.ForVersion(_s.Store.Remove(type.StorageKey, "", name, obj)!.Object, type);
            }
            return ApiOperations.ForVersion(_s.Store.Put(type.StorageKey, "", name, obj).Object, type);
        }
    }

    private JsonObject ShapeList(JsonObject list, Shape shape, ResourceType type, string includeObject)
    {
        var items = ((JsonArray)list["items"]!).OfType<JsonObject>().Select(i =>
        {
            var item = (JsonObject)i.DeepClone();
            item["kind"] = type.Kind;
            item["apiVersion"] = type.ApiVersion;
            return item;
        }).ToList();
        return shape switch
        {
            Shape.Table => TableConverter.ToTable(type, items, (JsonObject)list["metadata"]!, includeObject, _s.Now),
            Shape.Metadata => new JsonObject
            {
                ["kind"] = "PartialObjectMetadataList",
                ["apiVersion"] = "meta.k8s.io/v1",
                ["metadata"] = list["metadata"]?.DeepClone(),
                ["items"] = new JsonArray(items.Select(i => (JsonNode?)PartialMetadata(i)).ToArray()),
            },
            _ => list,
        };
    }

    private static ListRequest ListOptions(IQueryCollection q)
    {
        long limit = 0;
        if (q.TryGetValue("limit", out var l) && !long.TryParse(l, CultureInfo.InvariantCulture, out limit))
        {
            throw ApiErrors.BadRequest($"limit: invalid value \"{l}\"");
        }
        int? timeout = null;
        if (q.TryGetValue("timeoutSeconds", out var t) && int.TryParse(t, CultureInfo.InvariantCulture, out var ts))
        {
            timeout = ts;
        }
        return new ListRequest
        {
            LabelSelector = q["labelSelector"],
            FieldSelector = q["fieldSelector"],
            ResourceVersion = q["resourceVersion"],
            ResourceVersionMatch = q["resourceVersionMatch"],
            Limit = limit,
            Continue = q["continue"],
            AllowWatchBookmarks = IsTrue(q["allowWatchBookmarks"]),
            SendInitialEvents = q.ContainsKey("sendInitialEvents") ? IsTrue(q["sendInitialEvents"]) : null,
            TimeoutSeconds = timeout,
        };
    }

    private static WriteOptions WriteOptionsOf(HttpContext ctx)
    {
        var q = ctx.Request.Query;
        var validation = q.TryGetValue("fieldValidation", out var fv) ? fv.ToString() : "Warn";
        if (validation is not ("Strict" or "Warn" or "Ignore"))
        {
            throw ApiErrors.BadRequest($"fieldValidation invalid value: {validation}, valid values are: Ignore, Warn, Strict");
        }
        var explicitManager = q.TryGetValue("fieldManager", out var fm) && fm.ToString().Length > 0;
        var manager = explicitManager ? fm.ToString() : DefaultManager(ctx.Request.Headers.UserAgent.ToString());
        var dryRun = q["dryRun"].ToString();
        if (dryRun.Length > 0 && dryRun != "All")
        {
            throw ApiErrors.BadRequest($"dryRun: Unsupported value: \"{dryRun}\": supported values: \"All\"");
        }
        return new WriteOptions
        {
            FieldManager = manager,
            ExplicitFieldManager = explicitManager,
            DryRun = dryRun == "All",
            FieldValidation = validation,
            Force = IsTrue(q["force"]),
        };
    }

    // apiserver: the default field manager is the User-Agent up to its first '/', at most 128 characters.
    private static string DefaultManager(string userAgent)
    {
        var prefix = userAgent.Split('/')[0];
        return prefix.Length > 128 ? prefix[..128] : prefix;
    }

    private async Task<(DeleteRequest, WriteOptions)> DeleteOptionsAsync(HttpContext ctx)
    {
        var q = ctx.Request.Query;
        var text = await ReadBodyAsync(ctx);
        JsonObject? body = null;
        if (!string.IsNullOrWhiteSpace(text))
        {
            body = JsonNode.Parse(text) as JsonObject ?? throw ApiErrors.BadRequest("the body of the delete request must be DeleteOptions");
        }
        var dryRunBody = (body?["dryRun"] as JsonArray)?.Any(d => d?.GetValue<string>() == "All") ?? false;
        var d = new DeleteRequest
        {
            PropagationPolicy = JsonTools.Str(body, "propagationPolicy") ?? (q.TryGetValue("propagationPolicy", out var p) ? p.ToString() : null),
            OrphanDependents = body?["orphanDependents"] is JsonValue od ? od.GetValue<bool>() : null,
            PreconditionUid = JsonTools.StrAt(body, "preconditions", "uid"),
            PreconditionResourceVersion = JsonTools.StrAt(body, "preconditions", "resourceVersion"),
        };
        var o = WriteOptionsOf(ctx);
        if (dryRunBody)
        {
            o = new WriteOptions { FieldManager = o.FieldManager, DryRun = true };
        }
        return (d, o);
    }

    private static async Task<string> ReadBodyAsync(HttpContext ctx)
    {
        using var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync(ctx.RequestAborted);
    }

    private static JsonNode? ParseYamlOrJson(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return YamlToJson.Convert(text);
        }
    }

    private static async Task<JsonObject> ReadObjectAsync(HttpContext ctx)
    {
        var contentType = (ctx.Request.ContentType ?? "application/json").Split(';')[0].Trim();
        if (contentType == "application/vnd.kubernetes.protobuf")
        {
            using var buffer = new MemoryStream();
            await ctx.Request.Body.CopyToAsync(buffer, ctx.RequestAborted);
            return ProtobufDecoder.Decode(buffer.ToArray()) ?? throw ApiErrors.UnsupportedMediaType(
                "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml");
        }
        var text = await ReadBodyAsync(ctx);
        JsonNode? node = contentType switch
        {
            "application/json" or "" => JsonNode.Parse(text),
            "application/yaml" => ParseYamlOrJson(text),
            _ => throw ApiErrors.UnsupportedMediaType($"the body of the request was in an unknown format - accepted media types include: application/json, application/yaml"),
        };
        return node as JsonObject ?? throw ApiErrors.BadRequest("the object provided is unrecognized or malformed: expected a JSON object");
    }

    // ------------------------------------------------------------------ writing

    private static async Task WriteJsonAsync(HttpContext ctx, int code, JsonNode body, WriteOptions? o = null)
    {
        ctx.Response.StatusCode = code;
        ctx.Response.ContentType = "application/json";
        foreach (var w in o?.Warnings ?? [])
        {
            ctx.Response.Headers.Append("Warning", "299 - " + JsonTools.Quote(w));
        }
        var bytes = Encoding.UTF8.GetBytes(JsonTools.ToJson(body));
        ctx.Response.ContentLength = bytes.Length;
        await ctx.Response.Body.WriteAsync(bytes, ctx.RequestAborted);
    }

    private static async Task WriteStatusAsync(HttpContext ctx, ApiException e)
    {
        if (ctx.Response.HasStarted)
        {
            return;
        }
        ctx.Response.Headers.Clear();
        if (e.Code == 429)
        {
            ctx.Response.Headers.RetryAfter = "1";
        }
        await WriteJsonAsync(ctx, e.Code, e.ToStatus());
    }

    // ------------------------------------------------------------------ watch

    private async Task WatchAsync(HttpContext ctx, ResourceType type, Route route, ListRequest lr, Shape shape, string includeObject)
    {
        var labels = LabelSelector.Parse(lr.LabelSelector);
        var fields = FieldSelector.Parse(
            route.Name is null ? lr.FieldSelector : $"metadata.name={route.Name}" + (string.IsNullOrEmpty(lr.FieldSelector) ? "" : "," + lr.FieldSelector),
            type);
        var ns = type.Namespaced ? route.Namespace : null;
        if (lr.SendInitialEvents == true && (lr.ResourceVersionMatch != "NotOlderThan" || !lr.AllowWatchBookmarks))
        {
            throw ApiErrors.Invalid(type, "", [FieldError.ForbiddenField("sendInitialEvents",
                "sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled and resourceVersionMatch is set to NotOlderThan and allowWatchBookmarks is true")]);
        }
        long? from = null;
        if (!string.IsNullOrEmpty(lr.ResourceVersion) && lr.ResourceVersion != "0")
        {
            if (!long.TryParse(lr.ResourceVersion, CultureInfo.InvariantCulture, out var rv))
            {
                throw ApiErrors.BadRequest($"invalid resource version: {lr.ResourceVersion}");
            }
            from = rv;
        }
        if (lr.SendInitialEvents == true)
        {
            from = null;
        }
        var response = ctx.Response;
        if (_s.Faults.TakeWatchExpiry())
        {
            await StartWatchResponseAsync(ctx);
            var at = from ?? _s.Store.Revision;
            await WriteEventAsync(ctx, "ERROR", ApiErrors.Expired($"too old resource version: {at} ({at + 1})").ToStatus());
            return;
        }
        WatchSubscription sub;
        List<StoreEvent> replay;
        List<(string Key, JsonObject Object)> current;
        long revision;
        try
        {
            (sub, replay, current, revision) = _s.Store.Subscribe(type.StorageKey, from, lr.AllowWatchBookmarks,
                (asked, oldest) => ApiErrors.Expired($"too old resource version: {asked} ({oldest})"));
        }
        catch (ApiException e) when (e.Code == 410)
        {
            // The real server answers 200 and reports expiry as the first event of the stream.
            await StartWatchResponseAsync(ctx);
            await WriteEventAsync(ctx, "ERROR", e.ToStatus());
            return;
        }
        using (sub)
        {
            using var timeout = lr.TimeoutSeconds is int seconds && seconds > 0
                ? new CancellationTokenSource(TimeSpan.FromSeconds(seconds))
                : new CancellationTokenSource();
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, timeout.Token, sub.Dropped.Token);
            await StartWatchResponseAsync(ctx);
            bool Visible(JsonObject? o) =>
                o is not null && (ns is null || JsonTools.StrAt(o, "metadata", "namespace") == ns) &&
                labels.Matches(JsonTools.At(o, "metadata", "labels") as JsonObject) && fields.Matches(o);
            JsonObject Out(JsonObject o) => Shaped(ApiOperations.ForVersion(o, type), shape, type, includeObject);
            try
            {
                foreach (var (_, o) in current)
                {
                    if (Visible(o))
                    {
                        await WriteEventAsync(ctx, "ADDED", Out(o), linked.Token);
                    }
                }
                if (lr.SendInitialEvents == true)
                {
                    await WriteEventAsync(ctx, "BOOKMARK", Bookmark(type, revision, initialEventsEnd: true), linked.Token);
                }
                foreach (var e in replay)
                {
                    await DeliverAsync(ctx, e, Visible, Out, linked.Token);
                }
                var lastRevision = replay.Count > 0 ? replay[^1].ResourceVersion : revision;
                await foreach (var item in sub.Queue.Reader.ReadAllAsync(linked.Token))
                {
                    if (item.Event is { } e)
                    {
                        lastRevision = e.ResourceVersion;
                        await DeliverAsync(ctx, e, Visible, Out, linked.Token);
                    }
                    else if (item.BookmarkRevision >= lastRevision)
                    {
                        await WriteEventAsync(ctx, "BOOKMARK", Bookmark(type, item.BookmarkRevision, initialEventsEnd: false), linked.Token);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
            if (sub.Dropped.IsCancellationRequested && sub.AbortOnDrop)
            {
                ctx.Abort();
            }
        }
    }

    private static JsonObject Bookmark(ResourceType type, long revision, bool initialEventsEnd)
    {
        var meta = new JsonObject { ["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture) };
        if (initialEventsEnd)
        {
            meta["annotations"] = new JsonObject { ["k8s.io/initial-events-end"] = "true" };
        }
        return new JsonObject { ["kind"] = type.Kind, ["apiVersion"] = type.ApiVersion, ["metadata"] = meta };
    }

    private static async Task DeliverAsync(HttpContext ctx, StoreEvent e, Func<JsonObject?, bool> visible, Func<JsonObject, JsonObject> output, CancellationToken ct)
    {
        var now = visible(e.Object);
        var before = e.Type == StoreEvent.Added ? false : visible(e.Previous);
        string? type = e.Type switch
        {
            StoreEvent.Added when now => "ADDED",
            StoreEvent.Modified when now && before => "MODIFIED",
            StoreEvent.Modified when now => "ADDED",
            StoreEvent.Modified when before => "DELETED",
            StoreEvent.Deleted when before || now => "DELETED",
            _ => null,
        };
        if (type is not null)
        {
            await WriteEventAsync(ctx, type, output(e.Object), ct);
        }
    }

    private static async Task StartWatchResponseAsync(HttpContext ctx)
    {
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.StartAsync(ctx.RequestAborted);
        await ctx.Response.Body.FlushAsync(ctx.RequestAborted);
    }

    private static async Task WriteEventAsync(HttpContext ctx, string type, JsonObject obj, CancellationToken ct = default)
    {
        var line = JsonTools.ToJson(new JsonObject { ["type"] = type, ["object"] = obj }) + "\n";
        await ctx.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(line), ct);
        await ctx.Response.Body.FlushAsync(ct);
    }
}
