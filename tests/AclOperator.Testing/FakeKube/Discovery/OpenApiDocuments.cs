using System.Globalization;
using System.Text.Json.Nodes;
using AclOperator.Testing.FakeKube.Resources;

namespace AclOperator.Testing.FakeKube.Discovery;

/// <summary>
/// Minimal OpenAPI documents. kubectl needs them for field validation: it asks /openapi/v3 whether the PATCH
/// operation of a kind accepts the fieldValidation query parameter (k8s.io/cli-runtime queryParamVerifierV3) and,
/// when it does, leaves validation to the server. /openapi/v2 must decode as a protobuf Document (kubectl
/// builds its client-side validator from it up front). No schemas are published: kubectl apply then computes
/// strategic merge patches from its compiled-in types and JSON merge patches for custom resources.
/// </summary>
internal static class OpenApiDocuments
{
    /// <summary>A protobuf-encoded gnostic openapi_v2.Document with only swagger: "2.0" (field 1).</summary>
    public static readonly byte[] V2Protobuf = [0x0A, 0x03, (byte)'2', (byte)'.', (byte)'0'];

    public static JsonObject V2Json() => new()
    {
        ["swagger"] = "2.0",
        ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "v1.32.0" },
        ["paths"] = new JsonObject(),
        ["definitions"] = new JsonObject(),
    };

    private static string GvPath(string group, string version) => group.Length == 0 ? "api/" + version : $"apis/{group}/{version}";

    public static JsonObject V3Root(ResourceCatalog catalog)
    {
        var paths = new JsonObject();
        var hash = catalog.Generation.ToString("X16", CultureInfo.InvariantCulture);
        foreach (var gv in catalog.All().Select(t => (t.Group, t.Version)).Distinct())
        {
            var p = GvPath(gv.Group, gv.Version);
            paths[p] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{p}?hash={hash}" };
        }
        return new JsonObject { ["paths"] = paths };
    }

    private static JsonObject QueryParam(string name) =>
        new() { ["name"] = name, ["in"] = "query", ["schema"] = new JsonObject { ["type"] = "string", ["uniqueItems"] = true } };

    public static JsonObject? V3GroupVersion(ResourceCatalog catalog, string group, string version)
    {
        var types = catalog.All().Where(t => t.Group == group && t.Version == version).ToList();
        if (types.Count == 0)
        {
            return null;
        }
        var paths = new JsonObject();
        foreach (var t in types)
        {
            var prefix = "/" + GvPath(group, version) + (t.Namespaced ? "/namespaces/{namespace}/" : "/") + t.Plural + "/{name}";
            var content = new JsonObject();
            var mediaTypes = new List<string> { "application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml" };
            foreach (var m in mediaTypes)
            {
                content[m] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "object" } };
            }
            paths[prefix] = new JsonObject
            {
                ["patch"] = new JsonObject
                {
                    ["operationId"] = "patch" + t.Kind,
                    ["parameters"] = new JsonArray(QueryParam("dryRun"), QueryParam("fieldManager"), QueryParam("fieldValidation"), QueryParam("force")),
                    ["requestBody"] = new JsonObject { ["content"] = content, ["required"] = true },
                    ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "OK" } },
                    ["x-kubernetes-action"] = "patch",
                    ["x-kubernetes-group-version-kind"] = new JsonObject { ["group"] = t.Group, ["kind"] = t.Kind, ["version"] = t.Version },
                },
            };
        }
        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "v1.32.0" },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = new JsonObject() },
        };
    }
}
