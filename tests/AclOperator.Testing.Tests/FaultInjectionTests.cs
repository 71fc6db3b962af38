using System.Diagnostics;
using System.Net;
using AclOperator.Testing.FakeKube;
using AclOperator.Testing.Tests.Support;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace AclOperator.Testing.Tests;

/// <summary>Fault injection for the operator's reliability tests: failures, latency, dropped watches, forced 410.</summary>
public sealed class FaultInjectionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FailNext_fails_matching_requests_with_a_Status_body_then_recovers()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var client = server.CreateClient();
        server.Faults.FailNext(2, 500, verb: "create", resource: "configmaps");
        var cm = new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "c1" } };
        var secret = await client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "s1" } }, "default", cancellationToken: Ct);
        Assert.Equal("s1", secret.Metadata.Name); // other resources unaffected
        for (var i = 0; i < 2; i++)
        {
            var ex = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.CreateNamespacedConfigMapAsync(cm, "default", cancellationToken: Ct));
            Assert.Equal(HttpStatusCode.InternalServerError, ex.Response.StatusCode);
            Assert.Contains("\"message\":\"Internal error occurred: injected fault\"", ex.Response.Content, StringComparison.Ordinal);
        }
        Assert.Equal("c1", (await client.CoreV1.CreateNamespacedConfigMapAsync(cm, "default", cancellationToken: Ct)).Metadata.Name);
        Assert.Equal([500, 500, 201], server.Requests.Where(r => r.Verb == "create" && r.Resource == "configmaps").Select(r => r.StatusCode).ToArray());
    }

    [Fact]
    public async Task FailNext_with_409_looks_like_a_real_conflict()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var raw = new RawApi(server);
        await raw.PostAsync(Samples.ConfigMapsPath, Samples.ConfigMap("c1"));
        server.Faults.FailNext(1, 409, verb: "update");
        var r = await raw.PutAsync(Samples.ConfigMapsPath + "/c1", Samples.ConfigMap("c1"));
        Assert.Equal(409, r.Status);
        Assert.Equal("Operation cannot be fulfilled on configmaps \"c1\": the object has been modified; please apply your changes to the latest version and try again", r.Str("message"));
        Assert.Equal(200, (await raw.PutAsync(Samples.ConfigMapsPath + "/c1", Samples.ConfigMap("c1"))).Status);
    }

    [Fact]
    public async Task Latency_delays_matching_requests()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var raw = new RawApi(server);
        server.Faults.AddLatency(TimeSpan.FromMilliseconds(300), verb: "create");
        var sw = Stopwatch.StartNew();
        await raw.PostAsync(Samples.ConfigMapsPath, Samples.ConfigMap("c1"));
        Assert.True(sw.Elapsed >= TimeSpan.FromMilliseconds(290), $"took {sw.Elapsed}");
        server.Faults.Reset();
        sw.Restart();
        await raw.PostAsync(Samples.ConfigMapsPath, Samples.ConfigMap("c2"));
        Assert.Equal(2, server.Requests.Count(r => r.Verb == "create"));
    }

    [Fact]
    public async Task Write_latency_delays_creates_and_updates()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var raw = new RawApi(server);
        server.Faults.AddWriteLatency(TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(400), seed: 7, resource: "configmaps");
        var sw = Stopwatch.StartNew();
        await raw.PostAsync(Samples.ConfigMapsPath, Samples.ConfigMap("c1"));
        Assert.True(sw.Elapsed >= TimeSpan.FromMilliseconds(290), $"took {sw.Elapsed}");
        sw.Restart();
        await raw.PutAsync(Samples.ConfigMapsPath + "/c1", Samples.ConfigMap("c1"));
        Assert.True(sw.Elapsed >= TimeSpan.FromMilliseconds(290), $"took {sw.Elapsed}");
        Assert.Equal(["create", "update"], server.Requests.Where(r => r.Resource == "configmaps").Select(r => r.Verb).ToArray());
    }

    [Fact]
    public async Task DropWatches_ends_open_watches()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var client = server.CreateClient();
        var rv = server.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "c1" } }, "default", cancellationToken: Ct);
        var stream = new k8s.ClientSets.ClientSet(client).CoreV1.ConfigMap.WatchListAsync("default", resourceVersion: rv, cancellationToken: Ct);
        var first = new TaskCompletionSource();
        var reading = Task.Run(async () =>
        {
            var names = new List<string>();
            await foreach (var (_, cm) in stream)
            {
                names.Add(cm.Metadata.Name);
                first.TrySetResult();
            }
            return names;
        }, Ct);
        await first.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal(1, server.Faults.DropWatches());
        Assert.Equal(["c1"], await reading.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        await Eventually.TrueAsync(() => Task.FromResult(server.OpenWatches == 0), "the watch is closed");
    }

    [Fact]
    public async Task Watch_dropped_before_its_first_event_surfaces_in_KubernetesClient_as_end_of_stream()
    {
        // KubernetesClient reads the first line of a watch response before returning it; a watch that ends with no
        // event at all (dropped, or timeoutSeconds with no change, as on a real server) throws HttpRequestException.
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var client = server.CreateClient();
        var stream = new k8s.ClientSets.ClientSet(client).CoreV1.ConfigMap.WatchListAsync("default",
            resourceVersion: server.ResourceVersion.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken: Ct);
        var reading = Task.Run(async () =>
        {
            await foreach (var _ in stream)
            {
            }
        }, Ct);
        await Eventually.TrueAsync(() => Task.FromResult(server.OpenWatches == 1), "the watch is open");
        server.Faults.DropWatches();
        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => reading.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        Assert.IsType<EndOfStreamException>(ex.InnerException);
    }

    [Fact]
    public async Task ExpireNextWatches_forces_410_once()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var raw = new RawApi(server);
        server.Faults.ExpireNextWatches();
        var expired = await raw.GetAsync(Samples.ConfigMapsPath + $"?watch=1&resourceVersion={server.ResourceVersion}&timeoutSeconds=1");
        Assert.Contains("\"type\":\"ERROR\"", expired.Text, StringComparison.Ordinal);
        Assert.Contains("\"code\":410", expired.Text, StringComparison.Ordinal);
        var normal = await raw.GetAsync(Samples.ConfigMapsPath + $"?watch=1&resourceVersion={server.ResourceVersion}&timeoutSeconds=1");
        Assert.Equal("", normal.Text);
    }
}
