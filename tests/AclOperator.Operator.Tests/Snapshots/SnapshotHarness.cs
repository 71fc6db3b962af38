using System.IO.Compression;
using System.Net;
using AclOperator.Api.Snapshots;
using AclOperator.Operator.Tests.Support;
using AclOperator.Testing.FakeKube;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace AclOperator.Operator.Tests.Snapshots;

/// <summary>
/// A fake API server (with the operator's CRDs) and helpers to read the snapshot objects of server <c>default/main</c>
/// back, exactly as the pods see them.
/// </summary>
internal sealed class SnapshotHarness : IAsyncDisposable
{
    public const string Ns = "default";
    public const string Server = "main";

    private SnapshotHarness(TestCluster cluster)
    {
        Cluster = cluster;
    }

    public TestCluster Cluster { get; }

    public Kubernetes Client => Cluster.Client;

    public FakeKubeServer Fake => Cluster.Server;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<SnapshotHarness> StartAsync() => new(await TestCluster.StartAsync());

    public SnapshotPublisher Publisher(V1OwnerReference? owner = null) => new(Client, Ns, Server) { Owner = owner };

    /// <summary>A reader that gives up quickly: torn reads are retried <paramref name="maxAttempts"/> times, 1 ms apart.</summary>
    public SnapshotReader Reader(int maxAttempts = 3) =>
        new(Client, Ns, Server) { MaxAttempts = maxAttempts, RetryDelay = TimeSpan.FromMilliseconds(1) };

    public Task<V1ConfigMap> ConfigMapAsync(string name) => Client.CoreV1.ReadNamespacedConfigMapAsync(name, Ns, cancellationToken: Ct);

    public Task<V1Secret> SecretAsync(string name) => Client.CoreV1.ReadNamespacedSecretAsync(name, Ns, cancellationToken: Ct);

    public async Task<bool> ExistsAsync(string kind, string name)
    {
        try
        {
            _ = kind == "ConfigMap" ? (object)await ConfigMapAsync(name) : await SecretAsync(name);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    public async Task<V1ConfigMap> ManifestMapAsync() => await ConfigMapAsync(SnapshotNames.Manifest(Server));

    public async Task<ManifestDocument> ManifestAsync() =>
        SnapshotCodec.DecodeManifest((await ManifestMapAsync()).Data[SnapshotNames.ManifestKey]);

    public async Task<byte[]> KeyAsync() => (await SecretAsync(SnapshotNames.HashesKeySecret(Server))).Data[SnapshotNames.HmacKeyKey];

    public async Task<byte[]> RulesBytesAsync(string name) => (await ConfigMapAsync(name)).BinaryData[SnapshotNames.ShardKey];

    public async Task<byte[]> HashBytesAsync(string name) => (await SecretAsync(name)).Data[SnapshotNames.ShardKey];

    public async Task<IReadOnlyList<V1ConfigMap>> ConfigMapsAsync() => (await Client.CoreV1.ListNamespacedConfigMapAsync(Ns, cancellationToken: Ct)).Items.ToList();

    public async Task<IReadOnlyList<V1Secret>> SecretsAsync() => (await Client.CoreV1.ListNamespacedSecretAsync(Ns, cancellationToken: Ct)).Items.ToList();

    /// <summary>
    /// Every request recorded so far. The fake records a request after its response went out, so first a barrier GET
    /// (sent after the caller's last response arrived) is awaited in the log.
    /// </summary>
    public async Task<IReadOnlyList<RecordedRequest>> RequestsAsync()
    {
        var barrier = "barrier-" + Guid.NewGuid().ToString("N");
        Assert.False(await ExistsAsync("ConfigMap", barrier));
        await Eventually.TrueAsync(() => Fake.Requests.Any(r => r.Name == barrier), "the barrier request was recorded");
        return Fake.Requests;
    }

    /// <summary>The requests after the first <paramref name="mark"/> ones (from <see cref="RequestsAsync"/>), barrier GETs left out.</summary>
    public async Task<IReadOnlyList<RecordedRequest>> RequestsSinceAsync(int mark) =>
        (await RequestsAsync()).Skip(mark).Where(r => !r.Name.StartsWith("barrier-", StringComparison.Ordinal)).ToList();

    public async Task<int> MarkAsync() => (await RequestsAsync()).Count;

    public static bool IsWrite(RecordedRequest r) => r.Method is "PUT" or "POST" or "PATCH" or "DELETE";

    /// <summary>"METHOD resource/name status" of each request, for exact assertions.</summary>
    public static string Describe(RecordedRequest r) => $"{r.Method} {r.Resource}/{r.Name} {r.StatusCode}";

    public static byte[] Gunzip(byte[] bytes)
    {
        using var gz = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var output = new MemoryStream();
        gz.CopyTo(output);
        return output.ToArray();
    }

    public ValueTask DisposeAsync() => Cluster.DisposeAsync();
}
