using AclOperator.Api.V1Alpha1;
using AclOperator.Cli.Tests.Support;
using AclOperator.Operator.Hosting;
using AclOperator.Operator.Reconcilers;
using AclOperator.Operator.Runtime;
using AclOperator.Operator.Servers;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AclOperator.Cli.Tests.Config;

/// <summary>
/// config/rbac/role.yaml against the code: the ClusterRole aclop-operator holds what the operator's informers, its
/// server workload applier and its API calls need, and every permission it grants a server's pods (Kubernetes RBAC's
/// escalation prevention: a Role can only be created by someone who holds every permission in it, O5).
/// </summary>
public sealed class OperatorRbacTests
{
    private static readonly string[] ReadWriteVerbs = ["get", "list", "watch", "create", "update", "patch", "delete"];

    private static V1ClusterRole OperatorRole()
    {
        var objects = ManifestYaml.LoadStrict(File.ReadAllText(Repository.PathOf("config/rbac/role.yaml")));
        var role = Assert.IsType<V1ClusterRole>(Assert.Single(objects));
        Assert.Equal("aclop-operator", role.Metadata.Name);
        return role;
    }

    /// <summary>RBAC's rule matching (rbac/v1 PolicyRule): group, resource and verb each listed or "*"; a rule with resourceNames does not cover every name.</summary>
    private static bool Allows(V1ClusterRole role, string group, string resource, string verb) =>
        role.Rules.Any(r =>
            (r.ResourceNames is null || r.ResourceNames.Count == 0) &&
            (r.ApiGroups?.Contains(group) == true || r.ApiGroups?.Contains("*") == true) &&
            (r.Resources?.Contains(resource) == true || r.Resources?.Contains("*") == true) &&
            (r.Verbs.Contains(verb) || r.Verbs.Contains("*")));

    private static string[] Missing(V1ClusterRole role, string group, string resource, IEnumerable<string> verbs) =>
        [.. verbs.Where(v => !Allows(role, group, resource, v)).Select(v => $"{v} {Qualified(group, resource)}")];

    private static string Qualified(string group, string resource) => group.Length == 0 ? resource : resource + "." + group;

