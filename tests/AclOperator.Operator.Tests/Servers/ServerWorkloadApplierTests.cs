using System.Text.Json.Nodes;
using AclOperator.Api.V1Alpha1;
using AclOperator.Operator.Runtime;
using AclOperator.Operator.Servers;
using AclOperator.Operator.Tests.Support;
using k8s;
using k8s.Models;

namespace AclOperator.Operator.Tests.Servers;

/// <summary>
/// ServerWorkloadApplier against the fake API server: the objects read back exactly (Servers/Expected/*.json; the fake
/// adds the defaults of pkg/apis/*/v1/defaults.go), server-side apply as field manager aclop-operator (O12), no write in
/// a steady state, pruning of what is no longer rendered (PodDisruptionBudget only above one replica, O11), owner
/// references the garbage collector follows (O10), the CR's labels never copied (O12), objects of others left alone
/// (no adoption, O3) and StatefulSets replaced when an immutable field changes (apps/v1 validation).
/// </summary>
public sealed class ServerWorkloadApplierTests
{
    private static readonly ApiResource ServiceAccounts = ApiResource.For<V1ServiceAccount>();
    private static readonly ApiResource Roles = ApiResource.For<V1Role>();
    private static readonly ApiResource RoleBindings = ApiResource.For<V1RoleBinding>();
    private static readonly ApiResource NetworkPolicies = ApiResource.For<V1NetworkPolicy>();
    private static readonly ApiResource DisruptionBudgets = ApiResource.For<V1PodDisruptionBudget>();
    private static readonly ApiResource Pods = ApiResource.For<V1Pod>();

    private static RedisAclServerSpec Embedded(string size) => new()
    {
        Backend = new BackendSpec { Type = "embedded", Embedded = new EmbeddedBackendSpec { StorageSize = new ResourceQuantity(size), StorageClassName = "fast" } },
    };

