using System.Globalization;
using System.Net;
using AclOperator.Testing.FakeKube;
using AclOperator.Testing.Tests.Support;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace AclOperator.Testing.Tests;

/// <summary>
/// Create/get/update/delete semantics of k8s.io/apiserver/pkg/registry/generic/registry/store.go and the
/// Status errors of k8s.io/apimachinery/pkg/api/errors, through the real KubernetesClient.
/// </summary>
public sealed class ObjectSemanticsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static V1ConfigMap Cm(string name, string value = "1") => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Data = new Dictionary<string, string> { ["a"] = value },
    };

    [Fact]
    public async Task Create_sets_uid_creationTimestamp_and_resourceVersion_server_side()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var client = server.CreateClient();
        var before = server.ResourceVersion;
        var created = await client.CoreV1.CreateNamespacedConfigMapAsync(Cm("c1"), "default", cancellationToken: Ct);
        Assert.True(Guid.TryParse(created.Metadata.Uid, out _));
        Assert.NotNull(created.Metadata.CreationTimestamp);
        Assert.Equal((before + 1).ToString(CultureInfo.InvariantCulture), created.Metadata.ResourceVersion);
        Assert.Null(created.Metadata.Generation); // ConfigMaps have no generation.
        var read = await client.CoreV1.ReadNamespacedConfigMapAsync("c1", "default", cancellationToken: Ct);
        Assert.Equal(created.Metadata.Uid, read.Metadata.Uid);
        Assert.Equal("1", read.Data["a"]);
    }

    [Fact]
    public async Task ResourceVersion_is_one_counter_shared_by_all_kinds()
    {
        // etcd's revision is global: a write to any resource advances every list's resourceVersion.
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var client = server.CreateClient();
        var cm = await client.CoreV1.CreateNamespacedConfigMapAsync(Cm("c1"), "default", cancellationToken: Ct);
        var secret = await client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "s1" } }, "default", cancellationToken: Ct);
        Assert.Equal(long.Parse(cm.Metadata.ResourceVersion, CultureInfo.InvariantCulture) + 1, long.Parse(secret.Metadata.ResourceVersion, CultureInfo.InvariantCulture));
        var list = await client.CoreV1.ListNamespacedConfigMapAsync("default", cancellationToken: Ct);
        Assert.Equal(secret.Metadata.ResourceVersion, list.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task Stale_update_is_409_Conflict_with_the_real_message()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var raw = new RawApi(server);
        using var client = server.CreateClient();
        var created = await client.CoreV1.CreateNamespacedConfigMapAsync(Cm("c1"), "default", cancellationToken: Ct);
        var stale = created.Metadata.ResourceVersion;
        created.Data["a"] = "2";
        await client.CoreV1.ReplaceNamespacedConfigMapAsync(created, "c1", "default", cancellationToken: Ct);
        var r = await raw.PutAsync(Samples.ConfigMapsPath + "/c1",
            $$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c1","resourceVersion":"{{{stale}}}"},"data":{"a":"3"}}""");
        Assert.Equal(409, r.Status);
        Assert.Equal("Conflict", r.Str("reason"));
        Assert.Equal("Operation cannot be fulfilled on configmaps \"c1\": the object has been modified; please apply your changes to the latest version and try again", r.Str("message"));
        Assert.Equal("configmaps", r.Str("details", "kind"));
        Assert.Equal("c1", r.Str("details", "name"));
        Assert.Equal("Status", r.Str("kind"));
        Assert.Equal("Failure", r.Str("status"));

        var ex = await Assert.ThrowsAsync<HttpOperationException>(() =>
        {
            created.Metadata.ResourceVersion = stale;
            return client.CoreV1.ReplaceNamespacedConfigMapAsync(created, "c1", "default", cancellationToken: Ct);
        });
        Assert.Equal(HttpStatusCode.Conflict, ex.Response.StatusCode);
    }

    [Fact]
    public async Task Conflict_names_group_qualified_resources()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var raw = new RawApi(server);
        await raw.PostAsync("/apis/coordination.k8s.io/v1/namespaces/default/leases", """{"metadata":{"name":"l1"},"spec":{"holderIdentity":"a"}}""");
        var r = await raw.PutAsync("/apis/coordination.k8s.io/v1/namespaces/default/leases/l1",
            """{"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"l1","resourceVersion":"1"},"spec":{"holderIdentity":"b"}}""");
        Assert.Equal(409, r.Status);
        Assert.Equal("Operation cannot be fulfilled on leases.coordination.k8s.io \"l1\": the object has been modified; please apply your changes to the latest version and try again", r.Str("message"));
        Assert.Equal("coordination.k8s.io", r.Str("details", "group"));
    }

    [Fact]
    public async Task Missing_object_is_404_NotFound_Status()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var raw = new RawApi(server);
        var r = await raw.GetAsync(Samples.ConfigMapsPath + "/nope");
        Assert.Equal(404, r.Status);
        Assert.Equal("""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \"nope\" not found","reason":"NotFound","details":{"name":"nope","kind":"configmaps"},"code":404}""", r.Text);
        var route = await raw.GetAsync("/api/v1/nothings");
        Assert.Equal(404, route.Status);
        Assert.Equal("the server could not find the requested resource", route.Str("message"));
    }

    [Fact]
    public async Task Duplicate_create_is_409_AlreadyExists()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var raw = new RawApi(server);
        Assert.Equal(201, (await raw.PostAsync(Samples.ConfigMapsPath, Samples.ConfigMap("c1"))).Status);
        var r = await raw.PostAsync(Samples.ConfigMapsPath, Samples.ConfigMap("c1"));
        Assert.Equal(409, r.Status);
        Assert.Equal("AlreadyExists", r.Str("reason"));
        Assert.Equal("configmaps \"c1\" already exists", r.Str("message"));
    }

    [Fact]
    public async Task Invalid_name_is_422_with_field_causes()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var raw = new RawApi(server);
        var r = await raw.PostAsync(Samples.ConfigMapsPath, Samples.ConfigMap("Bad_Name", data: """{"bad key":"x"}"""));
        Assert.Equal(422, r.Status);
        Assert.Equal("Invalid", r.Str("reason"));
        Assert.Equal("ConfigMap", r.Str("details", "kind"));
        Assert.Equal(
            "ConfigMap \"Bad_Name\" is invalid: [metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*'), data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')]",
            r.Str("message"));
        var causes = r.Json["details"]!["causes"]!.AsArray();
        Assert.Equal(2, causes.Count);
        Assert.Equal("FieldValueInvalid", causes[0]!["reason"]!.ToString());
        Assert.Equal("metadata.name", causes[0]!["field"]!.ToString());
        Assert.Equal("data[bad key]", causes[1]!["field"]!.ToString());
    }

    [Fact]
    public async Task Create_with_resourceVersion_is_400_and_generateName_appends_five_characters()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var raw = new RawApi(server);
        var r = await raw.PostAsync(Samples.ConfigMapsPath, """{"metadata":{"name":"c1","resourceVersion":"5"}}""");
        Assert.Equal(400, r.Status);
        Assert.Equal("resourceVersion should not be set on objects to be created", r.Str("message"));
        var g = await raw.PostAsync(Samples.ConfigMapsPath, """{"metadata":{"generateName":"job-"}}""");
        Assert.Equal(201, g.Status);
        Assert.Matches("^job-[bcdfghjklmnpqrstvwxz2456789]{5}$", g.Str("metadata", "name"));
    }

    [Fact]
    public async Task Namespaced_create_needs_an_existing_namespace()
    {
        // NamespaceLifecycle admission: content cannot be created in a namespace that does not exist.
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var raw = new RawApi(server);
        var r = await raw.PostAsync("/api/v1/namespaces/ghost/configmaps", Samples.ConfigMap("c1"));
        Assert.Equal(404, r.Status);
        Assert.Equal("namespaces \"ghost\" not found", r.Str("message"));
        var mismatch = await raw.PostAsync(Samples.ConfigMapsPath, """{"metadata":{"name":"c1","namespace":"kube-system"}}""");
        Assert.Equal(400, mismatch.Status);
        Assert.Equal("the namespace of the provided object does not match the namespace sent on the request", mismatch.Str("message"));
    }

    [Fact]
    public async Task Unchanged_update_keeps_the_resourceVersion()
    {
        // GuaranteedUpdate skips the write when the new object equals the stored one.
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var client = server.CreateClient();
        var created = await client.CoreV1.CreateNamespacedConfigMapAsync(Cm("c1"), "default", cancellationToken: Ct);
        var same = await client.CoreV1.ReplaceNamespacedConfigMapAsync(created, "c1", "default", cancellationToken: Ct);
        Assert.Equal(created.Metadata.ResourceVersion, same.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task ConfigMap_update_without_resourceVersion_is_unconditional_but_custom_resources_require_it()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var raw = new RawApi(server);
        await raw.PostAsync(Samples.ConfigMapsPath, Samples.ConfigMap("c1"));
        Assert.Equal(200, (await raw.PutAsync(Samples.ConfigMapsPath + "/c1", Samples.ConfigMap("c1", """{"a":"2"}"""))).Status);

        await raw.PostAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", Samples.WidgetCrd);
        await raw.PostAsync(Samples.WidgetsPath, Samples.Widget("w1", 1));
        var r = await raw.PutAsync(Samples.WidgetsPath + "/w1", Samples.Widget("w1", 2));
        Assert.Equal(422, r.Status);
        Assert.Equal("Widget.example.com \"w1\" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update", r.Str("message"));
    }

    [Fact]
    public async Task Immutable_ConfigMap_rejects_data_changes()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var raw = new RawApi(server);
        await raw.PostAsync(Samples.ConfigMapsPath, """{"metadata":{"name":"c1"},"data":{"a":"1"},"immutable":true}""");
        var r = await raw.PutAsync(Samples.ConfigMapsPath + "/c1", """{"metadata":{"name":"c1"},"data":{"a":"2"},"immutable":true}""");
        Assert.Equal(422, r.Status);
        Assert.Equal("ConfigMap \"c1\" is invalid: data: Forbidden: field is immutable when `immutable` is set", r.Str("message"));
    }

    [Fact]
    public async Task Secret_stringData_is_merged_into_data_as_base64()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var client = server.CreateClient();
        var created = await client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "s1" },
            StringData = new Dictionary<string, string> { ["password"] = "hunter2" },
        }, "default", cancellationToken: Ct);
        Assert.Null(created.StringData);
        Assert.Equal("Opaque", created.Type);
        Assert.Equal("hunter2", System.Text.Encoding.UTF8.GetString(created.Data["password"]));

        using var raw = new RawApi(server);
        var bad = await raw.PostAsync("/api/v1/namespaces/default/secrets", """{"metadata":{"name":"s2"},"data":{"k":"not base64!"}}""");
        Assert.Equal(400, bad.Status);
        Assert.Equal("Secret in version \"v1\" cannot be handled as a Secret: illegal base64 data at input byte 3", bad.Str("message"));
    }

    [Fact]
    public async Task Delete_returns_a_success_Status_and_the_object_is_gone()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var raw = new RawApi(server);
        var created = await raw.PostAsync(Samples.ConfigMapsPath, Samples.ConfigMap("c1"));
        var r = await raw.DeleteAsync(Samples.ConfigMapsPath + "/c1");
        Assert.Equal(200, r.Status);
        Assert.Equal("Success", r.Str("status"));
        Assert.Equal(created.Str("metadata", "uid"), r.Str("details", "uid"));
        Assert.Equal(404, (await raw.GetAsync(Samples.ConfigMapsPath + "/c1")).Status);
        Assert.Equal(404, (await raw.DeleteAsync(Samples.ConfigMapsPath + "/c1")).Status);

        // Pods and ServiceAccounts answer with the deleted object (ReturnDeletedObject in their registries);
        // a Pod that was never scheduled is deleted at once (no kubelet to wait for).
        await raw.PostAsync("/api/v1/namespaces/default/pods", """{"metadata":{"name":"p1"},"spec":{"containers":[{"name":"c","image":"busybox:1"}]}}""");
        var pod = await raw.DeleteAsync("/api/v1/namespaces/default/pods/p1");
        Assert.Equal("Pod", pod.Str("kind"));
        Assert.Equal(404, (await raw.GetAsync("/api/v1/namespaces/default/pods/p1")).Status);
    }

    [Fact]
    public async Task Delete_preconditions_are_checked()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var raw = new RawApi(server);
        await raw.PostAsync(Samples.ConfigMapsPath, Samples.ConfigMap("c1"));
        var r = await raw.DeleteAsync(Samples.ConfigMapsPath + "/c1", """{"preconditions":{"uid":"00000000-0000-0000-0000-000000000000"}}""");
        Assert.Equal(409, r.Status);
        Assert.StartsWith("Operation cannot be fulfilled on configmaps \"c1\": Precondition failed: UID in precondition: 00000000-0000-0000-0000-000000000000, UID in object meta: ", r.Str("message"));
    }

    [Fact]
    public async Task Cluster_scoped_kinds_ignore_namespaces_and_namespaces_get_the_name_label()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var client = server.CreateClient();
        var ns = await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "team-a" } }, cancellationToken: Ct);
        Assert.Equal("team-a", ns.Metadata.Labels["kubernetes.io/metadata.name"]);
        Assert.Equal("Active", ns.Status.Phase);
        Assert.Equal(["kubernetes"], ns.Spec.Finalizers);
        var all = await client.CoreV1.ListNamespaceAsync(cancellationToken: Ct);
        Assert.Equal(["default", "kube-node-lease", "kube-public", "kube-system", "team-a"], all.Items.Select(n => n.Metadata.Name).ToArray());
    }

    [Fact]
    public async Task Events_can_be_created_in_both_event_APIs()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var client = server.CreateClient();
        var core = await client.CoreV1.CreateNamespacedEventAsync(new Corev1Event
        {
            Metadata = new V1ObjectMeta { GenerateName = "w1." },
            InvolvedObject = new V1ObjectReference { Kind = "Widget", Name = "w1", NamespaceProperty = "default" },
            Reason = "Reconciled",
            Message = "ok",
            Type = "Normal",
        }, "default", cancellationToken: Ct);
        Assert.StartsWith("w1.", core.Metadata.Name, StringComparison.Ordinal);
        var ev = await client.EventsV1.CreateNamespacedEventAsync(new Eventsv1Event
        {
            Metadata = new V1ObjectMeta { Name = "e2" },
            EventTime = DateTime.UtcNow,
            ReportingController = "aclop.dev/operator",
            ReportingInstance = "op-0",
            Action = "Reconcile",
            Reason = "Reconciled",
            Type = "Normal",
            Regarding = new V1ObjectReference { Kind = "Widget", Name = "w1", NamespaceProperty = "default" },
        }, "default", cancellationToken: Ct);
        Assert.Equal("Reconciled", ev.Reason);
        Assert.Equal("w1", ev.Regarding.Name);

        // One storage, two API views (pkg/apis/events/v1/conversion.go): each event is visible through both.
        var core2 = await client.CoreV1.ReadNamespacedEventAsync("e2", "default", cancellationToken: Ct);
        Assert.Equal("w1", core2.InvolvedObject.Name);
        Assert.Equal("aclop.dev/operator", core2.ReportingComponent);
        var asEvents = await client.EventsV1.ReadNamespacedEventAsync(core.Metadata.Name, "default", cancellationToken: Ct);
        Assert.Equal("ok", asEvents.Note);
        Assert.Equal("w1", asEvents.Regarding.Name);
        var selected = await client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: "involvedObject.name=w1,reason=Reconciled", cancellationToken: Ct);
        Assert.Equal(2, selected.Items.Count);
        var byController = await client.EventsV1.ListNamespacedEventAsync("default", fieldSelector: "reportingController=aclop.dev/operator,regarding.name=w1", cancellationToken: Ct);
        Assert.Equal(["e2"], byController.Items.Select(e => e.Metadata.Name).ToArray());
    }

    [Fact]
    public async Task DryRun_validates_and_answers_without_persisting()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var raw = new RawApi(server);
        var rv = server.ResourceVersion;
        var r = await raw.PostAsync(Samples.ConfigMapsPath + "?dryRun=All", Samples.ConfigMap("c1"));
        Assert.Equal(201, r.Status);
        Assert.Equal("c1", r.Str("metadata", "name"));
        Assert.Null(r.Str("metadata", "resourceVersion"));
        Assert.Equal(rv, server.ResourceVersion);
        Assert.Equal(404, (await raw.GetAsync(Samples.ConfigMapsPath + "/c1")).Status);
        var invalid = await raw.PostAsync(Samples.ConfigMapsPath + "?dryRun=All", Samples.ConfigMap("C1"));
        Assert.Equal(422, invalid.Status);
    }

    [Fact]
    public async Task DeleteCollection_deletes_what_the_selector_matches()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var raw = new RawApi(server);
        await raw.PostAsync(Samples.ConfigMapsPath, Samples.ConfigMap("a", labels: """{"shard":"1"}"""));
        await raw.PostAsync(Samples.ConfigMapsPath, Samples.ConfigMap("b", labels: """{"shard":"2"}"""));
        await raw.PostAsync(Samples.ConfigMapsPath, Samples.ConfigMap("c", labels: """{"shard":"1"}"""));
        var r = await raw.DeleteAsync(Samples.ConfigMapsPath + "?labelSelector=shard%3D1");
        Assert.Equal(200, r.Status);
        Assert.Equal("ConfigMapList", r.Str("kind"));
        Assert.Equal(["a", "c"], r.Json["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.ToString()).ToArray());
        var left = await raw.GetAsync(Samples.ConfigMapsPath);
        Assert.Equal(["b"], left.Json["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.ToString()).ToArray());
    }

    [Fact]
    public async Task Only_one_owner_reference_may_be_the_controller()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var raw = new RawApi(server);
        var r = await raw.PostAsync(Samples.ConfigMapsPath, """
            {"metadata":{"name":"c1","ownerReferences":[
              {"apiVersion":"v1","kind":"ConfigMap","name":"x","uid":"1","controller":true},
              {"apiVersion":"v1","kind":"ConfigMap","name":"y","uid":"2","controller":true}]}}
            """);
        Assert.Equal(422, r.Status);
        Assert.Equal("ConfigMap \"c1\" is invalid: metadata.ownerReferences: Invalid value: \"\": Only one reference can have Controller set to true", r.Str("message"));
    }

    [Fact]
    public async Task Unknown_top_level_and_metadata_fields_of_built_ins_follow_fieldValidation()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var raw = new RawApi(server);
        const string body = """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"NAME","lables":{"a":"b"}},"datta":{"a":"1"}}""";
        var strict = await raw.SendAsync(HttpMethod.Post, Samples.ConfigMapsPath + "?fieldValidation=Strict", body.Replace("NAME", "c1", StringComparison.Ordinal));
        Assert.Equal(400, strict.Status);
        Assert.Equal("strict decoding error: unknown field \"datta\", unknown field \"metadata.lables\"", strict.Str("message"));
        var warn = await raw.PostAsync(Samples.ConfigMapsPath, body.Replace("NAME", "c2", StringComparison.Ordinal));
        Assert.Equal(201, warn.Status);
        Assert.Null(warn.Json["datta"]);
        Assert.Null(warn.Json["metadata"]!["lables"]);
        Assert.Equal("299 - \"unknown field \\\"datta\\\"\",299 - \"unknown field \\\"metadata.lables\\\"\"", warn.Headers["Warning"]);
    }
}
