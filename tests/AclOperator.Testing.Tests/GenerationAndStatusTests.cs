using AclOperator.Testing.Tests.Support;

namespace AclOperator.Testing.Tests;

/// <summary>
/// metadata.generation and the status subresource (API conventions "Spec and Status"; apiextensions-apiserver
/// customresource strategy): generation changes on spec changes only, the main resource ignores status, /status
/// changes only status, status is dropped on create.
/// </summary>
public sealed class GenerationAndStatusTests
{
    private const string W1 = Samples.WidgetsPath + "/w1";

    [Fact]
    public async Task Custom_resource_generation_bumps_on_spec_change_only()
    {
        var (server, raw) = await Crd.StartWithWidgetsAsync();
        await using var _ = server;
        using var __ = raw;
        var created = await raw.PostAsync(Samples.WidgetsPath, Samples.Widget("w1", 1));
        Assert.Equal("1", created.Str("metadata", "generation"));

        var labels = await raw.PatchAsync(W1, """{"metadata":{"labels":{"a":"b"}}}""", "application/merge-patch+json");
        Assert.Equal("1", labels.Str("metadata", "generation"));
        Assert.NotEqual(created.Str("metadata", "resourceVersion"), labels.Str("metadata", "resourceVersion"));

        var status = await raw.PatchAsync(W1 + "/status", """{"status":{"observedGeneration":1}}""", "application/merge-patch+json");
        Assert.Equal("1", status.Str("metadata", "generation"));

        var spec = await raw.PatchAsync(W1, """{"spec":{"size":2}}""", "application/merge-patch+json");
        Assert.Equal("2", spec.Str("metadata", "generation"));
    }

    [Fact]
    public async Task Main_resource_writes_ignore_status_and_status_writes_ignore_everything_else()
    {
        var (server, raw) = await Crd.StartWithWidgetsAsync();
        await using var _ = server;
        using var __ = raw;
        var created = await raw.PostAsync(Samples.WidgetsPath,
            """{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w1"},"spec":{"size":1},"status":{"observedGeneration":7}}""");
        Assert.Null(created.Json["status"]); // dropped on create

        var viaMain = await raw.PatchAsync(W1, """{"status":{"observedGeneration":3}}""", "application/merge-patch+json");
        Assert.Null(viaMain.Json["status"]);
        Assert.Equal(created.Str("metadata", "resourceVersion"), viaMain.Str("metadata", "resourceVersion")); // a no-op

        var rv = created.Str("metadata", "resourceVersion");
        var put = await raw.PutAsync(W1 + "/status",
            $$$"""{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w1","resourceVersion":"{{{rv}}}","labels":{"ignored":"yes"}},"spec":{"size":9},"status":{"observedGeneration":1}}""");
        Assert.Equal(200, put.Status);
        Assert.Equal("1", put.Str("status", "observedGeneration"));
        Assert.Equal("1", put.Str("spec", "size"));
        Assert.Null(put.Json["metadata"]!["labels"]);
        Assert.Equal("1", put.Str("metadata", "generation"));

        var stale = await raw.PutAsync(W1 + "/status",
            $$$"""{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w1","resourceVersion":"{{{rv}}}"},"spec":{"size":1},"status":{"observedGeneration":2}}""");
        Assert.Equal(409, stale.Status);
        Assert.Equal("Operation cannot be fulfilled on widgets.example.com \"w1\": the object has been modified; please apply your changes to the latest version and try again", stale.Str("message"));
    }

    [Fact]
    public async Task StatefulSet_generation_follows_spec_and_status_is_a_subresource()
    {
        await using var server = await AclOperator.Testing.FakeKube.FakeKubeServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var raw = new RawApi(server);
        const string sts = """
            {"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"s1"},"spec":{"serviceName":"s1","selector":{"matchLabels":{"app":"s1"}},
             "template":{"metadata":{"labels":{"app":"s1"}},"spec":{"containers":[{"name":"server","image":"aclop/server:1.0"}]}}}}
            """;
        var created = await raw.PostAsync("/apis/apps/v1/namespaces/default/statefulsets", sts);
        Assert.Equal(201, created.Status);
        Assert.Equal("1", created.Str("metadata", "generation"));
        Assert.Equal("1", created.Str("spec", "replicas")); // defaulted
        Assert.Equal("IfNotPresent", created.Json["spec"]!["template"]!["spec"]!["containers"]![0]!["imagePullPolicy"]!.ToString());
        var path = "/apis/apps/v1/namespaces/default/statefulsets/s1";
        var status = await raw.PatchAsync(path + "/status", """{"status":{"readyReplicas":1,"replicas":1}}""", "application/merge-patch+json");
        Assert.Equal("1", status.Str("metadata", "generation"));
        Assert.Equal("1", status.Str("status", "readyReplicas"));
        var scaled = await raw.PatchAsync(path, """{"spec":{"replicas":3}}""", "application/merge-patch+json");
        Assert.Equal("2", scaled.Str("metadata", "generation"));
        var forbidden = await raw.PatchAsync(path, """{"spec":{"serviceName":"other"}}""", "application/merge-patch+json");
        Assert.Equal(422, forbidden.Status);
        Assert.Equal("StatefulSet.apps \"s1\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden", forbidden.Str("message"));
    }
}
