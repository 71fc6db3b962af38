using AclOperator.Testing.FakeKube;
using AclOperator.Testing.Tests.Support;

namespace AclOperator.Testing.Tests;

/// <summary>
/// CRD lifecycle beyond creation: several served versions share one storage (conversion strategy None only changes
/// apiVersion), schema updates apply to later writes, scope is immutable, unserved versions disappear from discovery.
/// </summary>
public sealed class CustomResourceVersionTests
{
    private const string Crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

    private const string TwoVersions = """
        {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"gadgets.example.com"},
         "spec":{"group":"example.com","names":{"kind":"Gadget","plural":"gadgets"},"scope":"Namespaced",
           "versions":[
             {"name":"v1alpha1","served":true,"storage":false,"schema":{"openAPIV3Schema":{"type":"object","properties":{"spec":{"type":"object","properties":{"n":{"type":"integer"}}}}}}},
             {"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object","properties":{"spec":{"type":"object","properties":{"n":{"type":"integer","maximum":5}}}}}}}]}}
        """;

    [Fact]
    public async Task Served_versions_read_the_same_objects_with_their_own_apiVersion_and_schema()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var raw = new RawApi(server);
        Assert.Equal(201, (await raw.PostAsync(Crds, TwoVersions)).Status);
        var created = await raw.PostAsync("/apis/example.com/v1alpha1/namespaces/default/gadgets", """{"apiVersion":"example.com/v1alpha1","kind":"Gadget","metadata":{"name":"g1"},"spec":{"n":9}}""");
        Assert.Equal(201, created.Status); // v1alpha1 has no maximum
        var asV1 = await raw.GetAsync("/apis/example.com/v1/namespaces/default/gadgets/g1");
        Assert.Equal("example.com/v1", asV1.Str("apiVersion"));
        Assert.Equal("9", asV1.Str("spec", "n"));
        var invalidInV1 = await raw.PostAsync("/apis/example.com/v1/namespaces/default/gadgets", """{"apiVersion":"example.com/v1","kind":"Gadget","metadata":{"name":"g2"},"spec":{"n":9}}""");
        Assert.Equal(422, invalidInV1.Status);
        var group = await raw.GetAsync("/apis/example.com");
        Assert.Equal("example.com/v1", group.Str("preferredVersion", "groupVersion"));
    }

    [Fact]
    public async Task Schema_updates_apply_to_later_writes_and_scope_is_immutable()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var raw = new RawApi(server);
        await Crd.RegisterWidgetsAsync(raw);
        Assert.Equal(201, (await raw.PostAsync(Samples.WidgetsPath, Samples.Widget("w1", 9))).Status);
        var tightened = Samples.WidgetCrd.Replace("\"maximum\": 10", "\"maximum\": 5", StringComparison.Ordinal);
        var crd = await raw.GetAsync(Crds + "/widgets.example.com");
        var update = tightened.Replace("\"metadata\": { \"name\": \"widgets.example.com\" }",
            $$$"""
            "metadata": { "name": "widgets.example.com", "resourceVersion": "{{{crd.Str("metadata", "resourceVersion")}}}" }
            """, StringComparison.Ordinal);
        var updated = await raw.PutAsync(Crds + "/widgets.example.com", update);
        Assert.Equal(200, updated.Status);
        Assert.Equal("2", updated.Str("metadata", "generation"));
        var rejected = await raw.PostAsync(Samples.WidgetsPath, Samples.Widget("w2", 9));
        Assert.Equal("Widget.example.com \"w2\" is invalid: spec.size: Invalid value: 9: spec.size in body should be less than or equal to 5", rejected.Str("message"));
        // Stored objects are not revalidated until written.
        Assert.Equal(200, (await raw.GetAsync(Samples.WidgetsPath + "/w1")).Status);

        var scope = await raw.PatchAsync(Crds + "/widgets.example.com", """{"spec":{"scope":"Cluster"}}""", "application/merge-patch+json");
        Assert.Equal(422, scope.Status);
        Assert.Equal("CustomResourceDefinition.apiextensions.k8s.io \"widgets.example.com\" is invalid: spec.scope: Invalid value: \"Cluster\": field is immutable", scope.Str("message"));
    }

    [Fact]
    public async Task Relist_after_410_with_an_empty_resourceVersion_reads_the_latest_state()
    {
        // O16: an informer that gets 410 on watch relists with resourceVersion "" (a consistent read), not "0".
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var raw = new RawApi(server);
        var list = await raw.GetAsync(Samples.ConfigMapsPath);
        var rv = list.Str("metadata", "resourceVersion");
        await raw.PostAsync(Samples.ConfigMapsPath, Samples.ConfigMap("after"));
        server.CompactHistory();
        var watch = await raw.GetAsync(Samples.ConfigMapsPath + $"?watch=1&resourceVersion={rv}");
        Assert.Contains("\"code\":410", watch.Text, StringComparison.Ordinal);
        var relist = await raw.GetAsync(Samples.ConfigMapsPath + "?resourceVersion=");
        Assert.Equal("after", relist.Json["items"]![0]!["metadata"]!["name"]!.ToString());
        Assert.Equal(server.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), relist.Str("metadata", "resourceVersion"));
        var resumed = await raw.GetAsync(Samples.ConfigMapsPath + $"?watch=1&timeoutSeconds=1&resourceVersion={relist.Str("metadata", "resourceVersion")}");
        Assert.Equal("", resumed.Text);
    }
}
