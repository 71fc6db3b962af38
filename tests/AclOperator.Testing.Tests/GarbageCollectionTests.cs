using AclOperator.Testing.FakeKube;
using AclOperator.Testing.Tests.Support;

namespace AclOperator.Testing.Tests;

/// <summary>
/// Garbage collection (kube-controller-manager garbagecollector; docs "Owners and Dependents"): dependents whose
/// owners are all absent are deleted in the background. An ownerReference resolves in the dependent's own namespace,
/// so a dependent referring to an owner in another namespace is collected, as the real collector does (O10).
/// </summary>
public sealed class GarbageCollectionTests
{
    private static async Task<(string Uid, FakeKubeServer Server, RawApi Raw)> WithOwner(string ns = "default")
    {
        var (server, raw) = await Crd.StartWithWidgetsAsync();
        if (ns != "default")
        {
            await raw.PostAsync("/api/v1/namespaces", $$$"""{"metadata":{"name":"{{{ns}}}"}}""");
        }
        var owner = await raw.PostAsync($"/apis/example.com/v1/namespaces/{ns}/widgets", Samples.Widget("owner", 1, ns));
        return (owner.Str("metadata", "uid")!, server, raw);
    }

    private static string Dependent(string name, string uid, string ownerName = "owner", bool block = false) =>
        $$$"""{"metadata":{"name":"{{{name}}}","ownerReferences":[{"apiVersion":"example.com/v1","kind":"Widget","name":"{{{ownerName}}}","uid":"{{{uid}}}","controller":true,"blockOwnerDeletion":{{{(block ? "true" : "false")}}}}]}}""";

    [Fact]
    public async Task Background_deletion_collects_dependents()
    {
        var (uid, server, raw) = await WithOwner();
        await using var _ = server;
        using var __ = raw;
        await raw.PostAsync(Samples.ConfigMapsPath, Dependent("dep", uid));
        await raw.PostAsync(Samples.ConfigMapsPath, Samples.ConfigMap("unrelated"));
        await server.SettleAsync();
        Assert.Equal(200, (await raw.GetAsync(Samples.ConfigMapsPath + "/dep")).Status);
        await raw.DeleteAsync(Samples.WidgetsPath + "/owner");
        await Eventually.TrueAsync(async () => (await raw.GetAsync(Samples.ConfigMapsPath + "/dep")).Status == 404, "the dependent is collected");
        Assert.Equal(200, (await raw.GetAsync(Samples.ConfigMapsPath + "/unrelated")).Status);
    }

    [Fact]
    public async Task Dependent_whose_owner_is_in_another_namespace_is_collected()
    {
        var (uid, server, raw) = await WithOwner("tenant");
        await using var _ = server;
        using var __ = raw;
        // The owner exists (in "tenant"), but a reference from "default" resolves to default/owner, which does not.
        await raw.PostAsync(Samples.ConfigMapsPath, Dependent("cross", uid));
        await Eventually.TrueAsync(async () => (await raw.GetAsync(Samples.ConfigMapsPath + "/cross")).Status == 404, "the cross-namespace dependent is collected");
        Assert.Equal(200, (await raw.GetAsync("/apis/example.com/v1/namespaces/tenant/widgets/owner")).Status);
    }

    [Fact]
    public async Task Owner_reference_with_a_stale_uid_counts_as_absent()
    {
        var (_, server, raw) = await WithOwner();
        await using var s = server;
        using var r = raw;
        await raw.PostAsync(Samples.ConfigMapsPath, Dependent("stale", "11111111-1111-1111-1111-111111111111"));
        await Eventually.TrueAsync(async () => (await raw.GetAsync(Samples.ConfigMapsPath + "/stale")).Status == 404, "the dependent of a recreated owner is collected");
    }

