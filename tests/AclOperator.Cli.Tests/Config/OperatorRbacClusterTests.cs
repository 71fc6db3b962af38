using AclOperator.Api.Crds;
using AclOperator.Api.V1Alpha1;
using AclOperator.Cli.Tests.Support;
using AclOperator.Operator.Hosting;
using AclOperator.Operator.Reconcilers;
using AclOperator.Operator.Runtime;
using AclOperator.Testing.FakeKube;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AclOperator.Cli.Tests.Config;

/// <summary>
/// config/rbac/role.yaml against what the operator really sends: the operator (built as Program builds it, with leader
/// election) runs a server with users, a generated password, a rule set and an in-use deletion against the fake API
/// server, and every request it made (recorded by the fake, told apart by its User-Agent) must be one the ClusterRole
/// allows. Complements <see cref="OperatorRbacTests"/>, which checks the paths this run does not reach.
/// </summary>
public sealed class OperatorRbacClusterTests
{
    private const string Agent = "aclop-operator-rbac-test";
    private const string Ns = "team-a";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Marks the operator's requests so the test's own setup calls are not counted.</summary>
    private sealed class UserAgentHandler : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.UserAgent.Clear();
            request.Headers.UserAgent.ParseAdd(Agent);
            return base.SendAsync(request, cancellationToken);
        }
    }

    [Fact]
    public async Task Every_request_of_a_reconciling_operator_is_allowed_by_its_cluster_role()
    {
        await using var fake = await FakeKubeServer.StartAsync(new FakeKubeOptions
        {
            SimulateStatefulSets = true,
            Namespaces = ["default", "kube-system", "aclop-system", Ns],
        }, Ct);
        using var client = fake.CreateClient();
        foreach (var crd in CrdGenerator.GenerateAll())
        {
            await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd, cancellationToken: Ct);
        }

        var (builder, op) = OperatorHost.CreateBuilder(
        [
            "--http-address", "http://127.0.0.1:0",
            "--leader-elect", "true", "--lease-namespace", "aclop-system", "--identity", "rbac-test",
            "--lease-duration", "00:00:02", "--renew-deadline", "00:00:01.500", "--retry-period", "00:00:00.200",
            "--resync-period", "00:00:00",
            "--Operator:MinRetryDelay", "00:00:00.050", "--Operator:MaxRetryDelay", "00:00:00.500",
            "--Servers:OperatorNamespace", "aclop-system",
        ]);
        builder.Logging.ClearProviders();
#pragma warning disable CA2000 // The client owns the handler and the container owns the client.
        builder.Services.AddSingleton<IKubernetes>(new Kubernetes(fake.CreateClientConfiguration(), new UserAgentHandler()));
