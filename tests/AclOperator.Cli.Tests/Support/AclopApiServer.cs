using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AclOperator.Testing.FakeKube;
using k8s;

namespace AclOperator.Cli.Tests.Support;

/// <summary>
/// The fake Kubernetes API server (tests/AclOperator.Testing) with crds/ registered through KubernetesClient, as
/// `kubectl apply -f crds/` would: the API server's structural-schema checks run on them, and custom resources get
/// its pruning, defaulting and OpenAPI validation (not CEL: <see cref="CelEvaluator"/> evaluates those rules).
/// </summary>
public sealed class AclopApiServer : IAsyncLifetime
{
    private HttpClient? _http;

    public FakeKubeServer Server { get; private set; } = null!;

    /// <summary>The CRDs as the server answered their creation.</summary>
    public IReadOnlyList<k8s.Models.V1CustomResourceDefinition> Registered { get; private set; } = [];

    public async ValueTask InitializeAsync()
    {
        Server = await FakeKubeServer.StartAsync();
        using var client = Server.CreateClient();
        var registered = new List<k8s.Models.V1CustomResourceDefinition>();
        foreach (var crd in CrdFiles.Load())
        {
            registered.Add(await client.ApiextensionsV1.CreateCustomResourceDefinitionAsync(crd));
        }

        Registered = registered;
        _http = new HttpClient { BaseAddress = Server.BaseAddress };
    }

    public async ValueTask DisposeAsync()
    {
        _http?.Dispose();
        await Server.DisposeAsync();
    }

    public static string CollectionPath(string kind, string ns) => kind switch
    {
        "Secret" => $"api/v1/namespaces/{ns}/secrets",
        _ => $"apis/aclop.dev/v1alpha1/namespaces/{ns}/{kind.ToLowerInvariant()}s",
    };

    /// <summary>POSTs an object (dry run unless told otherwise) with strict field validation; the status and the body.</summary>
    public async Task<(int Status, JsonObject Body)> CreateAsync(JsonObject obj, string ns = "default", bool dryRun = true)
    {
        var kind = (string)obj["kind"]!;
        var query = "?fieldValidation=Strict" + (dryRun ? "&dryRun=All" : "");
        using var request = new HttpRequestMessage(HttpMethod.Post, CollectionPath(kind, ns) + query)
        {
            Content = new StringContent(obj.ToJsonString(), Encoding.UTF8),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json");
        using var response = await _http!.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return ((int)response.StatusCode, JsonNode.Parse(text)!.AsObject());
    }

    public async Task<(int Status, string Body)> GetAsync(string path)
    {
        using var response = await _http!.GetAsync(path, TestContext.Current.CancellationToken);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }
}
