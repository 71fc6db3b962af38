using System.Net.Http.Headers;
using System.Text;
using AclOperator.Api.V1Alpha1;
using AclOperator.Operator.Runtime;
using AclOperator.Testing.FakeKube;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace AclOperator.Operator.Tests.Support;

/// <summary>A fake API server with the operator's CRDs registered, a client, and helpers to write the three kinds.</summary>
internal sealed class TestCluster : IAsyncDisposable
{
    private TestCluster(FakeKubeServer server)
    {
        Server = server;
        Client = server.CreateClient();
        Resources = new KubernetesResourceClient(Client);
    }

    public FakeKubeServer Server { get; }

    public Kubernetes Client { get; }

    public KubernetesResourceClient Resources { get; }

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<TestCluster> StartAsync(FakeKubeOptions? options = null)
    {
        var server = await FakeKubeServer.StartAsync(options ?? new FakeKubeOptions
        {
            BookmarkInterval = TimeSpan.FromMilliseconds(200),
            Namespaces = ["default", "kube-system", "team-a", "team-b", "team-c"],
        }, Ct);
        var cluster = new TestCluster(server);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        foreach (var crd in AclCrds.All)
        {
            using var content = new StringContent(crd, Encoding.UTF8);
            content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json");
            using var response = await http.PostAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", content, Ct);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
        }
        return cluster;
    }

    /// <summary>
    /// Ends the open watches once <paramref name="expectedOpen"/> are open (an informer marks itself synced after its
    /// list, before its watch is registered; dropping earlier would miss it). Returns how many were dropped.
    /// </summary>
    public async Task<int> DropWatchesAsync(bool abort = false, int expectedOpen = 1)
    {
        await WaitForWatchesAsync(expectedOpen);
        return Server.Faults.DropWatches(abort);
    }

    /// <summary>
    /// The requests matching <paramref name="match"/> once at least <paramref name="atLeast"/> were recorded: the fake
    /// records a request after its response went out, so a client can see the answer before the record exists.
    /// </summary>
    public async Task<IReadOnlyList<RecordedRequest>> RequestsAsync(Func<RecordedRequest, bool> match, int atLeast)
    {
        await Eventually.TrueAsync(() => Server.Requests.Count(match) >= atLeast, $"{atLeast} matching requests were recorded");
        return Server.Requests.Where(match).ToList();
    }

    public Task WaitForWatchesAsync(int expectedOpen = 1) =>
        Eventually.TrueAsync(() => Server.OpenWatches >= expectedOpen, $"{expectedOpen} watches are open");

    public SharedInformer<T> Informer<T>(InformerOptions<T> options)
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        new(Resources, options, NullLogger<SharedInformer<T>>.Instance);

    public static RedisAclUser User(string name, string ns = "default", string server = "main", params string[] secrets) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new RedisAclUserSpec
        {
            ServerRef = new ServerRef { Name = server },
            Rules = ["+@read", "~app:*"],
            Passwords = secrets.Length == 0 ? null : [.. secrets.Select(s => new PasswordSource { SecretKeyRef = new SecretKeyRef { Name = s, Key = "password" } })],
        },
    };

    public Task<RedisAclUser> CreateAsync(RedisAclUser user) =>
        Resources.CreateAsync(ApiResource.For<RedisAclUser>(), user.Metadata.NamespaceProperty, user, Ct);

    public Task<RedisAclServer> CreateAsync(RedisAclServer server) =>
        Resources.CreateAsync(ApiResource.For<RedisAclServer>(), server.Metadata.NamespaceProperty, server, Ct);

    /// <summary>Creates <paramref name="lease"/>, or replaces the Lease of that name (as a pod renewing it would).</summary>
    public async Task PutLeaseAsync(V1Lease lease)
    {
        var ns = lease.Metadata.NamespaceProperty;
        try
        {
            var current = await Client.CoordinationV1.ReadNamespacedLeaseAsync(lease.Metadata.Name, ns, cancellationToken: Ct);
            lease.Metadata.ResourceVersion = current.Metadata.ResourceVersion;
            await Client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, lease.Metadata.Name, ns, cancellationToken: Ct);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            lease.Metadata.ResourceVersion = null;
            await Client.CoordinationV1.CreateNamespacedLeaseAsync(lease, ns, cancellationToken: Ct);
        }
    }

    public Task<RedisAclUser> GetUserAsync(string name, string ns = "default") =>
        Resources.GetAsync<RedisAclUser>(ApiResource.For<RedisAclUser>(), ns, name, Ct);

    /// <summary>Changes a user's rules (a spec change: new resourceVersion and generation).</summary>
    public async Task<RedisAclUser> SetRulesAsync(string name, string ns, params string[] rules)
    {
        var patch = KubernetesJson.Serialize(new { spec = new { rules } });
        return await Resources.PatchAsync<RedisAclUser>(ApiResource.For<RedisAclUser>(), ns, name, patch, "application/merge-patch+json", null, Ct);
    }

    public Task DeleteUserAsync(string name, string ns = "default") =>
        Client.CustomObjects.DeleteNamespacedCustomObjectAsync(AclopApi.Group, AclopApi.Version, ns, "redisaclusers", name, cancellationToken: Ct);

    public async Task<IReadOnlyList<RedisAclUser>> ListUsersAsync(string? ns = null) =>
        (await Resources.ListAsync<ResourceList<RedisAclUser>>(ApiResource.For<RedisAclUser>(), ns, new ListRequest(), Ct)).Items.ToList();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }
}