    private static RedisAclServerSpec Upstream(int replicas) => new()
    {
        Replicas = replicas,
        Backend = new BackendSpec
        {
            Type = "upstream",
            Upstream = new UpstreamBackendSpec
            {
                Host = "redis.data.svc", Port = 6380, Tls = true, Username = "aclop",
                PasswordSecretRef = new SecretKeyRef { Name = "upstream-auth", Key = "password" },
            },
        },
        Resources = new V1ResourceRequirements
        {
            Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("100m"), ["memory"] = new("128Mi") },
            Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("256Mi") },
        },
    };

    /// <summary>Every list of the outcome, empty ones left out: one string to compare exactly.</summary>
    private static string Describe(ApplyOutcome o)
    {
        var parts = new (string Name, IReadOnlyList<OwnedObject> List)[]
        {
            ("created", o.Created), ("updated", o.Updated), ("deleted", o.Deleted), ("replaced", o.Replaced), ("conflicts", o.Conflicts), ("waiting", o.Waiting),
        };
        return string.Join("; ", parts.Where(p => p.List.Count > 0).Select(p => p.Name + ": " + string.Join(", ", p.List)));
    }

    private static async Task<RedisAclServer> PatchSpecAsync(ServerWorkloadCluster c, string name, string specPatch) =>
        await c.Cluster.Resources.PatchAsync<RedisAclServer>(ApiResource.For<RedisAclServer>(), ServerWorkloadCluster.Namespace, name,
            "{\"spec\":" + specPatch + "}", "application/merge-patch+json", null, TestCluster.Ct);

    [Fact]
    public async Task An_embedded_server_with_storage_gets_a_volume_claim_template_and_no_disruption_budget()
    {
        await using var c = await ServerWorkloadCluster.StartAsync();
        var server = await c.CreateAsync(ServerWorkloadCluster.NewServer("store", Embedded("1Gi")));

        var outcome = await c.RenderAndApplyAsync(server);

        Assert.Equal("created: ServiceAccount/store-server, Role/store-server, RoleBinding/store-server, Lease/store-0, Service/store-headless, "
            + "Service/store, NetworkPolicy/store, StatefulSet/store", Describe(outcome));
        Assert.True(outcome.Changed);
        Assert.False(outcome.RequeueNeeded);
        Assert.Equal(ServerWorkloadCluster.Expected("embedded.statefulset.json"), await c.ReadAsync(ApiResource.StatefulSets, "store", server));
        Assert.Null(await c.ReadAsync(DisruptionBudgets, "store", server));
    }

    [Fact]
    public async Task The_applied_hash_annotations_are_the_sha256_of_the_rendered_object_and_of_its_immutable_fields()
    {
        await using var c = await ServerWorkloadCluster.StartAsync();
        var server = await c.CreateAsync(ServerWorkloadCluster.NewServer("store", Embedded("1Gi")));
        await c.RenderAndApplyAsync(server);

        var rendered = ServerWorkloadRenderer.Render(server, ServerWorkloadCluster.Options).OfType<V1StatefulSet>().Single();
        var (_, hash, immutableHash) = ServerWorkloadApplier.Prepare(rendered, ApiResource.StatefulSets);
        var stored = await c.Cluster.Resources.GetAsync<V1StatefulSet>(ApiResource.StatefulSets, ServerWorkloadCluster.Namespace, "store", TestCluster.Ct);
        Assert.Equal(hash, stored.Metadata.Annotations[ServerWorkloadApplier.AppliedHashAnnotation]);
        Assert.Equal(immutableHash, stored.Metadata.Annotations[ServerWorkloadApplier.ImmutableHashAnnotation]);
        Assert.Equal(64, hash.Length);
        Assert.NotEqual(hash, immutableHash);
    }

    [Fact]
    public async Task A_sidecar_server_reads_back_exactly()
    {
        await using var c = await ServerWorkloadCluster.StartAsync();
        var server = await c.CreateAsync(ServerWorkloadCluster.NewServer("side", new RedisAclServerSpec()));

        await c.RenderAndApplyAsync(server);

        Assert.Equal(ServerWorkloadCluster.Expected("sidecar.statefulset.json"), await c.ReadAsync(ApiResource.StatefulSets, "side", server));
        Assert.Equal(ServerWorkloadCluster.Expected("sidecar.service.json"), await c.ReadAsync(ApiResource.Services, "side", server));
        Assert.Equal(ServerWorkloadCluster.Expected("sidecar.headless-service.json"), await c.ReadAsync(ApiResource.Services, "side-headless", server));
        Assert.Equal(ServerWorkloadCluster.Expected("sidecar.networkpolicy.json"), await c.ReadAsync(NetworkPolicies, "side", server));
        Assert.Equal(ServerWorkloadCluster.Expected("sidecar.serviceaccount.json"), await c.ReadAsync(ServiceAccounts, "side-server", server));
        Assert.Equal(ServerWorkloadCluster.Expected("sidecar.rolebinding.json"), await c.ReadAsync(RoleBindings, "side-server", server));
        Assert.Equal(ServerWorkloadCluster.Expected("sidecar.lease.json"), await c.ReadAsync(ApiResource.Leases, "side-0", server));
    }

    [Fact]
    public async Task The_role_read_back_holds_only_rules_with_resource_names_O5()
    {
        await using var c = await ServerWorkloadCluster.StartAsync();
        var server = await c.CreateAsync(ServerWorkloadCluster.NewServer("side", new RedisAclServerSpec()));
        await c.RenderAndApplyAsync(server);

        var configMaps = new JsonArray("side-acl");
        var secrets = new JsonArray("side-acl-hashes");
        for (var i = 0; i < 64; i++)
        {
            configMaps.Add($"side-acl-{i}-a");
            configMaps.Add($"side-acl-{i}-b");
            secrets.Add($"side-acl-hashes-{i}-a");
            secrets.Add($"side-acl-hashes-{i}-b");
        }
        secrets.Add("side-acl-runtime");
        static JsonObject Rule(string group, string resource, JsonArray names, params string[] verbs) => new()
        {
            ["apiGroups"] = new JsonArray(group),
            ["resources"] = new JsonArray(resource),
            ["resourceNames"] = names,
            ["verbs"] = new JsonArray([.. verbs.Select(v => JsonValue.Create(v))]),
        };
        var expected = new JsonObject
        {
            ["apiVersion"] = "rbac.authorization.k8s.io/v1",
            ["kind"] = "Role",
            ["metadata"] = JsonNode.Parse("""
                {
                  "annotations": { "aclop.dev/applied-hash": "<sha256>" },
                  "labels": { "aclop.dev/server": "side", "app.kubernetes.io/instance": "side", "app.kubernetes.io/managed-by": "aclop-operator", "app.kubernetes.io/name": "aclop-server" },
                  "name": "side-server",
                  "namespace": "team-a",
                  "ownerReferences": [{ "apiVersion": "aclop.dev/v1alpha1", "blockOwnerDeletion": true, "controller": true, "kind": "RedisAclServer", "name": "side", "uid": "<server-uid>" }]
                }
                """),
            ["rules"] = new JsonArray(
                Rule("", "configmaps", configMaps, "get", "list", "watch"),
                Rule("", "secrets", secrets, "get", "list", "watch"),
                Rule("", "secrets", new JsonArray("side-acl-runtime"), "update"),
                Rule("coordination.k8s.io", "leases", new JsonArray("side-0"), "get", "update")),
        };
        Assert.Equal(ServerWorkloadCluster.Canonical(expected), await c.ReadAsync(Roles, "side-server", server));
    }

    [Fact]
    public async Task An_upstream_server_with_three_replicas_runs_in_parallel_with_a_disruption_budget_and_the_password_from_its_secret_O11()
    {
        await using var c = await ServerWorkloadCluster.StartAsync();
        var server = await c.CreateAsync(ServerWorkloadCluster.NewServer("cache", Upstream(3)));

        var outcome = await c.RenderAndApplyAsync(server);

        Assert.Equal("created: ServiceAccount/cache-server, Role/cache-server, RoleBinding/cache-server, Lease/cache-0, Lease/cache-1, Lease/cache-2, "
            + "Service/cache-headless, Service/cache, NetworkPolicy/cache, PodDisruptionBudget/cache, StatefulSet/cache", Describe(outcome));
        Assert.Equal(ServerWorkloadCluster.Expected("upstream.statefulset.json"), await c.ReadAsync(ApiResource.StatefulSets, "cache", server));
        Assert.Equal(ServerWorkloadCluster.Expected("upstream.pdb.json"), await c.ReadAsync(DisruptionBudgets, "cache", server));
    }

    [Fact]
    public async Task Scaling_from_three_replicas_to_one_deletes_the_disruption_budget_and_the_surplus_leases_and_back()
    {
        await using var c = await ServerWorkloadCluster.StartAsync();
        var server = await c.CreateAsync(ServerWorkloadCluster.NewServer("cache", Upstream(3)));
        await c.RenderAndApplyAsync(server);

        server = await PatchSpecAsync(c, "cache", """{"replicas":1}""");
        var down = await c.RenderAndApplyAsync(server);

        Assert.Equal("updated: Role/cache-server, StatefulSet/cache; deleted: Lease/cache-1, Lease/cache-2, PodDisruptionBudget/cache", Describe(down));
        Assert.Null(await c.ReadAsync(DisruptionBudgets, "cache", server));
        Assert.Null(await c.ReadAsync(ApiResource.Leases, "cache-1", server));
        Assert.Null(await c.ReadAsync(ApiResource.Leases, "cache-2", server));
        Assert.NotNull(await c.ReadAsync(ApiResource.Leases, "cache-0", server));
        var expected = JsonNode.Parse(ServerWorkloadCluster.Expected("upstream.statefulset.json"))!;
        expected["spec"]!["replicas"] = 1;
        Assert.Equal(ServerWorkloadCluster.Canonical(expected), await c.ReadAsync(ApiResource.StatefulSets, "cache", server));
        var leaseRule = JsonNode.Parse((await c.ReadAsync(Roles, "cache-server", server))!)!["rules"]![3]!;
        Assert.Equal("""["cache-0"]""", leaseRule["resourceNames"]!.ToJsonString());

        server = await PatchSpecAsync(c, "cache", """{"replicas":3}""");
        var up = await c.RenderAndApplyAsync(server);

        Assert.Equal("created: Lease/cache-1, Lease/cache-2, PodDisruptionBudget/cache; updated: Role/cache-server, StatefulSet/cache", Describe(up));
        Assert.Equal(ServerWorkloadCluster.Expected("upstream.pdb.json"), await c.ReadAsync(DisruptionBudgets, "cache", server));
    }

    [Fact]
    public async Task With_a_tls_secret_the_service_exposes_the_tls_port_and_the_pod_mounts_the_certificate_O6_TLS()
    {
        await using var c = await ServerWorkloadCluster.StartAsync();
        var server = await c.CreateAsync(ServerWorkloadCluster.NewServer("secure", new RedisAclServerSpec
        {
            Backend = new BackendSpec { Type = "embedded" },
            Service = new ServiceSpec
            {
                Type = "LoadBalancer", Port = 6390, TlsSecretName = "secure-tls",
                Annotations = new Dictionary<string, string> { ["service.beta.kubernetes.io/aws-load-balancer-type"] = "nlb" },
            },
        }));

        await c.RenderAndApplyAsync(server);

        Assert.Equal(ServerWorkloadCluster.Expected("tls.service.json"), await c.ReadAsync(ApiResource.Services, "secure", server));
        Assert.Equal(ServerWorkloadCluster.Expected("tls.headless-service.json"), await c.ReadAsync(ApiResource.Services, "secure-headless", server));
        Assert.Equal(ServerWorkloadCluster.Expected("tls.networkpolicy.json"), await c.ReadAsync(NetworkPolicies, "secure", server));
        Assert.Equal(ServerWorkloadCluster.Expected("tls.statefulset.json"), await c.ReadAsync(ApiResource.StatefulSets, "secure", server));
    }

    [Fact]
    public async Task The_labels_of_the_custom_resource_are_never_copied_onto_what_it_owns_O12()
    {
        await using var c = await ServerWorkloadCluster.StartAsync();
        var server = await c.CreateAsync(ServerWorkloadCluster.NewServer("cache", Upstream(2), new Dictionary<string, string>
        {
            ["argocd.argoproj.io/instance"] = "prod-cache",
            ["app.kubernetes.io/instance"] = "gitops-tracked",
            ["app.kubernetes.io/name"] = "something-else",
            ["team"] = "payments",
        }));

        var outcome = await c.RenderAndApplyAsync(server);

        var ours = """{"aclop.dev/server":"cache","app.kubernetes.io/instance":"cache","app.kubernetes.io/managed-by":"aclop-operator","app.kubernetes.io/name":"aclop-server"}""";
        var seen = new List<string>();
        foreach (var resource in ServerWorkloadApplier.OwnedResources)
        {
            var list = await c.Cluster.Resources.ListAsync<ResourceList<JsonObject>>(resource, ServerWorkloadCluster.Namespace, new ListRequest(), TestCluster.Ct);
            foreach (var item in list.Items)
            {
                seen.Add($"{resource.Kind}/{item["metadata"]!["name"]}");
                Assert.Equal(ServerWorkloadCluster.Canonical(ours), ServerWorkloadCluster.Canonical(item["metadata"]!["labels"]!));
                if (resource.Kind == "StatefulSet")
                {
                    // Pods also carry aclop.dev/serving, which the client Service selects (O15).
                    var podLabels = """{"aclop.dev/server":"cache","aclop.dev/serving":"true","app.kubernetes.io/instance":"cache","app.kubernetes.io/managed-by":"aclop-operator","app.kubernetes.io/name":"aclop-server"}""";
                    Assert.Equal(ServerWorkloadCluster.Canonical(podLabels), ServerWorkloadCluster.Canonical(item["spec"]!["template"]!["metadata"]!["labels"]!));
                }
            }
        }
        // Everything in the namespace of these kinds is the server's (10 objects, a Lease per pod and the PodDisruptionBudget included).
        Assert.Equal(outcome.Created.Select(o => o.ToString()).Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
        Assert.Equal(10, seen.Count);
    }

    [Fact]
    public async Task A_second_apply_without_changes_only_lists_and_a_changed_annotation_patches_only_the_service()
    {
        await using var c = await ServerWorkloadCluster.StartAsync();
        var server = await c.CreateAsync(ServerWorkloadCluster.NewServer("main", new RedisAclServerSpec()));
        await c.RenderAndApplyAsync(server);
        await c.Cluster.RequestsAsync(r => r.Verb == "patch" && r.Resource == "statefulsets", 1);
        var before = c.Api.Requests.Count;

        var again = await c.RenderAndApplyAsync(server);

        Assert.Equal("", Describe(again));
        Assert.False(again.Changed);
        var lists = new[]
        {
            "list serviceaccounts 200", "list roles 200", "list rolebindings 200", "list leases 200",
            "list services 200", "list networkpolicies 200", "list poddisruptionbudgets 200", "list statefulsets 200",
        };
        await c.Cluster.RequestsAsync(r => r.Verb == "list" && r.Resource == "statefulsets", 2);
        // The kinds are listed concurrently, so in any order.
        Assert.Equal(lists.Order(StringComparer.Ordinal), c.Api.Requests.Skip(before).Select(r => $"{r.Verb} {r.Resource} {r.StatusCode}").Order(StringComparer.Ordinal));
        // Each LIST selects the server's objects by label.
        Assert.All(c.Api.Requests.Skip(before), r => Assert.Contains("labelSelector=app.kubernetes.io%2Fmanaged-by%3Daclop-operator%2Caclop.dev%2Fserver%3Dmain", r.Query, StringComparison.Ordinal));

        server = await PatchSpecAsync(c, "main", """{"service":{"annotations":{"example.com/team":"payments"}}}""");
        await c.Cluster.RequestsAsync(r => r.Verb == "patch" && r.Resource == "redisaclservers", 1);
        before = c.Api.Requests.Count;
        var changed = await c.RenderAndApplyAsync(server);

        Assert.Equal("updated: Service/main", Describe(changed));
        await c.Cluster.RequestsAsync(r => r.Verb == "patch" && r.Resource == "services", 3);
        var requests = c.Api.Requests.Skip(before).Select(r => $"{r.Verb} {r.Resource} {r.StatusCode}").ToList();
        Assert.Equal("patch services 200", requests[^1]);
        Assert.Equal(lists.Order(StringComparer.Ordinal), requests[..^1].Order(StringComparer.Ordinal));
        var service = JsonNode.Parse((await c.ReadAsync(ApiResource.Services, "main", server))!)!;
        Assert.Equal(ServerWorkloadCluster.Canonical("""{"aclop.dev/applied-hash":"<sha256>","example.com/team":"payments"}"""),
            ServerWorkloadCluster.Canonical(service["metadata"]!["annotations"]!));
    }

    [Fact]
    public async Task Labels_removed_by_hand_are_restored_even_though_the_hash_still_matches()
    {
        await using var c = await ServerWorkloadCluster.StartAsync();
        var server = await c.CreateAsync(ServerWorkloadCluster.NewServer("side", new RedisAclServerSpec()));
        await c.RenderAndApplyAsync(server);
        await c.Cluster.Resources.PatchAsync<V1Service>(ApiResource.Services, ServerWorkloadCluster.Namespace, "side",
            """{"metadata":{"labels":{"aclop.dev/server":null}}}""", "application/merge-patch+json", null, TestCluster.Ct);

        var outcome = await c.RenderAndApplyAsync(server);

        Assert.Equal("updated: Service/side", Describe(outcome));
        Assert.Equal(ServerWorkloadCluster.Expected("sidecar.service.json"), await c.ReadAsync(ApiResource.Services, "side", server));
    }

    [Fact]
    public async Task Deleting_the_server_garbage_collects_everything_it_owns_O10()
    {
        await using var c = await ServerWorkloadCluster.StartAsync();
        var server = await c.CreateAsync(ServerWorkloadCluster.NewServer("cache", Upstream(2)));
        var outcome = await c.RenderAndApplyAsync(server);
        Assert.Equal(10, outcome.Created.Count);

        await c.Cluster.Client.CustomObjects.DeleteNamespacedCustomObjectAsync(AclopApi.Group, AclopApi.Version, ServerWorkloadCluster.Namespace,
            "redisaclservers", "cache", cancellationToken: TestCluster.Ct);
        await c.Api.SettleAsync();

        foreach (var owned in outcome.Created)
        {
            var resource = ServerWorkloadApplier.OwnedResources.Single(r => r.Kind == owned.Kind);
            Assert.Null(await c.ReadAsync(resource, owned.Name, server));
        }
        Assert.Empty(c.Api.ControllerErrors);
    }

    [Fact]
    public async Task Objects_of_the_rendered_names_that_belong_to_others_are_reported_and_never_adopted_or_deleted_O3()
    {
        await using var c = await ServerWorkloadCluster.StartAsync();
        var foreignService = await c.Cluster.Resources.CreateAsync(ApiResource.Services, ServerWorkloadCluster.Namespace, new V1Service
        {
            ApiVersion = "v1",
            Kind = "Service",
            Metadata = new V1ObjectMeta { Name = "main", NamespaceProperty = ServerWorkloadCluster.Namespace },
            Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["app"] = "other" }, Ports = [new V1ServicePort { Port = 80 }] },
        }, TestCluster.Ct);
        // Our labels but no owner reference (copied by hand, say): not rendered at one replica, and still not deleted.
        var lookalike = await c.Cluster.Resources.CreateAsync(DisruptionBudgets, ServerWorkloadCluster.Namespace, new V1PodDisruptionBudget
        {
            ApiVersion = "policy/v1",
            Kind = "PodDisruptionBudget",
            Metadata = new V1ObjectMeta
            {
                Name = "main",
                NamespaceProperty = ServerWorkloadCluster.Namespace,
                Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "aclop-operator", ["aclop.dev/server"] = "main" },
            },
            Spec = new V1PodDisruptionBudgetSpec { MaxUnavailable = 1 },
        }, TestCluster.Ct);
        var server = await c.CreateAsync(ServerWorkloadCluster.NewServer("main", new RedisAclServerSpec()));

        var outcome = await c.RenderAndApplyAsync(server);

        Assert.Equal("created: ServiceAccount/main-server, Role/main-server, RoleBinding/main-server, Lease/main-0, Service/main-headless, "
            + "NetworkPolicy/main, StatefulSet/main; conflicts: Service/main", Describe(outcome));
        var service = await c.Cluster.Resources.GetAsync<V1Service>(ApiResource.Services, ServerWorkloadCluster.Namespace, "main", TestCluster.Ct);
        Assert.Equal(foreignService.Metadata.ResourceVersion, service.Metadata.ResourceVersion);
        Assert.Null(service.Metadata.OwnerReferences);
        var pdb = await c.Cluster.Resources.GetAsync<V1PodDisruptionBudget>(DisruptionBudgets, ServerWorkloadCluster.Namespace, "main", TestCluster.Ct);
        Assert.Equal(lookalike.Metadata.ResourceVersion, pdb.Metadata.ResourceVersion);

        var again = await c.RenderAndApplyAsync(server);

        Assert.Equal("conflicts: Service/main", Describe(again));
        Assert.False(again.Changed);
    }

    [Fact]
    public async Task A_changed_volume_claim_template_replaces_the_statefulset_which_the_next_apply_recreates()
    {
        await using var c = await ServerWorkloadCluster.StartAsync();
        var server = await c.CreateAsync(ServerWorkloadCluster.NewServer("store", Embedded("1Gi")));
        await c.RenderAndApplyAsync(server);

        server = await PatchSpecAsync(c, "store", """{"backend":{"embedded":{"storageSize":"2Gi"}}}""");
        var replacing = await c.RenderAndApplyAsync(server);

        Assert.Equal("replaced: StatefulSet/store; waiting: StatefulSet/store", Describe(replacing));
        Assert.True(replacing.RequeueNeeded);
        var delete = Assert.Single(await c.Cluster.RequestsAsync(r => r.Verb == "delete", 1));
        Assert.Equal("statefulsets store 200", $"{delete.Resource} {delete.Name} {delete.StatusCode}");
        await c.Api.SettleAsync();
        Assert.Null(await c.ReadAsync(ApiResource.StatefulSets, "store", server));

        var recreated = await c.RenderAndApplyAsync(server);

        Assert.Equal("created: StatefulSet/store", Describe(recreated));
        var expected = JsonNode.Parse(ServerWorkloadCluster.Expected("embedded.statefulset.json"))!;
        expected["spec"]!["volumeClaimTemplates"]![0]!["spec"]!["resources"]!["requests"]!["storage"] = "2Gi";
        Assert.Equal(ServerWorkloadCluster.Canonical(expected), await c.ReadAsync(ApiResource.StatefulSets, "store", server));
    }

    [Fact]
    public async Task Replacing_the_statefulset_orphans_its_pods_instead_of_deleting_them()
    {
        await using var c = await ServerWorkloadCluster.StartAsync(simulateStatefulSets: true);
        var server = await c.CreateAsync(ServerWorkloadCluster.NewServer("store", Embedded("1Gi")));
        await c.RenderAndApplyAsync(server);
        await Eventually.TrueAsync(async () => await c.ReadAsync(Pods, "store-0", server) is not null, "the pod store-0 was created");

        server = await PatchSpecAsync(c, "store", """{"backend":{"type":"upstream","upstream":{"host":"redis"}}}""");
        var replacing = await c.RenderAndApplyAsync(server);
        await c.Api.SettleAsync();

        Assert.Equal("replaced: StatefulSet/store; waiting: StatefulSet/store", Describe(replacing));
        Assert.Null(await c.ReadAsync(ApiResource.StatefulSets, "store", server));
        var pod = JsonNode.Parse((await c.ReadAsync(Pods, "store-0", server))!)!;
        Assert.Null(pod["metadata"]!["ownerReferences"]);
        Assert.Empty(c.Api.ControllerErrors);
    }
}
