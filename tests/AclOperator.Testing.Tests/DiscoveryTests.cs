using System.Text.Json.Nodes;
using AclOperator.Testing.FakeKube;
using AclOperator.Testing.Tests.Support;

namespace AclOperator.Testing.Tests;

/// <summary>
/// Discovery (/version, /api, /apis, APIResourceLists), OpenAPI v3 (what kubectl checks for fieldValidation), and
/// server-side printing (Table) and PartialObjectMetadata negotiation (k8s.io/apiserver/pkg/endpoints/handlers/response.go).
/// </summary>
public sealed class DiscoveryTests
{
    [Fact]
    public async Task Version_and_group_discovery()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var raw = new RawApi(server);
        Assert.Equal("32", (await raw.GetAsync("/version")).Str("minor"));
        var api = await raw.GetAsync("/api");
        Assert.Equal("APIVersions", api.Str("kind"));
        Assert.Equal("""["v1"]""", api.Json["versions"]!.ToJsonString());
        var apis = await raw.GetAsync("/apis", accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json");
        Assert.Equal("APIGroupList", apis.Str("kind"));
        var groups = apis.Json["groups"]!.AsArray().Select(g => g!["name"]!.ToString()).ToList();
        Assert.Equal(["apps", "policy", "coordination.k8s.io", "rbac.authorization.k8s.io", "networking.k8s.io", "events.k8s.io", "apiextensions.k8s.io"], groups);
        var onlyAggregated = await raw.GetAsync("/apis", accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
        Assert.Equal(406, onlyAggregated.Status);
    }

    [Fact]
    public async Task Resource_lists_describe_verbs_scope_kinds_and_short_names()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var raw = new RawApi(server);
        var core = await raw.GetAsync("/api/v1");
        var resources = core.Json["resources"]!.AsArray().ToDictionary(r => r!["name"]!.ToString(), r => r!);
        var cm = resources["configmaps"];
        Assert.Equal("ConfigMap", cm["kind"]!.ToString());
        Assert.Equal("configmap", cm["singularName"]!.ToString());
        Assert.True((bool)cm["namespaced"]!);
        Assert.Equal("""["cm"]""", cm["shortNames"]!.ToJsonString());
        Assert.Equal("""["create","delete","deletecollection","get","list","patch","update","watch"]""", cm["verbs"]!.ToJsonString());
        Assert.False((bool)resources["namespaces"]["namespaced"]!);
        Assert.Equal("""["get","patch","update"]""", resources["pods/status"]["verbs"]!.ToJsonString());
        var apps = await raw.GetAsync("/apis/apps/v1");
        Assert.Equal("apps/v1", apps.Str("groupVersion"));
        var group = await raw.GetAsync("/apis/apps");
        Assert.Equal("apps/v1", group.Str("preferredVersion", "groupVersion"));
    }

    [Fact]
    public async Task OpenApi_v3_advertises_fieldValidation_on_patch_for_each_kind()
    {
        var (server, raw) = await Crd.StartWithWidgetsAsync();
        await using var _ = server;
        using var __ = raw;
        var root = await raw.GetAsync("/openapi/v3");
        var url = root.Json["paths"]!["apis/example.com/v1"]!["serverRelativeURL"]!.ToString();
        var doc = await raw.GetAsync(url);
        var patch = doc.Json["paths"]!["/apis/example.com/v1/namespaces/{namespace}/widgets/{name}"]!["patch"]!;
        JsonAssert.Equal("""{"group":"example.com","kind":"Widget","version":"v1"}""", patch["x-kubernetes-group-version-kind"]);
        Assert.Contains(patch["parameters"]!.AsArray(), p => p!["name"]!.ToString() == "fieldValidation" && p["in"]!.ToString() == "query");
        var v2 = await raw.GetAsync("/openapi/v2", accept: "application/com.github.proto-openapi.spec.v2@v1.0+protobuf");
        Assert.Equal(200, v2.Status);
    }

    [Fact]
    public async Task Table_output_uses_printer_columns()
    {
        var (server, raw) = await Crd.StartWithWidgetsAsync();
        await using var _ = server;
        using var __ = raw;
        await raw.PostAsync(Samples.WidgetsPath, Samples.Widget("w1", 3));
        await raw.PatchAsync(Samples.WidgetsPath + "/w1/status", """{"status":{"conditions":[{"type":"Ready","status":"True"}]}}""", "application/merge-patch+json");
        const string table = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
        var t = await raw.GetAsync(Samples.WidgetsPath, accept: table);
        Assert.Equal("Table", t.Str("kind"));
        Assert.Equal(["Name", "Size", "Ready"], t.Json["columnDefinitions"]!.AsArray().Select(c => c!["name"]!.ToString()).ToArray());
        JsonAssert.Equal("""["w1",3,"True"]""", t.Json["rows"]![0]!["cells"]);
        Assert.Equal("PartialObjectMetadata", t.Json["rows"]![0]!["object"]!["kind"]!.ToString());

        await raw.PostAsync(Samples.ConfigMapsPath, Samples.ConfigMap("c1", """{"a":"1","b":"2"}"""));
        var cm = await raw.GetAsync(Samples.ConfigMapsPath + "/c1", accept: table);
        Assert.Equal(["Name", "Data", "Age"], cm.Json["columnDefinitions"]!.AsArray().Select(c => c!["name"]!.ToString()).ToArray());
        Assert.Equal(2, (int)cm.Json["rows"]![0]!["cells"]![1]!);

        await raw.PostAsync("/api/v1/namespaces/default/services", """{"metadata":{"name":"acl"},"spec":{"selector":{"app":"acl"},"ports":[{"port":6379}]}}""");
        var svc = await raw.GetAsync("/api/v1/namespaces/default/services/acl", accept: table);
        Assert.Equal(["Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age"], svc.Json["columnDefinitions"]!.AsArray().Select(c => c!["name"]!.ToString()).ToArray());
        var cells = svc.Json["rows"]![0]!["cells"]!.AsArray();
        Assert.Equal("ClusterIP", cells[1]!.ToString());
        Assert.Matches(@"^10\.96\.\d+\.\d+$", cells[2]!.ToString());
        Assert.Equal("6379/TCP", cells[4]!.ToString());
    }

    [Fact]
    public async Task Metadata_only_lists_and_protobuf_only_clients()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var raw = new RawApi(server);
        await raw.PostAsync("/api/v1/namespaces/default/secrets", """{"metadata":{"name":"s1"},"stringData":{"p":"secret"}}""");
        var meta = await raw.GetAsync("/api/v1/namespaces/default/secrets", accept: "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1");
        Assert.Equal("PartialObjectMetadataList", meta.Str("kind"));
        var item = meta.Json["items"]![0]!.AsObject();
        Assert.Equal(["kind", "apiVersion", "metadata"], item.Select(p => p.Key).ToArray());
        Assert.DoesNotContain("c2VjcmV0", meta.Text, StringComparison.Ordinal);
        var watch = await raw.GetAsync("/api/v1/namespaces/default/secrets?watch=1&timeoutSeconds=1", accept: "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1");
        var evt = JsonNode.Parse(watch.Text.Split('\n')[0])!;
        Assert.Equal("PartialObjectMetadata", evt["object"]!["kind"]!.ToString());
        Assert.Null(evt["object"]!["data"]);
        var proto = await raw.GetAsync("/api/v1/namespaces/default/secrets", accept: "application/vnd.kubernetes.protobuf");
        Assert.Equal(406, proto.Status);
        _ = JsonNode.Parse(proto.Text);
    }
}
