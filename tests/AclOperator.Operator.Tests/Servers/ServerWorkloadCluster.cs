using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using AclOperator.Api.V1Alpha1;
using AclOperator.Operator.Runtime;
using AclOperator.Operator.Servers;
using AclOperator.Operator.Tests.Support;
using AclOperator.Testing.FakeKube;
using k8s.Models;

namespace AclOperator.Operator.Tests.Servers;

/// <summary>A fake API server with a RedisAclServer, the renderer's options, and exact read-back of owned objects.</summary>
internal sealed class ServerWorkloadCluster : IAsyncDisposable
{
    public const string Namespace = "team-a";
    public const string Image = "ghcr.io/aclop/aclop-server:0.1.0";

    public static readonly ServerWorkloadOptions Options = new()
    {
        DefaultImage = Image,
        OperatorNamespace = "aclop-system",
        OperatorPodLabels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "aclop-operator" },
    };

    private static readonly JsonSerializerOptions CanonicalJson = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private ServerWorkloadCluster(TestCluster cluster)
    {
        Cluster = cluster;
        Applier = new ServerWorkloadApplier(cluster.Resources);
    }

    public TestCluster Cluster { get; }

    public FakeKubeServer Api => Cluster.Server;

    public ServerWorkloadApplier Applier { get; }

    public static async Task<ServerWorkloadCluster> StartAsync(bool simulateStatefulSets = false) =>
        new(await TestCluster.StartAsync(new FakeKubeOptions
        {
            BookmarkInterval = TimeSpan.FromMilliseconds(200),
            Namespaces = ["default", "kube-system", Namespace],
            SimulateStatefulSets = simulateStatefulSets,
        }));

    /// <summary>A server named <paramref name="name"/> in <see cref="Namespace"/> with the given spec.</summary>
    public static RedisAclServer NewServer(string name, RedisAclServerSpec spec, IDictionary<string, string>? labels = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Namespace, Labels = labels },
        Spec = spec,
    };

    public Task<RedisAclServer> CreateAsync(RedisAclServer server) => Cluster.CreateAsync(server);

    /// <summary>Replaces the server's spec (a merge patch of the whole spec) and returns the stored server.</summary>
    public async Task<RedisAclServer> SetSpecAsync(RedisAclServer server, RedisAclServerSpec spec)
    {
        var patch = new JsonObject { ["spec"] = JsonNode.Parse(k8s.KubernetesJson.Serialize(spec)) };
        // A merge patch cannot drop fields by omission: null the old spec first.
        await Cluster.Resources.PatchAsync<RedisAclServer>(ApiResource.For<RedisAclServer>(), Namespace, server.Metadata.Name,
            "{\"spec\":null}", "application/merge-patch+json", null, TestCluster.Ct);
        return await Cluster.Resources.PatchAsync<RedisAclServer>(ApiResource.For<RedisAclServer>(), Namespace, server.Metadata.Name,
            patch.ToJsonString(), "application/merge-patch+json", null, TestCluster.Ct);
    }

    public Task<ApplyOutcome> RenderAndApplyAsync(RedisAclServer server) =>
        Applier.ApplyAsync(server, ServerWorkloadRenderer.Render(server, Options), TestCluster.Ct);

    /// <summary>
    /// The stored object as the API returns it, without what the server generates (uid, resourceVersion,
    /// creationTimestamp, generation, managedFields, status), keys sorted and indented; null when it does not exist.
    /// Values that differ per run are replaced: <paramref name="server"/>'s uid by <c>&lt;server-uid&gt;</c> (any
    /// other uid stays, and fails the comparison), the hash annotations by <c>&lt;sha256&gt;</c> when they are 64 hex
    /// digits, allocated cluster IPs by <c>&lt;allocated&gt;</c>.
    /// </summary>
    public async Task<string?> ReadAsync(ApiResource resource, string name, RedisAclServer server)
    {
        JsonObject obj;
        try
        {
            obj = await Cluster.Resources.GetAsync<JsonObject>(resource, Namespace, name, TestCluster.Ct);
        }
        catch (Exception e) when (KubernetesErrors.IsNotFound(e))
        {
            return null;
        }
        var meta = (JsonObject)obj["metadata"]!;
        foreach (var generated in new[] { "uid", "resourceVersion", "creationTimestamp", "generation", "managedFields" })
        {
            meta.Remove(generated);
        }
        obj.Remove("status");
        foreach (var reference in meta["ownerReferences"]?.AsArray() ?? [])
        {
            if ((string?)reference!["uid"] == server.Metadata.Uid)
            {
                reference["uid"] = "<server-uid>";
            }
        }
        if (meta["annotations"] is JsonObject annotations)
        {
            foreach (var key in new[] { ServerWorkloadApplier.AppliedHashAnnotation, ServerWorkloadApplier.ImmutableHashAnnotation })
            {
                if (annotations[key] is JsonValue v && v.GetValue<string>() is { Length: 64 } hash && hash.All(char.IsAsciiHexDigitLower))
                {
                    annotations[key] = "<sha256>";
                }
            }
        }
        if (obj["spec"] is JsonObject spec && (string?)spec["clusterIP"] is { } ip && ip != "None")
        {
            spec["clusterIP"] = "<allocated>";
            spec["clusterIPs"] = new JsonArray("<allocated>");
        }
        return Canonical(obj);
    }

    /// <summary>The expected object in <c>Servers/Expected/&lt;file&gt;</c>, in <see cref="Canonical(JsonNode)"/> form.</summary>
    public static string Expected(string file) =>
        Canonical(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Servers", "Expected", file)));

    /// <summary>JSON with object keys in ordinal order, indented: the form both sides of an exact comparison take.</summary>
    public static string Canonical(JsonNode node) => Sorted(node)!.ToJsonString(CanonicalJson);

    public static string Canonical(string json) => Canonical(JsonNode.Parse(json)!);

    private static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value)))),
        JsonArray a => new JsonArray([.. a.Select(Sorted)]),
        _ => node?.DeepClone(),
    };

    public ValueTask DisposeAsync() => Cluster.DisposeAsync();
}
