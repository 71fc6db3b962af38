using AclOperator.Testing.FakeKube;
using AclOperator.Testing.Tests.Support;
using k8s;
using k8s.Models;

namespace AclOperator.Testing.Tests;

/// <summary>
/// PATCH with JSON merge patch (RFC 7386), JSON patch (RFC 6902) and strategic merge patch for built-in kinds
/// (k8s.io/apiserver/pkg/endpoints/handlers/patch.go, k8s.io/apimachinery/pkg/util/strategicpatch).
/// </summary>
public sealed class PatchTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Sts = "/apis/apps/v1/namespaces/default/statefulsets";

    private const string StatefulSet = """
        {"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"s1"},"spec":{"serviceName":"s1","selector":{"matchLabels":{"app":"s1"}},
         "template":{"metadata":{"labels":{"app":"s1"}},"spec":{
           "containers":[
             {"name":"server","image":"server:1","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],"ports":[{"containerPort":6379,"name":"resp"}]},
             {"name":"sidecar","image":"valkey:8"}],
           "volumes":[{"name":"data","emptyDir":{}}]}}}}
        """;

    [Fact]
    public async Task Merge_patch_sets_and_removes_fields()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "c1" }, Data = new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" } }, "default", cancellationToken: Ct);
        var patched = await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"a":null,"c":"3"}}""", V1Patch.PatchType.MergePatch), "c1", "default", cancellationToken: Ct);
        Assert.Equal(new Dictionary<string, string> { ["b"] = "2", ["c"] = "3" }, patched.Data);
    }

    [Fact]
    public async Task Json_patch_operations_and_failed_test_is_422()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var raw = new RawApi(server);
        await raw.PostAsync(Samples.ConfigMapsPath, Samples.ConfigMap("c1", """{"a":"1"}"""));
        var ok = await raw.PatchAsync(Samples.ConfigMapsPath + "/c1",
            """[{"op":"test","path":"/data/a","value":"1"},{"op":"add","path":"/data/b","value":"2"},{"op":"copy","from":"/data/b","path":"/data/c"},{"op":"move","from":"/data/a","path":"/data/d"},{"op":"replace","path":"/data/b","value":"x"}]""",
            "application/json-patch+json");
        JsonAssert.Equal("""{"b":"x","c":"2","d":"1"}""", ok.Json["data"]);
        var failed = await raw.PatchAsync(Samples.ConfigMapsPath + "/c1", """[{"op":"test","path":"/data/b","value":"nope"}]""", "application/json-patch+json");
        Assert.Equal(422, failed.Status);
        Assert.Equal("""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"the server rejected our request due to an error in our request","reason":"Invalid","details":{},"code":422}""", failed.Text);
        var malformed = await raw.PatchAsync(Samples.ConfigMapsPath + "/c1", """{"op":"add"}""", "application/json-patch+json");
        Assert.Equal(400, malformed.Status);
    }

    [Fact]
    public async Task Patch_carrying_a_stale_resourceVersion_is_a_conflict()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var raw = new RawApi(server);
        await raw.PostAsync(Samples.ConfigMapsPath, Samples.ConfigMap("c1"));
        var r = await raw.PatchAsync(Samples.ConfigMapsPath + "/c1", """{"metadata":{"resourceVersion":"1"},"data":{"a":"2"}}""", "application/merge-patch+json");
        Assert.Equal(409, r.Status);
        var missing = await raw.PatchAsync(Samples.ConfigMapsPath + "/nope", """{"data":{}}""", "application/merge-patch+json");
        Assert.Equal(404, missing.Status);
    }

    [Fact]
    public async Task Strategic_merge_merges_containers_by_name_and_env_by_name()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var raw = new RawApi(server);
        Assert.Equal(201, (await raw.PostAsync(Sts, StatefulSet)).Status);
        var r = await raw.PatchAsync(Sts + "/s1",
            """{"spec":{"template":{"spec":{"containers":[{"name":"server","image":"server:2","env":[{"name":"B","value":"20"},{"name":"C","value":"3"}]},{"name":"sidecar","$patch":"delete"}]}}}}""",
            "application/strategic-merge-patch+json");
        Assert.Equal(200, r.Status);
        var containers = r.Json["spec"]!["template"]!["spec"]!["containers"]!.AsArray();
        var only = Assert.Single(containers);
        Assert.Equal("server:2", only!["image"]!.ToString());
        JsonAssert.Equal("""[{"name":"A","value":"1"},{"name":"B","value":"20"},{"name":"C","value":"3"}]""", only["env"]);
        Assert.Equal("6379", only["ports"]![0]!["containerPort"]!.ToString()); // untouched list kept
        Assert.Equal("2", r.Str("metadata", "generation"));
    }

    [Fact]
    public async Task Strategic_merge_directives_replace_and_element_order()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var raw = new RawApi(server);
        await raw.PostAsync(Sts, StatefulSet);
        var r = await raw.PatchAsync(Sts + "/s1",
            """{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"sidecar"},{"name":"server"}],"volumes":[{"name":"cfg","configMap":{"name":"c"}},{"$patch":"replace"}]}}}}""",
            "application/strategic-merge-patch+json");
        Assert.Equal(200, r.Status);
        var spec = r.Json["spec"]!["template"]!["spec"]!;
        Assert.Equal(["sidecar", "server"], spec["containers"]!.AsArray().Select(c => c!["name"]!.ToString()).ToArray());
        JsonAssert.Equal("""[{"name":"cfg","configMap":{"name":"c"}}]""", spec["volumes"]);
    }

    [Fact]
    public async Task Strategic_merge_unions_finalizers_and_is_refused_for_custom_resources()
    {
        var (server, raw) = await Crd.StartWithWidgetsAsync();
        await using var _ = server;
        using var __ = raw;
        await raw.PostAsync(Samples.ConfigMapsPath, """{"metadata":{"name":"c1","finalizers":["a.io/x"]}}""");
        var f = await raw.PatchAsync(Samples.ConfigMapsPath + "/c1", """{"metadata":{"finalizers":["b.io/y"]}}""", "application/strategic-merge-patch+json");
        JsonAssert.Equal("""["a.io/x","b.io/y"]""", f.Json["metadata"]!["finalizers"]);
        await raw.PostAsync(Samples.WidgetsPath, Samples.Widget("w1", 1));
        var cr = await raw.PatchAsync(Samples.WidgetsPath + "/w1", """{"spec":{"size":2}}""", "application/strategic-merge-patch+json");
        Assert.Equal(415, cr.Status);
        Assert.Equal("UnsupportedMediaType", cr.Str("reason"));
        Assert.Equal("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml", cr.Str("message"));
    }
}