    [Fact]
    public void Every_kind_a_server_owns_can_be_applied_listed_watched_and_pruned()
    {
        var role = OperatorRole();
        Assert.NotEmpty(ServerWorkloadApplier.OwnedResources);
        var missing = ServerWorkloadApplier.OwnedResources.SelectMany(r => Missing(role, r.Group, r.Plural, ReadWriteVerbs)).ToList();
        Assert.True(missing.Count == 0, "config/rbac/role.yaml lacks: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_informer_the_controllers_register_can_list_and_watch()
    {
        var role = OperatorRole();
        var resources = InformerResources();
        // The kinds the product watches today; a new informer is checked by the loop below without changing this list.
        Assert.Superset(
            new HashSet<string>(["redisaclservers.aclop.dev", "redisaclusers.aclop.dev", "redisacls.aclop.dev", "secrets", "pods", "leases.coordination.k8s.io", "statefulsets.apps"]),
            resources.Select(r => r.ToString()).ToHashSet());
        var missing = resources.SelectMany(r => Missing(role, r.Group, r.Plural, ["list", "watch"])).ToList();
        Assert.True(missing.Count == 0, "config/rbac/role.yaml lacks: " + string.Join(", ", missing));
    }

    [Fact]
    public void The_operator_holds_every_permission_it_grants_a_servers_pods()
    {
        var role = OperatorRole();
        var granted = ServerRoles().SelectMany(r => r.Rules).ToList();
        // The pods' Role names its objects (O5); the operator needs the same verbs on every object of those kinds.
        Assert.All(granted, r => Assert.NotEmpty(r.ResourceNames));
        var verbs = granted.SelectMany(r => r.ApiGroups.SelectMany(g => r.Resources.SelectMany(res => r.Verbs.Select(v => (Group: g, Resource: res, Verb: v)))))
            .Distinct().ToList();
        Assert.Equal(
            ["configmaps get", "configmaps list", "configmaps watch", "leases get", "leases update", "secrets get", "secrets list", "secrets update", "secrets watch"],
            verbs.Select(v => $"{v.Resource} {v.Verb}").Order(StringComparer.Ordinal));
        var missing = verbs.SelectMany(v => Missing(role, v.Group, v.Resource, [v.Verb])).ToList();
        Assert.True(missing.Count == 0, "config/rbac/role.yaml lacks: " + string.Join(", ", missing));
    }

    /// <summary>
    /// The calls the operator makes outside informers and the applier, each found in the code: a verb removed from the
    /// role while the code still calls it fails here.
    /// </summary>
    [Theory]
    [InlineData("aclop.dev", "redisaclservers", "get", "StatusWriter: GET before reapplying a status after 409")]
    [InlineData("aclop.dev", "redisaclusers", "get", "StatusWriter: GET before reapplying a status after 409")]
    [InlineData("aclop.dev", "redisacls", "get", "StatusWriter, FinalizerClient: GET after 409")]
    [InlineData("aclop.dev", "redisaclusers", "list", "ServerReconciler: cluster-wide LIST confirming a large drop of users (O8)")]
    [InlineData("aclop.dev", "redisacls", "patch", "FinalizerClient: merge patch of metadata.finalizers (aclop.dev/in-use)")]
    [InlineData("aclop.dev", "redisaclservers/status", "update", "StatusWriter: PUT /status")]
    [InlineData("aclop.dev", "redisaclusers/status", "update", "StatusWriter: PUT /status")]
    [InlineData("aclop.dev", "redisacls/status", "update", "StatusWriter: PUT /status")]
    [InlineData("aclop.dev", "redisaclservers/finalizers", "update", "blockOwnerDeletion in controller references to servers")]
    [InlineData("aclop.dev", "redisaclusers/finalizers", "update", "blockOwnerDeletion in controller references to users (generated credentials)")]
    [InlineData("", "configmaps", "get", "SnapshotReader/Publisher: manifest and shards")]
    [InlineData("", "configmaps", "list", "SnapshotPublisher: LIST by metadata.name")]
    [InlineData("", "configmaps", "create", "SnapshotPublisher: shards and manifest")]
    [InlineData("", "configmaps", "update", "SnapshotPublisher: manifest flip with resourceVersion precondition")]
    [InlineData("", "secrets", "get", "SecretHashCache, SnapshotPublisher")]
    [InlineData("", "secrets", "create", "SnapshotPublisher (hash shards, key, runtime users), generated credentials")]
    [InlineData("", "secrets", "update", "SnapshotPublisher: hash shards")]
    [InlineData("", "pods", "patch", "StalePods: aclop.dev/serving label (O15)")]
    [InlineData("", "namespaces", "get", "AclInUseFinalizer: terminating namespace")]
    [InlineData("", "events", "create", "EventRecorder")]
    [InlineData("", "events", "patch", "EventRecorder: repeated events")]
    [InlineData("coordination.k8s.io", "leases", "get", "LeaderElectionService (LeaseLock)")]
    [InlineData("coordination.k8s.io", "leases", "create", "LeaderElectionService (LeaseLock)")]
    [InlineData("coordination.k8s.io", "leases", "update", "LeaderElectionService (LeaseLock, release)")]
    public void The_operator_may_make_each_call_it_makes(string group, string resource, string verb, string caller)
    {
        Assert.True(Allows(OperatorRole(), group, resource, verb), $"config/rbac/role.yaml lacks {verb} {Qualified(group, resource)}, needed by {caller}");
    }

    [Fact]
    public void The_role_grants_nothing_cluster_wide_beyond_the_kinds_the_code_touches()
    {
        var role = OperatorRole();
        Assert.All(role.Rules, r => Assert.True(r.ResourceNames is null || r.ResourceNames.Count == 0));
        Assert.DoesNotContain(role.Rules, r => r.ApiGroups.Contains("*") || r.Resources.Contains("*") || r.Verbs.Contains("*"));
        // No escalate/bind/impersonate: the operator creates Roles by holding what they grant.
        Assert.DoesNotContain(role.Rules.SelectMany(r => r.Verbs), v => v is "escalate" or "bind" or "impersonate" or "deletecollection");
        var owned = ServerWorkloadApplier.OwnedResources.Select(r => (r.Group, r.Plural));
        var informers = InformerResources().Select(r => (r.Group, r.Plural));
        string[] subresources = ["redisaclservers/status", "redisaclusers/status", "redisacls/status", "redisaclservers/finalizers", "redisaclusers/finalizers"];
        var used = owned.Concat(informers)
            .Concat(subresources.Select(s => (AclopApi.Group, s)))
            .Concat([("", "configmaps"), ("", "namespaces"), ("", "events")])
            .ToHashSet();
        var granted = role.Rules.SelectMany(r => r.ApiGroups.SelectMany(g => r.Resources.Select(res => (g, res)))).ToHashSet();
        Assert.Empty(granted.Except(used));
    }

    [Fact]
    public void The_binding_gives_the_role_to_the_managers_service_account()
    {
        var binding = Assert.IsType<V1ClusterRoleBinding>(Assert.Single(ManifestYaml.LoadStrict(File.ReadAllText(Repository.PathOf("config/rbac/role_binding.yaml")))));
        Assert.Equal(("rbac.authorization.k8s.io", "ClusterRole", "aclop-operator"), (binding.RoleRef.ApiGroup, binding.RoleRef.Kind, binding.RoleRef.Name));
        var subject = Assert.Single(binding.Subjects);
        Assert.Equal(("ServiceAccount", "aclop-operator", "aclop-system"), (subject.Kind, subject.Name, subject.NamespaceProperty));
    }

    /// <summary>The resources of every informer the product's controllers create, from the operator's real composition (as Program does).</summary>
    private static List<ApiResource> InformerResources()
    {
        var (builder, op) = OperatorHost.CreateBuilder([]);
        // Nothing is started: the client is never called, it only has to exist.
        builder.Services.Replace(ServiceDescriptor.Singleton<IKubernetes>(new Kubernetes(new KubernetesClientConfiguration { Host = "http://127.0.0.1:1" })));
        op.AddAclOperatorControllers(builder.Configuration);
        var app = builder.Build();
        try
        {
            _ = app.Services.GetServices<IController>().ToList();
            return [.. app.Services.GetRequiredService<SharedInformerFactory>().Informers.Select(i => i.Resource).Distinct()];
        }
        finally
        {
            ((IDisposable)app).Dispose();
        }
    }

    /// <summary>The pods' Role of servers with each backend and replica count that changes what it names.</summary>
    private static IEnumerable<V1Role> ServerRoles()
    {
        var options = new ServerWorkloadOptions { DefaultImage = "ghcr.io/aclop/aclop-server:0.1.0", OperatorNamespace = "aclop-system" };
        RedisAclServerSpec[] specs =
        [
            new(),
            new() { Replicas = 3, Backend = new BackendSpec { Type = "upstream", Upstream = new UpstreamBackendSpec { Host = "redis" } } },
            new() { Replicas = 0 },
        ];
        foreach (var spec in specs)
        {
            var server = new RedisAclServer
            {
                Metadata = new V1ObjectMeta { Name = "main", NamespaceProperty = "team-a", Uid = "8f1c0d3e-0000-4000-8000-000000000001" },
                Spec = spec,
            };
            yield return Assert.Single(ServerWorkloadRenderer.Render(server, options).OfType<V1Role>());
        }
    }
}
