using AclOperator.Testing.FakeKube;
using AclOperator.Testing.Tests.Support;

namespace AclOperator.Testing.Tests;

/// <summary>
/// Finalizers and deletionTimestamp (API concepts "Finalizers"; store.go markAsDeleting, ValidateObjectMetaUpdate)
/// and namespace termination (NamespaceLifecycle admission and the namespace controller).
/// </summary>
public sealed class FinalizerTests
{
    private const string W1 = Samples.WidgetsPath + "/w1";

    [Fact]
    public async Task Delete_with_finalizers_sets_deletionTimestamp_and_bumps_generation()
    {
        var (server, raw) = await Crd.StartWithWidgetsAsync();
        await using var _ = server;
        using var __ = raw;
        await raw.PostAsync(Samples.WidgetsPath, """{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w1","finalizers":["example.com/cleanup"]},"spec":{"size":1}}""");
        var deleted = await raw.DeleteAsync(W1);
        Assert.Equal(200, deleted.Status);
        Assert.Equal("Widget", deleted.Str("kind")); // the object, still there
        Assert.NotNull(deleted.Str("metadata", "deletionTimestamp"));
        Assert.Equal("0", deleted.Str("metadata", "deletionGracePeriodSeconds"));
        Assert.Equal("2", deleted.Str("metadata", "generation"));
        var again = await raw.DeleteAsync(W1);
        Assert.Equal(deleted.Str("metadata", "resourceVersion"), again.Str("metadata", "resourceVersion"));
        Assert.Equal(200, (await raw.GetAsync(W1)).Status);
    }

    [Fact]
    public async Task Removing_the_last_finalizer_deletes_the_object()
    {
        var (server, raw) = await Crd.StartWithWidgetsAsync();
        await using var _ = server;
        using var __ = raw;
        await raw.PostAsync(Samples.WidgetsPath, """{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w1","finalizers":["example.com/a","example.com/b"]},"spec":{"size":1}}""");
        await raw.DeleteAsync(W1);
        var one = await raw.PatchAsync(W1, """[{"op":"remove","path":"/metadata/finalizers/0"}]""", "application/json-patch+json");
        Assert.Equal(200, one.Status);
        Assert.Equal("""["example.com/b"]""", one.Json["metadata"]!["finalizers"]!.ToJsonString());
        var rv = server.ResourceVersion;
        var last = await raw.PatchAsync(W1, """{"metadata":{"finalizers":null}}""", "application/merge-patch+json");
        Assert.Equal(200, last.Status);
        Assert.Equal(404, (await raw.GetAsync(W1)).Status);
        var watch = await raw.GetAsync(Samples.WidgetsPath + $"?watch=1&timeoutSeconds=1&resourceVersion={rv}");
        Assert.StartsWith("{\"type\":\"DELETED\"", watch.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_new_finalizers_while_deleting()
    {
        var (server, raw) = await Crd.StartWithWidgetsAsync();
        await using var _ = server;
        using var __ = raw;
        await raw.PostAsync(Samples.WidgetsPath, """{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w1","finalizers":["example.com/a"]},"spec":{"size":1}}""");
        await raw.DeleteAsync(W1);
        var r = await raw.PatchAsync(W1, """{"metadata":{"finalizers":["example.com/a","example.com/late"]}}""", "application/merge-patch+json");
        Assert.Equal(422, r.Status);
        Assert.Equal("Widget.example.com \"w1\" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{\"example.com/late\"}", r.Str("message"));
    }

    [Fact]
    public async Task Namespace_deletion_terminates_deletes_content_then_the_namespace()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var raw = new RawApi(server);
        await raw.PostAsync("/api/v1/namespaces", """{"metadata":{"name":"team"}}""");
        await raw.PostAsync("/api/v1/namespaces/team/configmaps", Samples.ConfigMap("c1"));
        await raw.PostAsync("/api/v1/namespaces/team/configmaps", """{"metadata":{"name":"held","finalizers":["example.com/hold"]}}""");
        var deleting = await raw.DeleteAsync("/api/v1/namespaces/team");
        Assert.Equal("Terminating", deleting.Str("status", "phase"));
        var refused = await raw.PostAsync("/api/v1/namespaces/team/configmaps", Samples.ConfigMap("c2"));
        Assert.Equal(403, refused.Status);
        Assert.Equal("configmaps \"c2\" is forbidden: unable to create new content in namespace team because it is being terminated", refused.Str("message"));
        await Eventually.TrueAsync(async () => (await raw.GetAsync("/api/v1/namespaces/team/configmaps/c1")).Status == 404, "c1 is deleted");
        Assert.Equal(200, (await raw.GetAsync("/api/v1/namespaces/team")).Status); // held by the finalizer of "held"
        await raw.PatchAsync("/api/v1/namespaces/team/configmaps/held", """{"metadata":{"finalizers":null}}""", "application/merge-patch+json");
        await Eventually.TrueAsync(async () => (await raw.GetAsync("/api/v1/namespaces/team")).Status == 404, "the namespace is gone");
    }
}
