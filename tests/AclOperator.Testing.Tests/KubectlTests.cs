using System.Text.Json.Nodes;
using AclOperator.Testing.FakeKube;
using AclOperator.Testing.Tests.Support;
using k8s;
using k8s.Models;

namespace AclOperator.Testing.Tests;

/// <summary>
/// The real kubectl (an independent client) against the fake: client-side apply with the last-applied annotation,
/// server-side apply and its conflicts, get -o json, get -w, patch, delete, wait --for=condition. A fake kubectl
/// rejects is not faithful.
/// </summary>
public sealed class KubectlTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string ConfigMapYaml = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: demo
          labels: {app: demo}
        data:
          a: "1"
          b: "2"
        """;

    private static async Task<(FakeKubeServer, Kubectl)> Start()
    {
        Assert.SkipWhen(Kubectl.Executable is null, "kubectl is not installed on this machine");
        var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        return (server, new Kubectl(server));
    }

    private static void Ok(KubectlResult r) => Assert.True(r.ExitCode == 0, r.ToString());

    [Fact]
    public async Task Apply_creates_configures_and_reports_unchanged()
    {
        var (server, kubectl) = await Start();
        await using var _ = server;
        using var __ = kubectl;
        var file = kubectl.WriteFile("cm.yaml", ConfigMapYaml);
        var created = await kubectl.RunAsync("apply", "-f", file);
        Ok(created);
        Assert.Equal("configmap/demo created\n", created.Stdout);
        Assert.Equal("", created.Stderr);

        kubectl.WriteFile("cm.yaml", ConfigMapYaml.Replace("b: \"2\"", "c: \"3\"", StringComparison.Ordinal));
        var configured = await kubectl.RunAsync("apply", "-f", file);
        Ok(configured);
        Assert.Equal("configmap/demo configured\n", configured.Stdout);
        Assert.Equal("", configured.Stderr);
        Assert.Equal("configmap/demo unchanged\n", (await kubectl.RunAsync("apply", "-f", file)).Stdout);

        using var client = server.CreateClient();
        var cm = await client.CoreV1.ReadNamespacedConfigMapAsync("demo", "default", cancellationToken: Ct);
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1", ["c"] = "3" }, cm.Data); // b removed by the 3-way merge
        Assert.Contains("kubectl.kubernetes.io/last-applied-configuration", cm.Metadata.Annotations.Keys);
        Assert.Contains(cm.Metadata.ManagedFields, m => m.Manager == "kubectl-client-side-apply" && m.Operation == "Update");
        // kubectl sends fieldValidation=Strict and a field manager with every write.
        Assert.All(server.Requests.Where(r => r.Verb is "create" or "patch"), r => Assert.Contains("fieldValidation=Strict", r.Query, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Server_side_apply_conflicts_and_force()
    {
        var (server, kubectl) = await Start();
        await using var _ = server;
        using var __ = kubectl;
        var file = kubectl.WriteFile("cm.yaml", ConfigMapYaml);
        var applied = await kubectl.RunAsync("apply", "--server-side", "-f", file);
        Ok(applied);
        Assert.Equal("configmap/demo serverside-applied\n", applied.Stdout);

        var other = kubectl.WriteFile("other.yaml", ConfigMapYaml.Replace("a: \"1\"", "a: \"changed\"", StringComparison.Ordinal));
        var conflict = await kubectl.RunAsync("apply", "--server-side", "--field-manager=other", "-f", other);
        Assert.Equal(1, conflict.ExitCode);
        Assert.StartsWith("error: Apply failed with 1 conflict: conflict with \"kubectl\": .data.a\n", conflict.Stderr, StringComparison.Ordinal);

        var forced = await kubectl.RunAsync("apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f", other);
        Ok(forced);
        using var client = server.CreateClient();
        var cm = await client.CoreV1.ReadNamespacedConfigMapAsync("demo", "default", cancellationToken: Ct);
        Assert.Equal("changed", cm.Data["a"]);
        Assert.Equal(["kubectl", "other"], cm.Metadata.ManagedFields.Select(m => m.Manager).Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public async Task Client_side_apply_then_server_side_apply_migrates_ownership()
    {
        var (server, kubectl) = await Start();
        await using var _ = server;
        using var __ = kubectl;
        var file = kubectl.WriteFile("cm.yaml", ConfigMapYaml);
        Ok(await kubectl.RunAsync("apply", "-f", file));
        var ssa = await kubectl.RunAsync("apply", "--server-side", "-f", file);
        Ok(ssa);
        Assert.Equal("", ssa.Stderr); // no "failed to re-apply configuration after performing Server-Side Apply migration"
        using var client = server.CreateClient();
        var cm = await client.CoreV1.ReadNamespacedConfigMapAsync("demo", "default", cancellationToken: Ct);
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" }, cm.Data);
        Assert.Equal(["kubectl", "kubectl-last-applied"], cm.Metadata.ManagedFields.Select(m => m.Manager).Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public async Task Get_json_patch_merge_and_json_and_delete()
    {
        var (server, kubectl) = await Start();
        await using var _ = server;
        using var __ = kubectl;
        Ok(await kubectl.RunAsync("apply", "-f", kubectl.WriteFile("cm.yaml", ConfigMapYaml)));
        var get = await kubectl.RunAsync("get", "configmap", "demo", "-o", "json");
        Ok(get);
        var obj = JsonNode.Parse(get.Stdout)!;
        Assert.Equal("ConfigMap", obj["kind"]!.ToString());
        Assert.Equal("demo", obj["metadata"]!["name"]!.ToString());

        var merge = await kubectl.RunAsync("patch", "configmap", "demo", "--type", "merge", "-p", """{"data":{"c":"3"}}""");
        Ok(merge);
        Assert.Equal("configmap/demo patched\n", merge.Stdout);
        var json = await kubectl.RunAsync("patch", "configmap", "demo", "--type", "json", "-p", """[{"op":"remove","path":"/data/a"}]""");
        Ok(json);
        var noChange = await kubectl.RunAsync("patch", "configmap", "demo", "--type", "merge", "-p", """{"data":{"c":"3"}}""");
        Assert.Equal("configmap/demo patched (no change)\n", noChange.Stdout);
        var failed = await kubectl.RunAsync("patch", "configmap", "demo", "--type", "json", "-p", """[{"op":"test","path":"/data/c","value":"x"}]""");
        Assert.Equal(1, failed.ExitCode);
        Assert.Equal("The request is invalid: the server rejected our request due to an error in our request\n", failed.Stderr);

        var list = JsonNode.Parse((await kubectl.RunAsync("get", "configmaps", "-o", "json")).Stdout)!;
        Assert.Equal("List", list["kind"]!.ToString());
        JsonAssert.Equal("""{"b":"2","c":"3"}""", list["items"]![0]!["data"]);

        var deleted = await kubectl.RunAsync("delete", "configmap", "demo");
        Ok(deleted);
        Assert.Equal("configmap \"demo\" deleted\n", deleted.Stdout);
        var missing = await kubectl.RunAsync("get", "configmap", "demo");
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal("Error from server (NotFound): configmaps \"demo\" not found\n", missing.Stderr);
    }

    [Fact]
    public async Task Get_watch_prints_the_table_then_changes()
    {
        var (server, kubectl) = await Start();
        await using var _ = server;
        using var __ = kubectl;
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "first" }, Data = new Dictionary<string, string> { ["a"] = "1" } }, "default", cancellationToken: Ct);
        using var watch = kubectl.Start("get", "configmaps", "-w");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var header = await watch.ReadLineAsync(timeout.Token);
        Assert.Matches(@"^NAME\s+DATA\s+AGE$", header);
        Assert.Matches(@"^first\s+1\s+\d+s$", await watch.ReadLineAsync(timeout.Token));
        await Eventually.TrueAsync(() => Task.FromResult(server.OpenWatches == 1), "kubectl is watching");
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "second" } }, "default", cancellationToken: Ct);
        Assert.Matches(@"^second\s+0\s+\d+s$", await watch.ReadLineAsync(timeout.Token));
    }

    private const string WidgetYaml = """
        apiVersion: example.com/v1
        kind: Widget
        metadata:
          name: w1
        spec:
          size: 3
        """;

    [Fact]
    public async Task Custom_resources_through_a_CRD_apply_get_and_validation_errors()
    {
        var (server, kubectl) = await Start();
        await using var _ = server;
        using var __ = kubectl;
        Ok(await kubectl.RunAsync("apply", "-f", kubectl.WriteFile("crd.json", Samples.WidgetCrd)));
        Ok(await kubectl.RunAsync("wait", "--for=condition=Established", "crd/widgets.example.com", "--timeout=20s"));
        var created = await kubectl.RunAsync("apply", "-f", kubectl.WriteFile("w.yaml", WidgetYaml));
        Ok(created);
        Assert.Equal("widget.example.com/w1 created\n", created.Stdout);
        var table = await kubectl.RunAsync("get", "wg");
        Ok(table);
        var lines = table.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^NAME\s+SIZE\s+READY$", lines[0]);
        Assert.Matches(@"^w1\s+3\s*$", lines[1]);

        var invalid = await kubectl.RunAsync("apply", "-f", kubectl.WriteFile("bad.yaml", WidgetYaml.Replace("size: 3", "size: 30", StringComparison.Ordinal)));
        Assert.Equal(1, invalid.ExitCode);
        Assert.Contains("The Widget \"w1\" is invalid: spec.size: Invalid value: 30: spec.size in body should be less than or equal to 10", invalid.Stderr, StringComparison.Ordinal);

        var unknown = await kubectl.RunAsync("apply", "-f", kubectl.WriteFile("unknown.yaml", WidgetYaml + "\n  bogus: true\n"));
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("strict decoding error: unknown field \"spec.bogus\"", unknown.Stderr, StringComparison.Ordinal);

        var resources = await kubectl.RunAsync("api-resources", "--api-group=example.com");
        Assert.Matches(@"widgets\s+wg\s+example.com/v1\s+true\s+Widget", resources.Stdout);
    }

    [Fact]
    public async Task Wait_for_condition_Ready_set_through_the_status_subresource()
    {
        var (server, kubectl) = await Start();
        await using var _ = server;
        using var __ = kubectl;
        using var raw = new RawApi(server);
        await Crd.RegisterWidgetsAsync(raw);
        Ok(await kubectl.RunAsync("apply", "-f", kubectl.WriteFile("w.yaml", WidgetYaml)));
        var waiting = kubectl.RunAsync("wait", "--for=condition=Ready", "widget/w1", "--timeout=30s");
        await Eventually.TrueAsync(() => Task.FromResult(server.OpenWatches == 1), "kubectl wait is watching");
        using var client = server.CreateClient();
        await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch("""{"status":{"conditions":[{"type":"Ready","status":"True","reason":"Reconciled","observedGeneration":1}]}}""", V1Patch.PatchType.MergePatch),
            "example.com", "v1", "default", "widgets", "w1", cancellationToken: Ct);
        var result = await waiting;
        Ok(result);
        Assert.Equal("widget.example.com/w1 condition met\n", result.Stdout);
    }

    [Fact]
    public async Task Delete_of_a_custom_resource_waits_for_its_finalizer()
    {
        var (server, kubectl) = await Start();
        await using var _ = server;
        using var __ = kubectl;
        using var raw = new RawApi(server);
        await Crd.RegisterWidgetsAsync(raw);
        await raw.PostAsync(Samples.WidgetsPath, """{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w1","finalizers":["example.com/cleanup"]},"spec":{"size":1}}""");
        var deleting = kubectl.RunAsync("delete", "widget", "w1", "--timeout=30s");
        await Eventually.TrueAsync(async () => (await raw.GetAsync(Samples.WidgetsPath + "/w1")).Str("metadata", "deletionTimestamp") is not null, "w1 is marked for deletion");
        Assert.False(deleting.IsCompleted);
        await raw.PatchAsync(Samples.WidgetsPath + "/w1", """{"metadata":{"finalizers":[]}}""", "application/merge-patch+json");
        var result = await deleting;
        Ok(result);
        Assert.Equal("widget.example.com \"w1\" deleted\n", result.Stdout);
    }

    [Fact]
    public async Task Imperative_create_commands_send_protobuf_that_the_fake_decodes()
    {
        var (server, kubectl) = await Start();
        await using var _ = server;
        using var __ = kubectl;
        Ok(await kubectl.RunAsync("create", "configmap", "settings", "--from-literal=a=b"));
        Ok(await kubectl.RunAsync("create", "secret", "generic", "creds", "--from-literal=password=hunter2"));
        Ok(await kubectl.RunAsync("create", "namespace", "team-x"));
        Ok(await kubectl.RunAsync("create", "serviceaccount", "bot"));
        Ok(await kubectl.RunAsync("label", "configmap", "settings", "tier=web"));
        using var client = server.CreateClient();
        var cm = await client.CoreV1.ReadNamespacedConfigMapAsync("settings", "default", cancellationToken: Ct);
        Assert.Equal("b", cm.Data["a"]);
        Assert.Equal("web", cm.Metadata.Labels["tier"]);
        Assert.Null(cm.Metadata.GenerateName);
        var secret = await client.CoreV1.ReadNamespacedSecretAsync("creds", "default", cancellationToken: Ct);
        Assert.Equal("hunter2", System.Text.Encoding.UTF8.GetString(secret.Data["password"]));
        Assert.Equal("Opaque", secret.Type);
        Assert.Equal("Active", (await client.CoreV1.ReadNamespaceAsync("team-x", cancellationToken: Ct)).Status.Phase);
        // Kinds without a protobuf table here are refused with 415, never silently misread.
        var deployment = await kubectl.RunAsync("create", "deployment", "d", "--image=nginx");
        Assert.Equal(1, deployment.ExitCode);
        Assert.Contains("the body of the request was in an unknown format", deployment.Stderr, StringComparison.Ordinal);
    }
}
