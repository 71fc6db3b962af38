using AclOperator.Api.V1Alpha1;
using AclOperator.Operator.Runtime;
using AclOperator.Operator.Tests.Support;
using k8s;
using k8s.Models;

namespace AclOperator.Operator.Tests;

/// <summary>
/// Controller&lt;T&gt; against the fake API server: level-based reconciles on create/update/delete, no lost or
/// duplicated work across dropped watches and 410 relists, owned objects enqueue their owner, errors back off and retry,
/// RequeueAfter, one worker per key, finalizers, and mapped sources (metadata-only Secrets to the users referencing them).
/// Exact call counts are asserted after a barrier: once the expected calls were seen, a marker object created last is
/// reconciled after everything queued before it (one worker, FIFO queue).
/// </summary>
public sealed class ControllerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task BarrierAsync(TestCluster cluster, RecordingReconciler<RedisAclUser> reconciler, string name)
    {
        await cluster.CreateAsync(TestCluster.User(name));
        await Eventually.TrueAsync(() => reconciler.Count($"reconcile default/{name} ") == 1, $"the marker {name} was reconciled");
    }

    [Fact]
    public async Task Reconciles_on_create_and_update_and_calls_DeletedAsync_on_delete()
    {
        await using var cluster = await TestCluster.StartAsync();
        await using var harness = new ControllerHarness<RedisAclUser>(cluster);
        await harness.StartAsync();
        var r = harness.Reconciler;

        var created = await cluster.CreateAsync(TestCluster.User("alice"));
        await Eventually.TrueAsync(() => r.Calls.Count == 1, "the create was reconciled");
        var updated = await cluster.SetRulesAsync("alice", "default", "+@all");
        await Eventually.TrueAsync(() => r.Calls.Count == 2, "the update was reconciled");
        await cluster.DeleteUserAsync("alice");
        await Eventually.TrueAsync(() => r.Calls.Count == 3, "the delete was handled");
        await BarrierAsync(cluster, r, "zz-marker");

        Assert.Equal(
        [
            $"reconcile default/alice {created.Metadata.ResourceVersion}",
            $"reconcile default/alice {updated.Metadata.ResourceVersion}",
            "deleted default/alice",
        ], r.Calls.Take(3));
        Assert.Equal(4, r.Calls.Count);
        Assert.Equal(4, harness.Metrics.ReconcileTotal.WithLabels("test", "success").Value);
        Assert.Equal(0, harness.Metrics.ReconcileErrors.WithLabels("test").Value);
    }

    [Fact]
    public async Task Objects_existing_at_start_are_reconciled_once_each()
    {
        await using var cluster = await TestCluster.StartAsync();
        foreach (var name in new[] { "a", "b", "c" })
        {
            await cluster.CreateAsync(TestCluster.User(name));
        }
        await using var harness = new ControllerHarness<RedisAclUser>(cluster);
        await harness.StartAsync();
        await BarrierAsync(cluster, harness.Reconciler, "zz-marker");
        Assert.Equal(["a", "b", "c", "zz-marker"], harness.Reconciler.Calls.Select(c => c.Split(' ')[1]["default/".Length..]).Order());
    }

    [Theory]
    [InlineData("drop")]
    [InlineData("expire")]
    [InlineData("compact")]
    public async Task Watch_loss_and_410_relist_neither_lose_nor_duplicate_work(string fault)
    {
        await using var cluster = await TestCluster.StartAsync();
        foreach (var name in new[] { "a", "b", "c" })
        {
            await cluster.CreateAsync(TestCluster.User(name));
        }
        await using var harness = new ControllerHarness<RedisAclUser>(cluster);
        await harness.StartAsync();
        var r = harness.Reconciler;
        await Eventually.TrueAsync(() => r.Calls.Count == 3, "the initial objects were reconciled");

        // The watch goes down; for "drop" and "compact" it stays down while b changes, c is deleted and d is
        // created (and for "compact" the history it would resume from is lost). For "expire" the resumed watch gets a
        // 410 ERROR event, and the changes race the relist.
        await cluster.WaitForWatchesAsync();
        if (fault == "expire")
        {
            cluster.Server.Faults.ExpireNextWatches();
        }
        else
        {
            cluster.Server.Faults.FailNext(int.MaxValue, 503, verb: "watch", resource: "redisaclusers");
        }
        await cluster.DropWatchesAsync(abort: true);
        var b2 = await cluster.SetRulesAsync("b", "default", "+@all");
        await cluster.DeleteUserAsync("c");
        var d = await cluster.CreateAsync(TestCluster.User("d"));
        if (fault != "expire")
        {
            await Eventually.TrueAsync(() => cluster.Server.Requests.Any(q => q.Verb == "watch" && q.StatusCode == 503), "a resumed watch was refused");
            if (fault == "compact")
            {
                cluster.Server.CompactHistory();
            }
            cluster.Server.Faults.Reset();
        }
        // Each change is reconciled; then the marker shows nothing else was queued (a relist notifies adds and
        // updates before deletes, so the marker goes last only after the deletion was seen).
        await Eventually.TrueAsync(() => r.Count("deleted default/c") >= 1 && r.Count("reconcile default/d ") >= 1
            && r.Count("reconcile default/b " + b2.Metadata.ResourceVersion) >= 1, "every change was reconciled");
        await BarrierAsync(cluster, r, "zz-marker");

        Assert.Equal(fault == "drop" ? 1 : 2, harness.Informer.ListCount);
        Assert.Equal(1, r.Count("reconcile default/a "));
        Assert.Equal(["reconcile default/b " + b2.Metadata.ResourceVersion], r.Calls.Where(c => c.StartsWith("reconcile default/b ", StringComparison.Ordinal)).Skip(1));
        Assert.Equal(1, r.Count("deleted default/c"));
        Assert.Equal(["reconcile default/d " + d.Metadata.ResourceVersion], r.Calls.Where(c => c.StartsWith("reconcile default/d ", StringComparison.Ordinal)));
        Assert.Equal(3 + 3 + 1, r.Calls.Count);
        Assert.Equal(
            (await cluster.ListUsersAsync()).Select(u => (u.Metadata.Name, u.Metadata.ResourceVersion)).Order(),
            harness.Informer.Cache.List().Select(u => (u.Metadata.Name, u.Metadata.ResourceVersion)).Order());
    }

    [Fact]
    public async Task A_change_to_an_owned_ConfigMap_reconciles_its_owner()
    {
        await using var cluster = await TestCluster.StartAsync();
        await using var harness = new ControllerHarness<RedisAclServer>(cluster, "server");
        var configMaps = harness.Add(new InformerOptions<V1ConfigMap>
        {
            Resource = ApiResource.ConfigMaps,
            LabelSelector = "app.kubernetes.io/managed-by=aclop-operator",
        });
        harness.Controller.Owns(configMaps);
        await harness.StartAsync();
        var r = harness.Reconciler;
        var owner = await cluster.CreateAsync(new RedisAclServer { Metadata = new V1ObjectMeta { Name = "main", NamespaceProperty = "default" } });
        await Eventually.TrueAsync(() => r.Calls.Count == 1, "the server was reconciled");

        var cm = new V1ConfigMap
        {
            Metadata = new V1ObjectMeta
            {
                Name = "main-acl",
                Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "aclop-operator" },
                OwnerReferences = [KubernetesObjects.ControllerReference(owner)],
            },
            Data = new Dictionary<string, string> { ["revision"] = "1" },
        };
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(cm, "default", cancellationToken: Ct);
        await Eventually.TrueAsync(() => r.Calls.Count == 2, "creating the owned ConfigMap reconciled the owner");
        await cluster.Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"revision":"2"}}""", V1Patch.PatchType.MergePatch), "main-acl", "default", cancellationToken: Ct);
        await Eventually.TrueAsync(() => r.Calls.Count == 3, "changing the owned ConfigMap reconciled the owner");
        await cluster.Client.CoreV1.DeleteNamespacedConfigMapAsync("main-acl", "default", cancellationToken: Ct);
        await Eventually.TrueAsync(() => r.Calls.Count == 4, "deleting the owned ConfigMap reconciled the owner");
        Assert.All(r.Calls, c => Assert.StartsWith("reconcile default/main ", c, StringComparison.Ordinal));

        // Not labelled as ours, or not controlled by a RedisAclServer: no reconcile.
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = "foreign", OwnerReferences = [KubernetesObjects.ControllerReference(owner)] },
        }, "default", cancellationToken: Ct);
        // (The other owner exists, or the garbage collector would delete the dependent.)
        var holder = await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "main" } },
            "default", cancellationToken: Ct);
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = "other-owner", Labels = cm.Metadata.Labels, OwnerReferences =
                [new V1OwnerReference { ApiVersion = "v1", Kind = "ConfigMap", Name = "main", Uid = holder.Metadata.Uid, Controller = true }] },
        }, "default", cancellationToken: Ct);
        await Eventually.TrueAsync(() => configMaps.Cache.Get("default", "other-owner") is not null, "the labelled ConfigMap was seen");
        await cluster.CreateAsync(new RedisAclServer { Metadata = new V1ObjectMeta { Name = "zz-marker", NamespaceProperty = "default" } });
        await Eventually.TrueAsync(() => r.Count("reconcile default/zz-marker ") == 1, "the marker was reconciled");
        Assert.Equal(5, r.Calls.Count);
    }

    [Fact]
    public async Task Failures_back_off_and_retry_until_success_and_are_counted()
    {
        await using var cluster = await TestCluster.StartAsync();
        await using var harness = new ControllerHarness<RedisAclUser>(cluster);
        harness.Reconciler.FailNext(3);
        await harness.StartAsync();
        await cluster.CreateAsync(TestCluster.User("alice"));
        await Eventually.TrueAsync(() => harness.Metrics.ReconcileTotal.WithLabels("test", "success").Value == 1, "the fourth attempt succeeded");
        Assert.Equal(4, harness.Reconciler.Count("reconcile default/alice "));
        Assert.Equal(3, harness.Metrics.ReconcileErrors.WithLabels("test").Value);
        Assert.Equal(3, harness.Metrics.ReconcileTotal.WithLabels("test", "error").Value);
        Assert.Equal(3, harness.Metrics.QueueRetries.WithLabels("test").Value);
        // Success forgets the failures: the next retry would start from the base delay again.
        Assert.Equal(0, harness.Controller.Queue.NumRequeues(new ObjectKey("default", "alice")));
    }

    [Fact]
    public async Task RequeueAfter_reconciles_again_after_the_delay()
    {
        await using var cluster = await TestCluster.StartAsync();
        await using var harness = new ControllerHarness<RedisAclUser>(cluster);
        var calls = 0;
        harness.Reconciler.Result = _ => Interlocked.Increment(ref calls) == 1 ? ReconcileResult.After(TimeSpan.FromMilliseconds(100)) : ReconcileResult.Done;
        await harness.StartAsync();
        await cluster.CreateAsync(TestCluster.User("alice"));
        await Eventually.TrueAsync(() => harness.Reconciler.Calls.Count == 2, "the requeued reconcile ran");
        Assert.Equal(1, harness.Metrics.ReconcileTotal.WithLabels("test", "requeue_after").Value);
        Assert.Equal(1, harness.Metrics.ReconcileTotal.WithLabels("test", "success").Value);
    }

    [Fact]
    public async Task One_key_is_never_reconciled_by_two_workers_at_once()
    {
        await using var cluster = await TestCluster.StartAsync();
        await using var harness = new ControllerHarness<RedisAclUser>(cluster, options: new ControllerOptions { MaxConcurrentReconciles = 4 });
        harness.Reconciler.WorkTime = TimeSpan.FromMilliseconds(30);
        await harness.StartAsync();
        for (var i = 0; i < 4; i++)
        {
            await cluster.CreateAsync(TestCluster.User("u" + i));
        }
        string last = "";
        for (var i = 0; i < 10; i++)
        {
            last = (await cluster.SetRulesAsync("u0", "default", "+get", "~k" + i)).Metadata.ResourceVersion;
        }
        await Eventually.TrueAsync(() => harness.Reconciler.Calls.Contains("reconcile default/u0 " + last), "the last state of u0 was reconciled");
        Assert.Equal(1, harness.Reconciler.MaxConcurrentPerKey);
        // Updates that arrive while u0 is being reconciled collapse into one later reconcile (level-based); when the
        // create and all ten updates land before a worker takes the key, that is a single reconcile.
        Assert.InRange(harness.Reconciler.Count("reconcile default/u0 "), 1, 11);
    }

    private sealed class RecordingFinalizer : IFinalizer<RedisAcl>
    {
        public List<string> Finalized { get; } = [];

        public string Name => "aclop.dev/in-use";

        public Task FinalizeAsync(RedisAcl entity, CancellationToken cancellationToken)
        {
            lock (Finalized)
            {
                Finalized.Add(entity.Metadata.Name);
            }
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task A_registered_finalizer_is_added_and_runs_before_the_object_goes()
    {
        await using var cluster = await TestCluster.StartAsync();
        await using var harness = new ControllerHarness<RedisAcl>(cluster, "acl");
        var finalizer = new RecordingFinalizer();
        harness.Controller.WithFinalizer(finalizer);
        await harness.StartAsync();
        await cluster.Resources.CreateAsync(ApiResource.For<RedisAcl>(), "default",
            new RedisAcl { Metadata = new V1ObjectMeta { Name = "readers", NamespaceProperty = "default" }, Spec = new RedisAclSpec { Rules = ["+@read"] } }, Ct);
        await Eventually.TrueAsync(async () => (await cluster.Resources.GetAsync<RedisAcl>(ApiResource.For<RedisAcl>(), "default", "readers", Ct))
            .Metadata.Finalizers?.Contains("aclop.dev/in-use") == true, "the finalizer was added");
        await cluster.Client.CustomObjects.DeleteNamespacedCustomObjectAsync(AclopApi.Group, AclopApi.Version, "default", "redisacls", "readers", cancellationToken: Ct);
        await Eventually.TrueAsync(() => harness.Reconciler.Count("deleted default/readers") == 1, "the object went and DeletedAsync ran");
        Assert.Equal(["readers"], finalizer.Finalized);
        Assert.Null(cluster.Server.GetStoredJson(AclopApi.Group, "redisacls", "default", "readers"));
    }

    [Fact]
    public async Task A_Secret_rotation_seen_through_metadata_reconciles_the_users_that_reference_it()
    {
        await using var cluster = await TestCluster.StartAsync();
        await using var harness = new ControllerHarness<RedisAclUser>(cluster, "users");
        harness.Informer.Cache.AddIndex("secret", u => (u.Spec.Passwords ?? []).Select(p => u.Metadata.NamespaceProperty + "/" + p.SecretKeyRef.Name));
        var secrets = harness.Add(new InformerOptions<PartialObjectMetadata> { Resource = ApiResource.Secrets, MetadataOnly = true, Transform = CacheTransforms.StripSecretMetadata });
        harness.Controller.Watches(secrets, s => harness.Informer.Cache.KeysByIndex("secret", s.Metadata.NamespaceProperty + "/" + s.Metadata.Name));
        await cluster.Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "shared-pw" },
            StringData = new Dictionary<string, string> { ["password"] = "one-long-password" },
        }, "default", cancellationToken: Ct);
        await cluster.CreateAsync(TestCluster.User("alice", secrets: ["shared-pw"]));
        await cluster.CreateAsync(TestCluster.User("bob", secrets: ["shared-pw"]));
        await cluster.CreateAsync(TestCluster.User("carol", secrets: ["other-pw"]));
        await harness.StartAsync();
        await Eventually.TrueAsync(() => harness.Reconciler.Calls.Count == 3, "the users were reconciled");

        await cluster.Client.CoreV1.PatchNamespacedSecretAsync(new V1Patch("""{"stringData":{"password":"another-long-password"}}""", V1Patch.PatchType.MergePatch),
            "shared-pw", "default", cancellationToken: Ct);
        await Eventually.TrueAsync(() => harness.Reconciler.Calls.Count == 5, "the rotation reconciled alice and bob");
        await BarrierAsync(cluster, harness.Reconciler, "zz-marker");
        Assert.Equal(2, harness.Reconciler.Count("reconcile default/alice "));
        Assert.Equal(2, harness.Reconciler.Count("reconcile default/bob "));
        Assert.Equal(1, harness.Reconciler.Count("reconcile default/carol "));
    }
}
