using System.Globalization;
using System.Text.Json.Nodes;
using AclOperator.Testing.FakeKube;
using AclOperator.Testing.Tests.Support;
using k8s;
using k8s.Models;

namespace AclOperator.Testing.Tests;

/// <summary>
/// Watch semantics (API concepts "Efficient detection of changes"): replay from a resourceVersion, 410 Expired as an
/// ERROR event once the revision is compacted, bookmarks, timeoutSeconds, selector transitions and initial events.
/// </summary>
public sealed class WatchTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static V1ConfigMap Cm(string name, string? label = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = label is null ? null : new Dictionary<string, string> { ["app"] = label } },
    };

    private static async Task<List<(WatchEventType Type, V1ConfigMap Object)>> Collect(Kubernetes client, int count, string? rv,
        string? labelSelector = null, bool bookmarks = false, int? timeoutSeconds = null)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TimeSpan.FromSeconds(15));
        var events = new List<(WatchEventType, V1ConfigMap)>();
        var clientSet = new k8s.ClientSets.ClientSet(client);
        var stream = clientSet.CoreV1.ConfigMap.WatchListAsync("default", resourceVersion: rv, labelSelector: labelSelector,
            allowWatchBookmarks: bookmarks, timeoutSeconds: timeoutSeconds, cancellationToken: cts.Token);
        await foreach (var (type, obj) in stream)
        {
            events.Add((type, obj));
            if (events.Count == count)
            {
                break;
            }
        }
        return events;
    }

    [Fact]
    public async Task Watch_from_a_resourceVersion_replays_later_changes_in_order()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var client = server.CreateClient();
        var list = await client.CoreV1.ListNamespacedConfigMapAsync("default", cancellationToken: Ct);
        var c1 = await client.CoreV1.CreateNamespacedConfigMapAsync(Cm("c1"), "default", cancellationToken: Ct);
        c1.Data = new Dictionary<string, string> { ["k"] = "v" };
        var c1b = await client.CoreV1.ReplaceNamespacedConfigMapAsync(c1, "c1", "default", cancellationToken: Ct);
        await client.CoreV1.DeleteNamespacedConfigMapAsync("c1", "default", cancellationToken: Ct);

        var events = await Collect(client, 3, list.Metadata.ResourceVersion);
        Assert.Equal([WatchEventType.Added, WatchEventType.Modified, WatchEventType.Deleted], events.Select(e => e.Type).ToArray());
        Assert.Equal(c1.Metadata.ResourceVersion, events[0].Object.Metadata.ResourceVersion);
        Assert.Equal(c1b.Metadata.ResourceVersion, events[1].Object.Metadata.ResourceVersion);
        // The DELETED event carries the object's last state at the deletion's own revision.
        Assert.Equal(long.Parse(c1b.Metadata.ResourceVersion, CultureInfo.InvariantCulture) + 1, long.Parse(events[2].Object.Metadata.ResourceVersion, CultureInfo.InvariantCulture));
        Assert.Equal("v", events[2].Object.Data["k"]);
    }

    [Fact]
    public async Task Watch_without_resourceVersion_starts_with_synthetic_ADDED_events_then_follows_changes()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedConfigMapAsync(Cm("c1"), "default", cancellationToken: Ct);
        var collecting = Collect(client, 2, rv: null);
        await Eventually.TrueAsync(() => Task.FromResult(server.OpenWatches == 1), "the watch is open");
        await client.CoreV1.CreateNamespacedConfigMapAsync(Cm("c2"), "default", cancellationToken: Ct);
        var events = await collecting;
        Assert.Equal(["ADDED c1", "ADDED c2"], events.Select(e => $"{e.Type.ToString().ToUpperInvariant()} {e.Object.Metadata.Name}").ToArray());
    }

    [Fact]
    public async Task Watch_from_a_compacted_resourceVersion_gets_an_ERROR_event_with_410_Expired()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var raw = new RawApi(server);
        var rv = server.ResourceVersion;
        await raw.PostAsync(Samples.ConfigMapsPath, Samples.ConfigMap("c1"));
        server.CompactHistory();
        var r = await raw.GetAsync(Samples.ConfigMapsPath + $"?watch=true&resourceVersion={rv}");
        Assert.Equal(200, r.Status);
        var line = JsonNode.Parse(r.Text.Split('\n')[0])!;
        Assert.Equal("ERROR", line["type"]!.ToString());
        Assert.Equal(410, (int)line["object"]!["code"]!);
        Assert.Equal("Expired", line["object"]!["reason"]!.ToString());
        Assert.Equal($"too old resource version: {rv} ({rv + 2})", line["object"]!["message"]!.ToString());
    }

    [Fact]
    public async Task Small_history_window_expires_old_revisions()
    {
        await using var server = await FakeKubeServer.StartAsync(new FakeKubeOptions { WatchHistorySize = 2 }, Ct);
        using var client = server.CreateClient();
        var rv = server.ResourceVersion.ToString(CultureInfo.InvariantCulture);
        for (var i = 0; i < 3; i++)
        {
            await client.CoreV1.CreateNamespacedConfigMapAsync(Cm("c" + i), "default", cancellationToken: Ct);
        }
        Exception? error = null;
        var events = new List<WatchEventType>();
        var stream = new k8s.ClientSets.ClientSet(client).CoreV1.ConfigMap.WatchListAsync("default", resourceVersion: rv,
            onError: e => error = e, cancellationToken: Ct);
        await foreach (var (type, _) in stream)
        {
            events.Add(type);
        }
        // KubernetesClient turns the ERROR event into a KubernetesException carrying the Status, and ends the stream.
        Assert.Empty(events);
        var status = Assert.IsType<KubernetesException>(error).Status;
        Assert.Equal(410, status.Code);
        Assert.Equal("Expired", status.Reason);
    }

    [Fact]
    public async Task Bookmarks_carry_the_current_resourceVersion_when_asked_for()
    {
        await using var server = await FakeKubeServer.StartAsync(new FakeKubeOptions { BookmarkInterval = TimeSpan.FromMilliseconds(100) }, Ct);
        using var client = server.CreateClient();
        var rv = server.ResourceVersion.ToString(CultureInfo.InvariantCulture);
        await client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "other-kind" } }, "default", cancellationToken: Ct);
        var events = await Collect(client, 1, rv, bookmarks: true);
        Assert.Equal(WatchEventType.Bookmark, events[0].Type);
        // The bookmark advances past writes to other resources: the revision is global.
        Assert.Equal(server.ResourceVersion.ToString(CultureInfo.InvariantCulture), events[0].Object.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task TimeoutSeconds_ends_the_watch_cleanly()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var raw = new RawApi(server);
        var r = await raw.GetAsync(Samples.ConfigMapsPath + $"?watch=1&timeoutSeconds=1&resourceVersion={server.ResourceVersion}");
        Assert.Equal(200, r.Status);
        Assert.Equal("", r.Text);
        Assert.Equal(0, server.OpenWatches);
    }

    [Fact]
    public async Task Label_selector_watch_turns_label_changes_into_ADDED_and_DELETED()
    {
        // The watch cache sends DELETED when an object stops matching the selector and ADDED when it starts to.
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var client = server.CreateClient();
        var rv = server.ResourceVersion.ToString(CultureInfo.InvariantCulture);
        var c = await client.CoreV1.CreateNamespacedConfigMapAsync(Cm("c1", "x"), "default", cancellationToken: Ct);
        c.Metadata.Labels["app"] = "y";
        c = await client.CoreV1.ReplaceNamespacedConfigMapAsync(c, "c1", "default", cancellationToken: Ct);
        c.Metadata.Labels["app"] = "x";
        await client.CoreV1.ReplaceNamespacedConfigMapAsync(c, "c1", "default", cancellationToken: Ct);
        var events = await Collect(client, 3, rv, labelSelector: "app=x");
        Assert.Equal([WatchEventType.Added, WatchEventType.Deleted, WatchEventType.Added], events.Select(e => e.Type).ToArray());
        Assert.Equal("y", events[1].Object.Metadata.Labels["app"]);
    }

    [Fact]
    public async Task SendInitialEvents_ends_the_initial_state_with_an_annotated_bookmark()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var raw = new RawApi(server);
        await raw.PostAsync(Samples.ConfigMapsPath, Samples.ConfigMap("c1"));
        var r = await raw.GetAsync(Samples.ConfigMapsPath + "?watch=1&timeoutSeconds=3&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true");
        var lines = r.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal("ADDED", lines[0]["type"]!.ToString());
        Assert.Equal("BOOKMARK", lines[1]["type"]!.ToString());
        Assert.Equal("true", lines[1]["object"]!["metadata"]!["annotations"]!["k8s.io/initial-events-end"]!.ToString());
        var invalid = await raw.GetAsync(Samples.ConfigMapsPath + "?watch=1&sendInitialEvents=true");
        Assert.Equal(422, invalid.Status);
    }

    [Fact]
    public async Task Watch_of_one_namespace_sees_only_that_namespace()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var client = server.CreateClient();
        var rv = server.ResourceVersion.ToString(CultureInfo.InvariantCulture);
        await client.CoreV1.CreateNamespacedConfigMapAsync(Cm("other"), "kube-system", cancellationToken: Ct);
        await client.CoreV1.CreateNamespacedConfigMapAsync(Cm("mine"), "default", cancellationToken: Ct);
        var events = await Collect(client, 1, rv);
        Assert.Equal("mine", events[0].Object.Metadata.Name);
    }

    [Fact]
    public async Task A_watch_resumed_from_a_bookmark_gets_exactly_the_later_changes()
    {
        // The informer pattern: remember the last resourceVersion seen (events and bookmarks), reconnect from it.
        await using var server = await FakeKubeServer.StartAsync(new FakeKubeOptions { BookmarkInterval = TimeSpan.FromMilliseconds(100) }, Ct);
        using var client = server.CreateClient();
        await client.CoreV1.CreateNamespacedConfigMapAsync(Cm("before"), "default", cancellationToken: Ct);
        var bookmark = (await Collect(client, 1, server.ResourceVersion.ToString(CultureInfo.InvariantCulture), bookmarks: true))[0];
        Assert.Equal(WatchEventType.Bookmark, bookmark.Type);
        await client.CoreV1.CreateNamespacedConfigMapAsync(Cm("after1"), "default", cancellationToken: Ct);
        await client.CoreV1.CreateNamespacedConfigMapAsync(Cm("after2"), "default", cancellationToken: Ct);
        var resumed = await Collect(client, 2, bookmark.Object.Metadata.ResourceVersion);
        Assert.Equal(["after1", "after2"], resumed.Select(e => e.Object.Metadata.Name).ToArray());
    }
}
