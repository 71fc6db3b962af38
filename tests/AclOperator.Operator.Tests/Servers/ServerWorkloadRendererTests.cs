using AclOperator.Api.V1Alpha1;
using AclOperator.Operator.Servers;
using k8s;
using k8s.Models;

namespace AclOperator.Operator.Tests.Servers;

/// <summary>
/// ServerWorkloadRenderer without an API server: which objects a server owns and in what order, the pods' Role (O5:
/// resourceNames only), the image pinning (O13), the backends' command lines (issue 7 contract) and refusals.
/// The objects as stored are asserted in <see cref="ServerWorkloadApplierTests"/>.
/// </summary>
public sealed class ServerWorkloadRendererTests
{
    private static RedisAclServer Server(string name, RedisAclServerSpec spec) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "team-a", Uid = "8f1c0d3e-0000-4000-8000-000000000001" },
        Spec = spec,
    };

    private static IReadOnlyList<IKubernetesObject<V1ObjectMeta>> Render(RedisAclServer server) =>
        ServerWorkloadRenderer.Render(server, ServerWorkloadCluster.Options);

    private static string[] Names(IEnumerable<IKubernetesObject<V1ObjectMeta>> objects) => [.. objects.Select(o => $"{o.Kind}/{o.Metadata.Name}")];

    private static T Single<T>(IEnumerable<IKubernetesObject<V1ObjectMeta>> objects) => Assert.Single(objects.OfType<T>());

    private static List<string> ServerArgs(RedisAclServer server) =>
        [.. Single<V1StatefulSet>(Render(server)).Spec.Template.Spec.Containers.Single(c => c.Name == "server").Args];

    private static readonly string[] CommonArgs =
    [
        "--port", "6379", "--admin-port", "8080", "--admin-bind", "0.0.0.0",
        "--kubernetes", "main", "--kubernetes-namespace", "team-a", "--kubernetes-pod", "$(POD_NAME)",
        "--kubernetes-last-good", "/var/run/aclop/last-good.json", "--dir", "/data",
    ];

    [Fact]
    public void A_sidecar_server_owns_its_identity_a_lease_two_services_a_network_policy_and_the_statefulset_in_apply_order()
    {
        Assert.Equal(
        [
            "ServiceAccount/main-server", "Role/main-server", "RoleBinding/main-server", "Lease/main-0",
            "Service/main-headless", "Service/main", "NetworkPolicy/main", "StatefulSet/main",
        ], Names(Render(Server("main", new RedisAclServerSpec()))));
    }

    [Fact]
    public void An_upstream_server_with_three_replicas_adds_a_lease_per_pod_and_a_disruption_budget_O11()
    {
        var server = Server("main", new RedisAclServerSpec
        {
            Replicas = 3,
            Backend = new BackendSpec { Type = "upstream", Upstream = new UpstreamBackendSpec { Host = "redis" } },
        });
        Assert.Equal(
        [
            "ServiceAccount/main-server", "Role/main-server", "RoleBinding/main-server", "Lease/main-0", "Lease/main-1", "Lease/main-2",
            "Service/main-headless", "Service/main", "NetworkPolicy/main", "PodDisruptionBudget/main", "StatefulSet/main",
        ], Names(Render(server)));
    }

    [Fact]
    public void The_role_names_every_snapshot_object_and_each_pods_lease_and_has_no_rule_without_resource_names_O5()
    {
        var role = Single<V1Role>(Render(Server("main", new RedisAclServerSpec
        {
            Replicas = 2,
            Backend = new BackendSpec { Type = "upstream", Upstream = new UpstreamBackendSpec { Host = "redis" } },
        })));
        var configMaps = new List<string> { "main-acl" };
        var secrets = new List<string> { "main-acl-hashes" };
        for (var i = 0; i < 64; i++)
        {
            configMaps.AddRange([$"main-acl-{i}-a", $"main-acl-{i}-b"]);
            secrets.AddRange([$"main-acl-hashes-{i}-a", $"main-acl-hashes-{i}-b"]);
        }
        secrets.Add("main-acl-runtime");
        Assert.Equal(
        [
            "'' configmaps [get,list,watch] " + string.Join(",", configMaps),
            "'' secrets [get,list,watch] " + string.Join(",", secrets),
            "'' secrets [update] main-acl-runtime",
            "'coordination.k8s.io' leases [get,update] main-0,main-1",
        ], role.Rules.Select(r => $"'{string.Join(",", r.ApiGroups)}' {string.Join(",", r.Resources)} [{string.Join(",", r.Verbs)}] {string.Join(",", r.ResourceNames)}"));
        Assert.Equal(129, configMaps.Count);
        Assert.Equal(130, secrets.Count);
    }

    [Fact]
    public void Without_replicas_there_is_no_lease_and_no_lease_rule_an_empty_resource_name_list_would_grant_every_lease()
    {
        var objects = Render(Server("main", new RedisAclServerSpec { Replicas = 0 }));
        Assert.Empty(objects.OfType<V1Lease>());
        var role = Single<V1Role>(objects);
        Assert.Equal(["configmaps", "secrets", "secrets"], role.Rules.Select(r => string.Join(",", r.Resources)));
        Assert.All(role.Rules, r => Assert.NotEmpty(r.ResourceNames));
        Assert.Equal(0, Single<V1StatefulSet>(objects).Spec.Replicas);
    }

    [Fact]
    public void The_image_is_spec_image_else_the_one_pinned_in_status_else_the_operator_default_O13()
    {
        var options = ServerWorkloadCluster.Options;
        var server = Server("main", new RedisAclServerSpec());
        Assert.Equal("ghcr.io/aclop/aclop-server:0.1.0", ServerWorkloadRenderer.ResolveImage(server, options));
        server.Status = new RedisAclServerStatus { Image = "ghcr.io/aclop/aclop-server:0.0.9" };
        Assert.Equal("ghcr.io/aclop/aclop-server:0.0.9", ServerWorkloadRenderer.ResolveImage(server, options));
        Assert.Equal("ghcr.io/aclop/aclop-server:0.0.9", Single<V1StatefulSet>(Render(server)).Spec.Template.Spec.Containers[0].Image);
        server.Spec.Image = "registry.local/aclop-server:dev";
        Assert.Equal("registry.local/aclop-server:dev", ServerWorkloadRenderer.ResolveImage(server, options));
        Assert.Equal("registry.local/aclop-server:dev", Single<V1StatefulSet>(Render(server)).Spec.Template.Spec.Containers[0].Image);
    }

    [Fact]
    public void The_sidecar_runs_the_pinned_image_of_its_flavor_unless_overridden_on_localhost_only()
    {
        string[] StoreOf(SidecarBackendSpec? sidecar)
        {
            var store = Single<V1StatefulSet>(Render(Server("main", new RedisAclServerSpec { Backend = new BackendSpec { Type = "sidecar", Sidecar = sidecar } })))
                .Spec.Template.Spec.Containers.Single(c => c.Name == "store");
            return [store.Image, .. store.Args];
        }
        string[] args = ["--bind", "127.0.0.1", "--port", "6381", "--save", "", "--protected-mode", "yes"];
        Assert.Equal(["valkey/valkey:8.0.2", .. args], StoreOf(null));
        Assert.Equal(["redis:7.4.2", .. args], StoreOf(new SidecarBackendSpec { Flavor = "redis" }));
        Assert.Equal(["mirror.local/valkey:8.0.2", .. args], StoreOf(new SidecarBackendSpec { Flavor = "valkey", Image = "mirror.local/valkey:8.0.2" }));
        Assert.Equal([.. CommonArgs, "--upstream", "127.0.0.1:6381"], ServerArgs(Server("main", new RedisAclServerSpec())));
    }

    [Fact]
    public void The_command_line_of_each_backend_follows_the_contract()
    {
        Assert.Equal(CommonArgs, ServerArgs(Server("main", new RedisAclServerSpec { Backend = new BackendSpec { Type = "embedded" } })));
        Assert.Equal([.. CommonArgs, "--upstream", "redis.data:6379"],
            ServerArgs(Server("main", new RedisAclServerSpec { Backend = new BackendSpec { Type = "upstream", Upstream = new UpstreamBackendSpec { Host = "redis.data" } } })));
        Assert.Equal([.. CommonArgs, "--upstream", "[fd00::10]:7000", "--upstream-user", "proxy", "--upstream-tls", "yes",
                "--tls-port", "6380", "--tls-cert-file", "/etc/aclop/tls/tls.crt", "--tls-key-file", "/etc/aclop/tls/tls.key", "--tls-auth-clients", "no"],
            ServerArgs(Server("main", new RedisAclServerSpec
            {
                Backend = new BackendSpec { Type = "upstream", Upstream = new UpstreamBackendSpec { Host = "fd00::10", Port = 7000, Username = "proxy", Tls = true } },
                Service = new ServiceSpec { TlsSecretName = "main-tls" },
            })));
    }

    [Fact]
    public void Only_the_server_container_gets_the_projected_token_and_the_pod_mounts_none_by_default_O5()
    {
        var pod = Single<V1StatefulSet>(Render(Server("main", new RedisAclServerSpec()))).Spec.Template.Spec;
        Assert.False(pod.AutomountServiceAccountToken);
        Assert.Equal("main-server", pod.ServiceAccountName);
        Assert.Equal(["server:/var/run/secrets/kubernetes.io/serviceaccount"],
            pod.Containers.SelectMany(c => (c.VolumeMounts ?? []).Where(m => m.Name == "kube-api-access").Select(m => $"{c.Name}:{m.MountPath}")));
        Assert.False(Single<V1ServiceAccount>(Render(Server("main", new RedisAclServerSpec()))).AutomountServiceAccountToken);
    }

    [Fact]
    public void Rendering_refuses_a_server_that_was_not_read_from_the_api_or_whose_name_is_too_long()
    {
        var noUid = Server("main", new RedisAclServerSpec());
        noUid.Metadata.Uid = null;
        Assert.Equal("the server needs a namespace and a uid (render a server read from the API) (Parameter 'server')",
            Assert.Throws<ArgumentException>(() => Render(noUid)).Message);
        var longName = new string('s', 53);
        Assert.Equal($"the server name '{longName}' is longer than 52 characters: its pods' controller-revision-hash label would exceed 63 (Parameter 'server')",
            Assert.Throws<ArgumentException>(() => Render(Server(longName, new RedisAclServerSpec()))).Message);
        Assert.Null(ServerObjectNames.NameProblem(new string('s', 52)));
        var noOperatorNamespace = new ServerWorkloadOptions { DefaultImage = "img:1" };
        Assert.Equal("OperatorNamespace is required for the NetworkPolicy's admin-port rule (Parameter 'options')",
            Assert.Throws<ArgumentException>(() => ServerWorkloadRenderer.Render(Server("main", new RedisAclServerSpec()), noOperatorNamespace)).Message);
    }

    [Fact]
    public void Rendering_is_deterministic_so_the_applied_hash_only_changes_with_the_input()
    {
        var spec = new RedisAclServerSpec
        {
            Service = new ServiceSpec { Annotations = new Dictionary<string, string> { ["z"] = "1", ["a"] = "2" } },
        };
        var first = Render(Server("main", spec)).Select(o => KubernetesJson.Serialize((object)o));
        var reordered = new RedisAclServerSpec
        {
            Service = new ServiceSpec { Annotations = new Dictionary<string, string> { ["a"] = "2", ["z"] = "1" } },
        };
        Assert.Equal(first, Render(Server("main", reordered)).Select(o => KubernetesJson.Serialize((object)o)));
    }
}
