using AclOperator.Api.V1Alpha1;
using AclOperator.Operator.Runtime;
using AclOperator.Operator.Tests.Support;
using k8s;
using k8s.Models;

namespace AclOperator.Operator.Tests;

/// <summary>
/// SharedInformer against the fake API server: list then watch, the cache and its indexes, resuming a dropped watch
/// from the last resourceVersion (client-go reflector's watchHandler), relisting with resourceVersion "" after 410
/// Expired (reflector.go: isLastSyncResourceVersionUnavailable, O16), bookmarks, metadata-only Secrets and scopes.
/// </summary>
public sealed class InformerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static InformerOptions<RedisAclUser> Users(params string[] namespaces) => new()
    {
        Resource = ApiResource.For<RedisAclUser>(),
        Namespaces = namespaces,
        MinRetryDelay = TimeSpan.FromMilliseconds(20),
        MaxRetryDelay = TimeSpan.FromMilliseconds(200),
        PageSize = 2,
    };

    /// <summary>
    /// The fake records a request when it completes, so an open watch is not listed yet: end the open watches cleanly
    /// and return the watch requests recorded for redisaclusers once the informer's watches completed.
    /// </summary>
    private static async Task<IReadOnlyList<AclOperator.Testing.FakeKube.RecordedRequest>> EndWatchesAsync(TestCluster cluster, int expectedTotal)
    {
        await Eventually.TrueAsync(() =>
        {
            cluster.Server.Faults.DropWatches();
            return cluster.Server.Requests.Count(r => r.Verb == "watch" && r.Resource == "redisaclusers") >= expectedTotal;
        }, $"{expectedTotal} watches completed");
        return cluster.Server.Requests.Where(r => r.Verb == "watch" && r.Resource == "redisaclusers").ToList();
    }

    [Fact]
    public async Task Lists_in_pages_then_watches_and_keeps_cache_and_indexes()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.CreateAsync(TestCluster.User("alice", secrets: ["alice-pw"]));
        await cluster.CreateAsync(TestCluster.User("bob", secrets: ["shared-pw"]));
        await cluster.CreateAsync(TestCluster.User("carol", "team-a", secrets: ["shared-pw"]));
        var informer = cluster.Informer(Users());
        informer.Cache.AddIndex("secret", u => (u.Spec.Passwords ?? []).Select(p => u.Metadata.NamespaceProperty + "/" + p.SecretKeyRef.Name));
        var handler = new RecordingHandler<RedisAclUser>();
        informer.AddEventHandler(handler);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var run = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync(Ct);

        Assert.Equal(3, informer.Cache.Count);
        Assert.Equal(["alice", "bob"], informer.Cache.List("default").Select(u => u.Metadata.Name).Order());
        Assert.Equal(["bob"], informer.Cache.ByIndex("secret", "default/shared-pw").Select(u => u.Metadata.Name));
        Assert.Equal(["carol"], informer.Cache.ByIndex("secret", "team-a/shared-pw").Select(u => u.Metadata.Name));
        // Three items with page size 2: two list requests, continue token on the second.
        var lists = await cluster.RequestsAsync(r => r.Verb == "list" && r.Resource == "redisaclusers", 2);
        Assert.Equal(2, lists.Count);
        Assert.Contains("continue=", lists[1].Query, StringComparison.Ordinal);
        Assert.All(handler.Events, e => Assert.StartsWith("add ", e, StringComparison.Ordinal));

        handler.Clear();
        var bob = await cluster.SetRulesAsync("bob", "default", "+@all");
        await cluster.DeleteUserAsync("alice");
        var dave = await cluster.CreateAsync(TestCluster.User("dave", secrets: ["shared-pw"]));
        await Eventually.TrueAsync(() => handler.Events.Count == 3, "three watch events arrived");
        Assert.Equal("update default/bob", handler.Events[0][..18]);
        Assert.EndsWith("->" + bob.Metadata.ResourceVersion, handler.Events[0], StringComparison.Ordinal);
        Assert.Equal(["delete default/alice", $"add default/dave {dave.Metadata.ResourceVersion}"], handler.Events.Skip(1));
        Assert.Equal(["bob", "dave"], informer.Cache.ByIndex("secret", "default/shared-pw").Select(u => u.Metadata.Name).Order());
        Assert.Empty(informer.Cache.ByIndex("secret", "default/alice-pw"));
        Assert.Equal(["+@all"], informer.Cache.Get("default", "bob")!.Spec.Rules);
        Assert.Equal(1, informer.ListCount);

        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task A_resync_hands_every_cached_object_to_the_handlers_again_without_requests()
    {
        await using var cluster = await TestCluster.StartAsync();
        var alice = await cluster.CreateAsync(TestCluster.User("alice"));
        var informer = cluster.Informer(new InformerOptions<RedisAclUser> { Resource = ApiResource.For<RedisAclUser>(), ResyncPeriod = TimeSpan.FromMilliseconds(100) });
        var handler = new RecordingHandler<RedisAclUser>();
        informer.AddEventHandler(handler);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var run = informer.RunAsync(stop.Token);
        await Eventually.TrueAsync(() => handler.Events.Count >= 3, "two resyncs");
        var rv = alice.Metadata.ResourceVersion;
        Assert.Equal([$"add default/alice {rv}", $"update default/alice {rv}->{rv}", $"update default/alice {rv}->{rv}"], handler.Events.Take(3));
        Assert.Equal(1, informer.ListCount);
        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Cached_objects_have_no_managed_fields()
    {
        await using var cluster = await TestCluster.StartAsync();
        var created = await cluster.CreateAsync(TestCluster.User("alice"));
        Assert.NotNull(created.Metadata.ManagedFields);
        var informer = cluster.Informer(Users());
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var run = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync(Ct);
        await cluster.SetRulesAsync("alice", "default", "+get");
        await Eventually.TrueAsync(() => informer.Cache.Get("default", "alice")?.Spec.Rules?.SequenceEqual(["+get"]) == true, "the update is cached");
        Assert.Null(informer.Cache.Get("default", "alice")!.Metadata.ManagedFields);
        await stop.CancelAsync();
        await run;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_dropped_watch_resumes_from_the_last_resourceVersion_without_relisting_or_duplicates(bool abort)
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.CreateAsync(TestCluster.User("alice"));
        var informer = cluster.Informer(Users());
        var handler = new RecordingHandler<RedisAclUser>();
        informer.AddEventHandler(handler);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var run = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync(Ct);
        var bob = await cluster.CreateAsync(TestCluster.User("bob"));
        await Eventually.TrueAsync(() => informer.Cache.Count == 2, "bob is cached");
        var resumeFrom = informer.LastResourceVersion;
        var watchesBefore = informer.WatchCount;

        Assert.Equal(1, await cluster.DropWatchesAsync(abort));
        var carol = await cluster.CreateAsync(TestCluster.User("carol"));
        var bob2 = await cluster.SetRulesAsync("bob", "default", "+ping");
        await Eventually.TrueAsync(() => informer.Cache.Get("default", "bob")?.Metadata.ResourceVersion == bob2.Metadata.ResourceVersion
            && informer.Cache.Count == 3, "the changes made while the watch was down arrived");

        Assert.Equal(1, informer.ListCount);
        Assert.True(informer.WatchCount > watchesBefore);
        // The watch resumed where the first one stopped: at bob's resourceVersion or a bookmark after it, before carol.
        var watches = await EndWatchesAsync(cluster, 2);
        var resumedAt = long.Parse(System.Web.HttpUtility.ParseQueryString(watches[1].Query)["resourceVersion"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(resumedAt, long.Parse(resumeFrom, System.Globalization.CultureInfo.InvariantCulture),
            long.Parse(carol.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture) - 1);
        Assert.Equal(
        [
            $"add default/alice {(await cluster.GetUserAsync("alice")).Metadata.ResourceVersion}",
            $"add default/bob {bob.Metadata.ResourceVersion}",
            $"add default/carol {carol.Metadata.ResourceVersion}",
            $"update default/bob {bob.Metadata.ResourceVersion}->{bob2.Metadata.ResourceVersion}",
        ], handler.Events);
        await stop.CancelAsync();
        await run;
    }

    [Theory]
    [InlineData("expire")]
    [InlineData("compact")]
    public async Task Expired_watch_relists_with_an_empty_resourceVersion_and_notifies_only_differences(string how)
    {
        await using var cluster = await TestCluster.StartAsync();
        foreach (var name in new[] { "alice", "bob", "carol" })
        {
            await cluster.CreateAsync(TestCluster.User(name));
        }
        var informer = cluster.Informer(Users());
        var handler = new RecordingHandler<RedisAclUser>();
        informer.AddEventHandler(handler);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var run = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync(Ct);
        handler.Clear();
        var listsBefore = (await cluster.RequestsAsync(r => r.Verb == "list" && r.Resource == "redisaclusers", 1)).Count;

        // "compact": the watch ends and cannot reopen for a while; meanwhile objects change and the history it
        // would resume from is compacted away. "expire": the resumed watch is answered with a 410 ERROR event (the
        // changes then race the relist; either way each must be seen once).
        RedisAclUser bob, dave;
        if (how == "expire")
        {
            await cluster.WaitForWatchesAsync();
            cluster.Server.Faults.ExpireNextWatches();
            await cluster.DropWatchesAsync(abort: true);
            bob = await cluster.SetRulesAsync("bob", "default", "+@all");
            await cluster.DeleteUserAsync("carol");
            dave = await cluster.CreateAsync(TestCluster.User("dave"));
        }
        else
        {
            await cluster.WaitForWatchesAsync();
            cluster.Server.Faults.FailNext(int.MaxValue, 503, verb: "watch", resource: "redisaclusers");
            await cluster.DropWatchesAsync(abort: true);
            bob = await cluster.SetRulesAsync("bob", "default", "+@all");
            await cluster.DeleteUserAsync("carol");
            dave = await cluster.CreateAsync(TestCluster.User("dave"));
            await Eventually.TrueAsync(() => cluster.Server.Requests.Any(r => r.Verb == "watch" && r.StatusCode == 503), "a resumed watch was refused");
            Assert.Equal(1, informer.ListCount);
            Assert.Empty(handler.Events);
            cluster.Server.CompactHistory();
            cluster.Server.Faults.Reset();
        }

        await Eventually.TrueAsync(() => informer.ListCount == 2 && informer.Cache.Get("default", "dave") is not null
            && informer.Cache.Get("default", "carol") is null && informer.Cache.Get("default", "bob")?.Metadata.ResourceVersion == bob.Metadata.ResourceVersion,
            "the relist brought the cache up to date");
        var relist = (await cluster.RequestsAsync(r => r.Verb == "list" && r.Resource == "redisaclusers", listsBefore + 1)).Skip(listsBefore).First();
        Assert.DoesNotContain("resourceVersion=", relist.Query, StringComparison.Ordinal);
        Assert.Equal(
            (await cluster.ListUsersAsync()).Select(u => (u.Metadata.Name, u.Metadata.ResourceVersion)).Order(),
            informer.Cache.List().Select(u => (u.Metadata.Name, u.Metadata.ResourceVersion)).Order());
        // alice did not change: no notification for her. Each change exactly once.
        Assert.Equal(
            new[] { $"add default/dave {dave.Metadata.ResourceVersion}", "delete default/carol", $"update default/bob " }.Order(),
            handler.Events.Select(e => e.StartsWith("update", StringComparison.Ordinal) ? e[..(e.IndexOf(' ', 7) + 1)] : e).Order());
        Assert.EndsWith("->" + bob.Metadata.ResourceVersion, handler.Events.Single(e => e.StartsWith("update", StringComparison.Ordinal)), StringComparison.Ordinal);
        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Bookmarks_move_the_resume_point_past_changes_of_other_kinds()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.CreateAsync(TestCluster.User("alice"));
        var informer = cluster.Informer(Users());
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var run = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync(Ct);
        var listed = long.Parse(informer.LastResourceVersion, System.Globalization.CultureInfo.InvariantCulture);
        for (var i = 0; i < 5; i++)
        {
            await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "cm" + i } }, "default", cancellationToken: Ct);
        }
        var head = cluster.Server.ResourceVersion;
        Assert.True(head > listed);
        await Eventually.TrueAsync(() => long.Parse(informer.LastResourceVersion, System.Globalization.CultureInfo.InvariantCulture) >= head,
            "a bookmark carried the resourceVersion forward");
        var bookmarked = informer.LastResourceVersion;
        var watches = await EndWatchesAsync(cluster, 2);
        Assert.Contains("resourceVersion=" + listed + "&", watches[0].Query + "&", StringComparison.Ordinal);
        Assert.Contains("allowWatchBookmarks=true", watches[1].Query, StringComparison.Ordinal);
        Assert.Contains("resourceVersion=" + bookmarked + "&", watches[1].Query + "&", StringComparison.Ordinal);
        Assert.Equal(1, informer.ListCount);
        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Secrets_are_cached_as_metadata_only_without_data_managed_fields_or_last_applied_configuration()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta
            {
                Name = "alice-pw",
                Annotations = new Dictionary<string, string>
                {
                    [CacheTransforms.LastAppliedAnnotation] = """{"stringData":{"password":"hunter2-hunter2"}}""",
                    ["team"] = "a",
                },
            },
            StringData = new Dictionary<string, string> { ["password"] = "hunter2-hunter2" },
        }, "default", cancellationToken: Ct);
        var informer = cluster.Informer(new InformerOptions<PartialObjectMetadata>
        {
            Resource = ApiResource.Secrets,
            MetadataOnly = true,
            Transform = CacheTransforms.StripSecretMetadata,
        });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var run = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync(Ct);
        var cached = informer.Cache.Get("default", "alice-pw");
        Assert.NotNull(cached);
        Assert.Equal("PartialObjectMetadata", cached.Kind);
        Assert.Null(cached.Metadata.ManagedFields);
        Assert.Equal(new Dictionary<string, string> { ["team"] = "a" }, cached.Metadata.Annotations);
        Assert.DoesNotContain("hunter2", k8s.KubernetesJson.Serialize(informer.Cache.List()), StringComparison.Ordinal);

        // A change (rotation) arrives through the metadata watch as a new resourceVersion.
        var rotated = await cluster.Client.CoreV1.PatchNamespacedSecretAsync(
            new V1Patch("""{"stringData":{"password":"correct-horse-battery"}}""", V1Patch.PatchType.MergePatch), "alice-pw", "default", cancellationToken: Ct);
        await Eventually.TrueAsync(() => informer.Cache.Get("default", "alice-pw")?.Metadata.ResourceVersion == rotated.Metadata.ResourceVersion, "the rotation is seen");
        Assert.DoesNotContain("correct-horse", k8s.KubernetesJson.Serialize(informer.Cache.List()), StringComparison.Ordinal);
        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task A_namespace_list_watches_only_those_namespaces_with_one_watch_each()
    {
        await using var cluster = await TestCluster.StartAsync();
        await cluster.CreateAsync(TestCluster.User("a1", "team-a"));
        await cluster.CreateAsync(TestCluster.User("b1", "team-b"));
        await cluster.CreateAsync(TestCluster.User("c1", "team-c"));
        var informer = cluster.Informer(Users("team-a", "team-b"));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var run = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync(Ct);
        Assert.Equal(["team-a/a1", "team-b/b1"], informer.Cache.Keys().Select(k => k.ToString()).Order());
        await cluster.CreateAsync(TestCluster.User("c2", "team-c"));
        await cluster.CreateAsync(TestCluster.User("b2", "team-b"));
        await Eventually.TrueAsync(() => informer.Cache.Get("team-b", "b2") is not null, "b2 is cached");
        Assert.Null(informer.Cache.Get("team-c", "c2"));
        Assert.Equal(["team-a", "team-b"], (await cluster.RequestsAsync(r => r.Verb == "list" && r.Resource == "redisaclusers", 2)).Select(r => r.Namespace).Order());

        // A relist of one namespace leaves the other's cache alone.
        cluster.Server.CompactHistory();
        await cluster.DropWatchesAsync(abort: true, expectedOpen: 2);
        await cluster.DeleteUserAsync("a1", "team-a");
        await Eventually.TrueAsync(() => informer.Cache.Get("team-a", "a1") is null, "the deletion is seen after the relist");
        Assert.NotNull(informer.Cache.Get("team-b", "b1"));
        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task A_label_selector_limits_the_cache_and_objects_leaving_it_are_deleted()
    {
        await using var cluster = await TestCluster.StartAsync();
        var labelled = TestCluster.User("alice");
        labelled.Metadata.Labels = new Dictionary<string, string> { ["shard"] = "1" };
        await cluster.CreateAsync(labelled);
        await cluster.CreateAsync(TestCluster.User("bob"));
        var informer = cluster.Informer(new InformerOptions<RedisAclUser> { Resource = ApiResource.For<RedisAclUser>(), LabelSelector = "shard=1" });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var run = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync(Ct);
        Assert.Equal(["default/alice"], informer.Cache.Keys().Select(k => k.ToString()));
        await cluster.Resources.PatchAsync<RedisAclUser>(ApiResource.For<RedisAclUser>(), "default", "alice", """{"metadata":{"labels":{"shard":"2"}}}""",
            "application/merge-patch+json", null, Ct);
        await Eventually.TrueAsync(() => informer.Cache.Count == 0, "alice left the selection");
        await stop.CancelAsync();
        await run;
    }
}
