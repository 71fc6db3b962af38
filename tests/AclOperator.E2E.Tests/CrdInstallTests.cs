using System.Net;
using AclOperator.Api.V1Alpha1;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace AclOperator.E2E.Tests;

/// <summary>
/// crds/ and config/samples in a real cluster: the real API server accepts the CRDs (structural schemas, CEL rules
/// compiled within the cost budget, O13), serves the samples with their defaults, and evaluates the CEL rules.
/// What the fake API server and the CEL tests only approximate is verified here when a container engine exists.
/// </summary>
public sealed class CrdInstallTests(K3sCluster cluster) : IClassFixture<K3sCluster>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly Dictionary<string, Type> TypeMap = new()
    {
        [$"{AclopApi.ApiVersion}/{RedisAclServer.KindName}"] = typeof(RedisAclServer),
        [$"{AclopApi.ApiVersion}/{RedisAcl.KindName}"] = typeof(RedisAcl),
        [$"{AclopApi.ApiVersion}/{RedisAclUser.KindName}"] = typeof(RedisAclUser),
    };

    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    private static async Task InstallCrdsAsync(Kubernetes client)
    {
        await InstallLock.WaitAsync(Ct);
        try
        {
            foreach (var file in Directory.GetFiles(Repository.PathOf("crds"), "*.yaml").Order(StringComparer.Ordinal))
            {
                var crd = KubernetesYaml.Deserialize<V1CustomResourceDefinition>(await File.ReadAllTextAsync(file, Ct), strict: true);
                try
                {
                    await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd, cancellationToken: Ct);
                }
                catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
                {
                    // Installed by an earlier test of this class.
                }

                await WaitEstablishedAsync(client, crd.Metadata.Name);
            }
        }
        finally
        {
            InstallLock.Release();
        }
    }

    private static async Task WaitEstablishedAsync(Kubernetes client, string name)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            var crd = await client.ApiextensionsV1.ReadCustomResourceDefinitionAsync(name, cancellationToken: Ct);
            if (crd.Status?.Conditions?.Any(c => c.Type == "Established" && c.Status == "True") == true)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{name} not Established: {KubernetesJson.Serialize(crd.Status)}");
            await Task.Delay(250, Ct);
        }
    }

    private static async Task<string> NamespaceAsync(Kubernetes client, string name)
    {
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } }, cancellationToken: Ct);
        return name;
    }

    private static string Plural(string kind) => kind.ToLowerInvariant() + "s";

    [Fact]
    public async Task Crds_are_accepted_and_established()
    {
        var client = cluster.Require();
        await InstallCrdsAsync(client);
        var crds = await client.ApiextensionsV1.ListCustomResourceDefinitionAsync(cancellationToken: Ct);
        Assert.Equal(["redisacls.aclop.dev", "redisaclservers.aclop.dev", "redisaclusers.aclop.dev"],
            crds.Items.Select(c => c.Metadata.Name).Where(n => n.EndsWith(".aclop.dev", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Samples_are_served_with_their_defaults()
    {
        var client = cluster.Require();
        await InstallCrdsAsync(client);
        var ns = await NamespaceAsync(client, "samples");
        foreach (var file in Directory.GetFiles(Repository.PathOf("config/samples"), "*.yaml").Where(f => Path.GetFileName(f) != "kustomization.yaml"))
        {
            foreach (var obj in KubernetesYaml.LoadAllFromString(await File.ReadAllTextAsync(file, Ct), TypeMap, strict: true))
            {
                switch (obj)
                {
                    case V1Secret secret:
                        await client.CoreV1.CreateNamespacedSecretAsync(secret, ns, cancellationToken: Ct);
                        break;
                    case IKubernetesObject<V1ObjectMeta> custom:
                        await client.CustomObjects.CreateNamespacedCustomObjectAsync(custom, AclopApi.Group, AclopApi.Version, ns, Plural(custom.Kind), cancellationToken: Ct);
                        break;
                }
            }
        }

        var users = await client.CustomObjects.ListNamespacedCustomObjectAsync<RedisAclUserList>(AclopApi.Group, AclopApi.Version, ns, "redisaclusers", cancellationToken: Ct);
        Assert.Equal(["alice", "reporting"], users.Items.Select(u => u.Metadata.Name).Order(StringComparer.Ordinal));
        Assert.All(users.Items, u => Assert.Equal((true, false, false), (u.Spec.Enabled, u.Spec.NoPassword, u.Spec.GeneratePassword)));
        var server = await client.CustomObjects.GetNamespacedCustomObjectAsync<RedisAclServer>(AclopApi.Group, AclopApi.Version, ns, "redisaclservers", "local", cancellationToken: Ct);
        Assert.Equal((1, "resetchannels", "Deny"), (server.Spec.Replicas, server.Spec.AclPubsubDefault, server.Spec.RuntimeAcl));
    }

    public static TheoryData<string, string, string> CelRejections => new()
    {
        { "RedisAclUser", """{"serverRef":{"name":"s"},"noPassword":true,"passwords":[{"secretKeyRef":{"name":"s","key":"p"}}]}""", "noPassword excludes passwords, passwordHashes and generatePassword" },
        { "RedisAclUser", """{"serverRef":{"name":"s"},"username":"a b"}""", "Usernames can't contain spaces or null characters" },
        { "RedisAclUser", """{"serverRef":{"name":"s"},"username":"_aclop.x"}""", "usernames starting with _aclop are reserved" },
        { "RedisAclUser", """{"serverRef":{"name":"s"},"rules":["ON"]}""", "passwords, nopass and on/off are set by passwords, passwordHashes, noPassword and enabled, not by rules" },
        { "RedisAclServer", """{"replicas":2}""", "replicas > 1 needs an upstream backend" },
        { "RedisAclServer", """{"backend":{"type":"upstream"}}""", "an upstream backend needs spec.backend.upstream" },
        { "RedisAcl", """{"rules":[">pw"]}""", "a RedisAcl holds permissions only: no passwords, nopass or on/off" },
    };

    [Theory]
    [MemberData(nameof(CelRejections))]
    public async Task The_api_server_evaluates_the_cel_rules(string kind, string spec, string message)
    {
        var client = cluster.Require();
        await InstallCrdsAsync(client);
        var body = System.Text.Json.Nodes.JsonNode.Parse($$"""{"apiVersion":"aclop.dev/v1alpha1","kind":"{{kind}}","metadata":{"name":"x"},"spec":{{spec}}}""");
        var e = await Assert.ThrowsAsync<HttpOperationException>(() =>
            client.CustomObjects.CreateNamespacedCustomObjectAsync(body, AclopApi.Group, AclopApi.Version, "default", Plural(kind), dryRun: "All", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, e.Response.StatusCode);
        Assert.Contains(message, e.Response.Content, StringComparison.Ordinal);
    }
}
