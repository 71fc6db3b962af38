using k8s;
using AclOperator.Testing.FakeKube;
using AclOperator.Testing.Tests.Support;

namespace AclOperator.Testing.Tests;

/// <summary>
/// Server-side apply (docs "Server-Side Apply"; apiserver fieldmanager + structured-merge-diff): apply creates,
/// managedFields record ownership, conflicts are 409 with FieldManagerConflict causes unless force=true, fields an
/// applier stops specifying are removed when nobody else owns them, equal values are co-owned.
/// </summary>
public sealed class ServerSideApplyTests
{
    private const string Cm = Samples.ConfigMapsPath + "/c1";
    private const string ApplyType = "application/apply-patch+yaml";

    private static Task<RawResponse> Apply(RawApi raw, string manager, string data, bool force = false) =>
        raw.PatchAsync(Cm + $"?fieldManager={manager}" + (force ? "&force=true" : ""),
            $$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c1"},"data":{{{data}}}}""", ApplyType);

    [Fact]
    public async Task Apply_creates_and_records_an_Apply_manager()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var raw = new RawApi(server);
        var r = await Apply(raw, "op", """{"a":"1"}""");
        Assert.Equal(201, r.Status);
        var mf = r.Json["metadata"]!["managedFields"]!.AsArray();
        var entry = Assert.Single(mf)!;
        Assert.Equal("op", entry["manager"]!.ToString());
        Assert.Equal("Apply", entry["operation"]!.ToString());
        Assert.Equal("v1", entry["apiVersion"]!.ToString());
        Assert.Equal("FieldsV1", entry["fieldsType"]!.ToString());
        JsonAssert.Equal("""{"f:data":{"f:a":{}}}""", entry["fieldsV1"]);
        Assert.Equal(200, (await Apply(raw, "op", """{"a":"1"}""")).Status);
    }

    [Fact]
    public async Task Apply_requires_a_field_manager()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var raw = new RawApi(server);
        var r = await raw.PatchAsync(Cm, Samples.ConfigMap("c1"), ApplyType);
        Assert.Equal(400, r.Status);
        Assert.Equal("PATCH requests with apply content type must specify fieldManager", r.Str("message"));
    }

    [Fact]
    public async Task Conflicting_apply_is_409_with_causes_and_force_takes_ownership()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var raw = new RawApi(server);
        await Apply(raw, "first", """{"a":"1","b":"1"}""");
        var conflict = await Apply(raw, "second", """{"a":"2"}""");
        Assert.Equal(409, conflict.Status);
        Assert.Equal("Conflict", conflict.Str("reason"));
        Assert.Equal("Apply failed with 1 conflict: conflict with \"first\": .data.a", conflict.Str("message"));
        var cause = conflict.Json["details"]!["causes"]![0]!;
        Assert.Equal("FieldManagerConflict", cause["reason"]!.ToString());
        Assert.Equal("conflict with \"first\"", cause["message"]!.ToString());
        Assert.Equal(".data.a", cause["field"]!.ToString());

        var two = await Apply(raw, "second", """{"a":"2","b":"2"}""");
        Assert.Equal("Apply failed with 2 conflicts: conflicts with \"first\":\n- .data.a\n- .data.b", two.Str("message"));

        var forced = await Apply(raw, "second", """{"a":"2"}""", force: true);
        Assert.Equal(200, forced.Status);
        Assert.Equal("2", forced.Str("data", "a"));
        var managers = forced.Json["metadata"]!["managedFields"]!.AsArray()
            .ToDictionary(e => e!["manager"]!.ToString(), e => e!["fieldsV1"]);
        JsonAssert.Equal("""{"f:data":{"f:b":{}}}""", managers["first"]);
        JsonAssert.Equal("""{"f:data":{"f:a":{}}}""", managers["second"]);
    }

    [Fact]
    public async Task Conflict_with_an_Update_manager_names_its_api_version()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var raw = new RawApi(server);
        await raw.PostAsync(Samples.ConfigMapsPath + "?fieldManager=editor", Samples.ConfigMap("c1"));
        var conflict = await Apply(raw, "op", """{"a":"9"}""");
        Assert.Equal("Apply failed with 1 conflict: conflict with \"editor\" using v1: .data.a", conflict.Str("message"));
    }

    [Fact]
    public async Task Same_value_is_co_owned_and_omitted_fields_are_removed_only_when_unowned()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var raw = new RawApi(server);
        await Apply(raw, "first", """{"a":"1","b":"1"}""");
        var shared = await Apply(raw, "second", """{"a":"1"}""");
        Assert.Equal(200, shared.Status);
        // first stops specifying a (still owned by second) and b (owned by nobody else): b is removed, a stays.
        var after = await Apply(raw, "first", """{"c":"1"}""");
        JsonAssert.Equal("""{"a":"1","c":"1"}""", after.Json["data"]);
    }

    [Fact]
    public async Task Apply_merges_associative_lists_by_key_for_custom_resources()
    {
        var (server, raw) = await Crd.StartWithWidgetsAsync();
        await using var _ = server;
        using var __ = raw;
        var w = Samples.WidgetsPath + "/w1";
        await raw.PatchAsync(w + "?fieldManager=a", """{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w1"},"spec":{"size":1,"ports":[{"name":"x","port":1}]}}""", ApplyType);
        var r = await raw.PatchAsync(w + "?fieldManager=b", """{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w1"},"spec":{"ports":[{"name":"y","port":2}]}}""", ApplyType);
        Assert.Equal(200, r.Status);
        JsonAssert.Equal("""[{"name":"x","port":1},{"name":"y","port":2}]""", r.Json["spec"]!["ports"]);
        var b = r.Json["metadata"]!["managedFields"]!.AsArray().First(e => e!["manager"]!.ToString() == "b")!;
        JsonAssert.Equal("""{"f:spec":{"f:ports":{"k:{\"name\":\"y\"}":{".":{},"f:name":{},"f:port":{}}}}}""", b["fieldsV1"]);
        var status = await raw.PatchAsync(w + "/status?fieldManager=ctl", """{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w1"},"status":{"observedGeneration":1}}""", ApplyType);
        Assert.Equal("status", status.Json["metadata"]!["managedFields"]!.AsArray().First(e => e!["manager"]!.ToString() == "ctl")!["subresource"]!.ToString());
        Assert.Equal("1", status.Str("status", "observedGeneration"));
    }

    [Fact]
    public async Task Update_operations_take_ownership_of_what_they_change()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var raw = new RawApi(server);
        await Apply(raw, "op", """{"a":"1","b":"1"}""");
        var r = await raw.PatchAsync(Cm + "?fieldManager=kubectl-edit", """{"data":{"a":"2"}}""", "application/merge-patch+json");
        var managers = r.Json["metadata"]!["managedFields"]!.AsArray()
            .ToDictionary(e => e!["manager"]!.ToString(), e => (Op: e!["operation"]!.ToString(), Fields: e!["fieldsV1"]));
        Assert.Equal("Apply", managers["op"].Op);
        JsonAssert.Equal("""{"f:data":{"f:b":{}}}""", managers["op"].Fields);
        Assert.Equal("Update", managers["kubectl-edit"].Op);
        JsonAssert.Equal("""{"f:data":{"f:a":{}}}""", managers["kubectl-edit"].Fields);
    }

    [Fact]
    public async Task Typed_apply_through_KubernetesClient_is_idempotent()
    {
        // Re-applying the same configuration changes nothing: same resourceVersion, no watch event (O12: owned objects
        // via server-side apply, writes only on semantic change).
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var client = server.CreateClient();
        var sts = new k8s.Models.V1StatefulSet
        {
            ApiVersion = "apps/v1",
            Kind = "StatefulSet",
            Metadata = new k8s.Models.V1ObjectMeta { Name = "acl", NamespaceProperty = "default", Labels = new Dictionary<string, string> { ["app"] = "acl" } },
            Spec = new k8s.Models.V1StatefulSetSpec
            {
                ServiceName = "acl",
                Selector = new k8s.Models.V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "acl" } },
                Template = new k8s.Models.V1PodTemplateSpec
                {
                    Metadata = new k8s.Models.V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "acl" } },
                    Spec = new k8s.Models.V1PodSpec
                    {
                        Containers = [new k8s.Models.V1Container { Name = "server", Image = "aclop/server:1", Ports = [new k8s.Models.V1ContainerPort { ContainerPort = 6379, Name = "resp" }] }],
                    },
                },
            },
        };
        var patch = new k8s.Models.V1Patch(sts, k8s.Models.V1Patch.PatchType.ApplyPatch);
        var first = await client.AppsV1.PatchNamespacedStatefulSetAsync(patch, "acl", "default", fieldManager: "aclop-operator", force: true, cancellationToken: TestContext.Current.CancellationToken);
        var second = await client.AppsV1.PatchNamespacedStatefulSetAsync(patch, "acl", "default", fieldManager: "aclop-operator", force: true, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(first.Metadata.ResourceVersion, second.Metadata.ResourceVersion);
        Assert.Equal(1, second.Metadata.Generation);
        Assert.Equal("TCP", second.Spec.Template.Spec.Containers[0].Ports[0].Protocol); // defaulted
        var entry = Assert.Single(second.Metadata.ManagedFields);
        Assert.Equal("aclop-operator", entry.Manager);

        sts.Spec.Template.Spec.Containers[0].Image = "aclop/server:2";
        var third = await client.AppsV1.PatchNamespacedStatefulSetAsync(new k8s.Models.V1Patch(sts, k8s.Models.V1Patch.PatchType.ApplyPatch), "acl", "default", fieldManager: "aclop-operator", force: true, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(2, third.Metadata.Generation);
        Assert.Equal("aclop/server:2", third.Spec.Template.Spec.Containers[0].Image);
    }
}
