using System.Globalization;
using System.Net;
using AclOperator.Testing.FakeKube;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace AclOperator.Testing.Tests;

/// <summary>
/// Optimistic concurrency under contention: concurrent read-modify-write loops that retry on 409 lose no update,
/// and every watcher sees the same totally ordered sequence of revisions.
/// </summary>
public sealed class ConcurrencyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Concurrent_writers_retrying_on_conflict_lose_no_update()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var setup = server.CreateClient();
        await setup.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = "counter" },
            Data = new Dictionary<string, string> { ["n"] = "0" },
        }, "default", cancellationToken: Ct);
        var startRv = server.ResourceVersion.ToString(CultureInfo.InvariantCulture);
        const int writers = 4;
        const int increments = 15;
        var conflicts = 0;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(_ => Task.Run(async () =>
        {
            using var client = server.CreateClient();
            for (var i = 0; i < increments; i++)
            {
                while (true)
                {
                    var cm = await client.CoreV1.ReadNamespacedConfigMapAsync("counter", "default", cancellationToken: Ct);
                    cm.Data["n"] = (int.Parse(cm.Data["n"], CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);
                    try
                    {
                        await client.CoreV1.ReplaceNamespacedConfigMapAsync(cm, "counter", "default", cancellationToken: Ct);
                        break;
                    }
                    catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
                    {
                        Interlocked.Increment(ref conflicts);
                    }
                }
            }
        }, Ct)));
        var final = await setup.CoreV1.ReadNamespacedConfigMapAsync("counter", "default", cancellationToken: Ct);
        Assert.Equal((writers * increments).ToString(CultureInfo.InvariantCulture), final.Data["n"]);
        Assert.Equal(writers * increments, server.Requests.Count(r => r.Verb == "update" && r.StatusCode == 200));
        Assert.Equal(conflicts, server.Requests.Count(r => r.Verb == "update" && r.StatusCode == 409));

        // Two independent watches from the same revision replay the identical sequence.
        async Task<List<string>> Replay()
        {
            using var client = server.CreateClient();
            var seen = new List<string>();
            var stream = new k8s.ClientSets.ClientSet(client).CoreV1.ConfigMap.WatchListAsync("default", resourceVersion: startRv, cancellationToken: Ct);
            await foreach (var (_, cm) in stream)
            {
                seen.Add(cm.Metadata.ResourceVersion + "=" + cm.Data["n"]);
                if (seen.Count == writers * increments)
                {
                    break;
                }
            }
            return seen;
        }
        var replays = await Task.WhenAll(Replay(), Replay());
        Assert.Equal(replays[0], replays[1]);
        Assert.Equal(Enumerable.Range(1, writers * increments).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray(),
            replays[0].Select(s => s.Split('=')[1]).ToArray());
    }
}