    [Fact]
    public async Task Dangling_references_are_removed_while_another_owner_lives()
    {
        var (uid, server, raw) = await WithOwner();
        await using var _ = server;
        using var __ = raw;
        var second = await raw.PostAsync(Samples.WidgetsPath, Samples.Widget("second", 1));
        var uid2 = second.Str("metadata", "uid");
        await raw.PostAsync(Samples.ConfigMapsPath, $$$"""
            {"metadata":{"name":"shared","ownerReferences":[
              {"apiVersion":"example.com/v1","kind":"Widget","name":"owner","uid":"{{{uid}}}"},
              {"apiVersion":"example.com/v1","kind":"Widget","name":"second","uid":"{{{uid2}}}"}]}}
            """);
        await raw.DeleteAsync(Samples.WidgetsPath + "/owner");
        await Eventually.TrueAsync(async () =>
            (await raw.GetAsync(Samples.ConfigMapsPath + "/shared")).Json["metadata"]!["ownerReferences"]!.AsArray().Count == 1,
            "the dangling reference is removed");
        var shared = await raw.GetAsync(Samples.ConfigMapsPath + "/shared");
        Assert.Equal("second", shared.Json["metadata"]!["ownerReferences"]![0]!["name"]!.ToString());
    }

    [Fact]
    public async Task Orphan_propagation_keeps_dependents_and_strips_the_reference()
    {
        var (uid, server, raw) = await WithOwner();
        await using var _ = server;
        using var __ = raw;
        await raw.PostAsync(Samples.ConfigMapsPath, Dependent("dep", uid));
        await raw.DeleteAsync(Samples.WidgetsPath + "/owner", """{"propagationPolicy":"Orphan"}""");
        await Eventually.TrueAsync(async () => (await raw.GetAsync(Samples.WidgetsPath + "/owner")).Status == 404, "the owner is deleted");
        var dep = await raw.GetAsync(Samples.ConfigMapsPath + "/dep");
        Assert.Equal(200, dep.Status);
        Assert.Null(dep.Json["metadata"]!["ownerReferences"]);
    }

    [Fact]
    public async Task Foreground_deletion_waits_for_blocking_dependents()
    {
        var (uid, server, raw) = await WithOwner();
        await using var _ = server;
        using var __ = raw;
        await raw.PostAsync(Samples.ConfigMapsPath, """{"metadata":{"name":"blocker","finalizers":["example.com/slow"]}}""");
        await raw.PatchAsync(Samples.ConfigMapsPath + "/blocker", Dependent("blocker", uid, block: true), "application/merge-patch+json");
        var deleting = await raw.DeleteAsync(Samples.WidgetsPath + "/owner", """{"propagationPolicy":"Foreground"}""");
        Assert.Contains("foregroundDeletion", deleting.Json["metadata"]!["finalizers"]!.AsArray().Select(f => f!.ToString()));
        await server.SettleAsync();
        Assert.NotNull((await raw.GetAsync(Samples.ConfigMapsPath + "/blocker")).Str("metadata", "deletionTimestamp"));
        Assert.Equal(200, (await raw.GetAsync(Samples.WidgetsPath + "/owner")).Status);
        await raw.PatchAsync(Samples.ConfigMapsPath + "/blocker", """{"metadata":{"finalizers":null}}""", "application/merge-patch+json");
        await Eventually.TrueAsync(async () => (await raw.GetAsync(Samples.WidgetsPath + "/owner")).Status == 404, "the owner goes after its dependent");
    }

    [Fact]
    public async Task Cluster_scoped_dependent_of_a_namespaced_owner_is_never_collected()
    {
        var (uid, server, raw) = await WithOwner();
        await using var _ = server;
        using var __ = raw;
        await raw.PostAsync("/apis/rbac.authorization.k8s.io/v1/clusterroles", Dependent("cr", uid));
        await raw.DeleteAsync(Samples.WidgetsPath + "/owner");
        await server.SettleAsync();
        Assert.Equal(200, (await raw.GetAsync("/apis/rbac.authorization.k8s.io/v1/clusterroles/cr")).Status);
    }
}