#pragma warning restore CA2000
        op.AddAclOperatorControllers(builder.Configuration);
        var app = builder.Build();
        await app.StartAsync(Ct);
        try
        {
            await client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
            {
                Metadata = new V1ObjectMeta { Name = "app-passwords" },
                StringData = new Dictionary<string, string> { ["alice"] = "alice-password-0123456789" },
            }, Ns, cancellationToken: Ct);
            await Create(client, new RedisAcl { Metadata = Meta("readers"), Spec = new RedisAclSpec { Rules = ["+@read", "~app:*"] } });
            await Create(client, new RedisAclUser
            {
                Metadata = Meta("alice"),
                Spec = new RedisAclUserSpec
                {
                    ServerRef = new ServerRef { Name = "main" },
                    Passwords = [new PasswordSource { SecretKeyRef = new SecretKeyRef { Name = "app-passwords", Key = "alice" } }],
                    Acls = ["readers"],
                },
            });
            await Create(client, new RedisAclUser
            {
                Metadata = Meta("bob"),
                Spec = new RedisAclUserSpec { ServerRef = new ServerRef { Name = "main" }, GeneratePassword = true, Rules = ["+@read", "~app:*"] },
            });
            await Create(client, new RedisAclUser { Metadata = Meta("orphan"), Spec = new RedisAclUserSpec { ServerRef = new ServerRef { Name = "missing" }, Rules = ["+@read"] } });
            await Create(client, new RedisAclServer { Metadata = Meta("main"), Spec = new RedisAclServerSpec() });

            // Published, applied, statuses written, a password generated.
            await WaitAsync(async () =>
            {
                var server = await client.CustomObjects.GetNamespacedCustomObjectAsync<RedisAclServer>(AclopApi.Group, AclopApi.Version, Ns, "redisaclservers", "main", cancellationToken: Ct);
                var orphan = await client.CustomObjects.GetNamespacedCustomObjectAsync<RedisAclUser>(AclopApi.Group, AclopApi.Version, Ns, "redisaclusers", "orphan", cancellationToken: Ct);
                var acl = await client.CustomObjects.GetNamespacedCustomObjectAsync<RedisAcl>(AclopApi.Group, AclopApi.Version, Ns, "redisacls", "readers", cancellationToken: Ct);
                var maps = await client.CoreV1.ListNamespacedConfigMapAsync(Ns, cancellationToken: Ct);
                var secrets = await client.CoreV1.ListNamespacedSecretAsync(Ns, cancellationToken: Ct);
                var sets = await client.AppsV1.ListNamespacedStatefulSetAsync(Ns, cancellationToken: Ct);
                return server.Status?.ObservedGeneration == server.Metadata.Generation && orphan.Status?.Conditions is { Count: > 0 } &&
                    acl.Metadata.Finalizers?.Contains("aclop.dev/in-use") == true &&
                    maps.Items.Any(m => m.Metadata.Name == "main-acl") && secrets.Items.Any(s => s.Metadata.Name == RedisAclUser.GeneratedSecretName("bob")) &&
                    sets.Items.Any(s => s.Metadata.Name == "main");
            }, "the server published, applied and wrote status, the user's password was generated and the rule set got its finalizer");

            // A rule set in use cannot go: the finalizer reads the namespace and records an event.
            await client.CustomObjects.DeleteNamespacedCustomObjectAsync(AclopApi.Group, AclopApi.Version, Ns, "redisacls", "readers", cancellationToken: Ct);
            await WaitAsync(async () => (await client.CoreV1.ListNamespacedEventAsync(Ns, cancellationToken: Ct)).Items.Any(e => e.Reason == "InUse"), "an InUse event");
        }
        finally
        {
            await app.StopAsync(CancellationToken.None); // releases the lease
            await ((IAsyncDisposable)app).DisposeAsync();
        }

        var role = Assert.IsType<V1ClusterRole>(Assert.Single(ManifestYaml.LoadStrict(File.ReadAllText(Repository.PathOf("config/rbac/role.yaml")))));
        var made = fake.Requests.Where(r => r.UserAgent.StartsWith(Agent, StringComparison.Ordinal) && r.Verb.Length > 0)
            .Select(r => (Group: GroupOf(r.Path), r.Resource, r.Verb)).Distinct().ToList();
        // The run reached the paths that matter: apply, snapshot, status, events, leader election, finalizer, namespace.
        Assert.Superset(
            new HashSet<string>(
            [
                "patch statefulsets.apps", "patch roles.rbac.authorization.k8s.io", "create configmaps", "update configmaps", "create secrets",
                "update redisaclservers/status.aclop.dev", "update redisaclusers/status.aclop.dev", "update redisacls/status.aclop.dev",
                "patch redisacls.aclop.dev", "get namespaces", "create events", "watch secrets", "list pods", "watch leases.coordination.k8s.io",
                "create leases.coordination.k8s.io", "update leases.coordination.k8s.io",
            ], StringComparer.Ordinal),
            made.Select(m => $"{m.Verb} {Qualified(m.Group, m.Resource)}").ToHashSet(StringComparer.Ordinal));
        var denied = made.Where(m => !Allows(role, m.Group, m.Resource, m.Verb)).Select(m => $"{m.Verb} {Qualified(m.Group, m.Resource)}").ToList();
        Assert.True(denied.Count == 0, "config/rbac/role.yaml does not allow what the operator did: " + string.Join(", ", denied));
    }

    private static V1ObjectMeta Meta(string name) => new() { Name = name, NamespaceProperty = Ns };

    private static async Task Create<T>(Kubernetes client, T obj)
        where T : IKubernetesObject<V1ObjectMeta>
    {
        var resource = ApiResource.For<T>();
        obj.ApiVersion = resource.ApiVersion;
        obj.Kind = resource.Kind;
        await client.CustomObjects.CreateNamespacedCustomObjectAsync(obj, resource.Group, resource.Version, Ns, resource.Plural, cancellationToken: Ct);
    }

    private static async Task WaitAsync(Func<Task<bool>> condition, string what)
    {
        for (var i = 0; i < 300; i++)
        {
            if (await condition())
            {
                return;
            }
            await Task.Delay(100, Ct);
        }
        Assert.Fail("timed out waiting for " + what);
    }

    /// <summary>The API group of a request path: <c>/api/v1/…</c> is the core group, <c>/apis/&lt;group&gt;/&lt;version&gt;/…</c> names it.</summary>
    private static string GroupOf(string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return parts[0] == "apis" ? parts[1] : "";
    }

    private static string Qualified(string group, string resource) => group.Length == 0 ? resource : resource + "." + group;

    private static bool Allows(V1ClusterRole role, string group, string resource, string verb) =>
        role.Rules.Any(r => (r.ResourceNames is null || r.ResourceNames.Count == 0) &&
            r.ApiGroups.Contains(group) && r.Resources.Contains(resource) && r.Verbs.Contains(verb));
}
