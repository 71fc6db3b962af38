using AclOperator.Api.V1Alpha1;
using AclOperator.Operator.Runtime;
using AclOperator.Operator.Tests.Support;
using k8s.Autorest;
using k8s.Models;

namespace AclOperator.Operator.Tests;

/// <summary>
/// StatusWriter and FinalizerClient: 409 Conflict (optimistic concurrency, API conventions "Concurrency Control and
/// Consistency") is answered by reading the object again and reapplying the change (client-go retry.RetryOnConflict).
/// </summary>
public sealed class StatusWriterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static void MarkValid(RedisAclUser u)
    {
        u.Status ??= new RedisAclUserStatus();
        u.Status.ObservedGeneration = u.Metadata.Generation;
        u.Status.Username = u.Metadata.Name;
    }

    [Fact]
    public async Task Injected_conflicts_are_retried_and_the_write_succeeds()
    {
        await using var cluster = await TestCluster.StartAsync();
        var alice = await cluster.CreateAsync(TestCluster.User("alice"));
        cluster.Server.Faults.FailNext(2, 409, verb: "update", resource: "redisaclusers/status");
        var writer = new StatusWriter(cluster.Resources);
        var written = await writer.UpdateStatusAsync(alice, MarkValid, Ct);
        Assert.Equal("alice", written.Status?.Username);
        var writes = await cluster.RequestsAsync(r => r.Resource == "redisaclusers/status", 3);
        Assert.Equal([409, 409, 200], writes.Select(r => r.StatusCode));
        Assert.Equal(2, (await cluster.RequestsAsync(r => r.Verb == "get" && r.Resource == "redisaclusers", 2)).Count);
        Assert.Equal("alice", (await cluster.GetUserAsync("alice")).Status?.Username);
    }

    [Fact]
    public async Task A_stale_copy_is_refreshed_and_the_mutation_applied_to_the_current_object()
    {
        await using var cluster = await TestCluster.StartAsync();
        var stale = await cluster.CreateAsync(TestCluster.User("alice"));
        var current = await cluster.SetRulesAsync("alice", "default", "+@all");
        var writer = new StatusWriter(cluster.Resources);
        var written = await writer.UpdateStatusAsync(stale, MarkValid, Ct);
        // The mutation saw the current generation, not the stale one.
        Assert.Equal(current.Metadata.Generation, written.Status?.ObservedGeneration);
        Assert.NotEqual(stale.Metadata.Generation, current.Metadata.Generation);
        Assert.Equal(["+@all"], (await cluster.GetUserAsync("alice")).Spec.Rules);
        Assert.Equal([409, 200], (await cluster.RequestsAsync(r => r.Resource == "redisaclusers/status", 2)).Select(r => r.StatusCode));
    }

    [Fact]
    public async Task An_unchanged_status_is_not_written()
    {
        await using var cluster = await TestCluster.StartAsync();
        var alice = await cluster.CreateAsync(TestCluster.User("alice"));
        var writer = new StatusWriter(cluster.Resources);
        var once = await writer.UpdateStatusAsync(alice, MarkValid, Ct);
        var twice = await writer.UpdateStatusAsync(once, MarkValid, Ct);
        Assert.Same(once, twice);
        Assert.Single(await cluster.RequestsAsync(r => r.Resource == "redisaclusers/status", 1));
    }

    [Fact]
    public async Task Conflicts_past_the_attempt_limit_are_reported()
    {
        await using var cluster = await TestCluster.StartAsync();
        var alice = await cluster.CreateAsync(TestCluster.User("alice"));
        cluster.Server.Faults.FailNext(10, 409, verb: "update", resource: "redisaclusers/status");
        var writer = new StatusWriter(cluster.Resources) { MaxAttempts = 3 };
        var ex = await Assert.ThrowsAsync<HttpOperationException>(() => writer.UpdateStatusAsync(alice, MarkValid, Ct));
        Assert.True(KubernetesErrors.IsConflict(ex));
        Assert.Equal(3, (await cluster.RequestsAsync(r => r.Resource == "redisaclusers/status", 3)).Count);
    }

    [Fact]
    public async Task Finalizers_are_added_and_removed_with_conflict_retry_keeping_other_finalizers()
    {
        await using var cluster = await TestCluster.StartAsync();
        var resource = ApiResource.For<RedisAcl>();
        var created = await cluster.Resources.CreateAsync(resource, "default",
            new RedisAcl { Metadata = new V1ObjectMeta { Name = "readers", NamespaceProperty = "default" }, Spec = new RedisAclSpec { Rules = ["+@read"] } }, Ct);
        // Someone else adds a finalizer after we read the object: our patch carries the old resourceVersion and gets 409.
        await cluster.Resources.PatchAsync<RedisAcl>(resource, "default", "readers", """{"metadata":{"finalizers":["example.com/other"]}}""",
            "application/merge-patch+json", null, Ct);
        var finalizers = new FinalizerClient(cluster.Resources);
        var added = await finalizers.AddAsync(resource, created, "aclop.dev/in-use", Ct);
        Assert.Equal(["example.com/other", "aclop.dev/in-use"], added.Metadata.Finalizers);
        Assert.Equal([200, 409, 200], (await cluster.RequestsAsync(r => r.Verb == "patch" && r.Name == "readers", 3)).Select(r => r.StatusCode));

        var again = await finalizers.AddAsync(resource, added, "aclop.dev/in-use", Ct);
        Assert.Same(added, again);
        var removed = await finalizers.RemoveAsync(resource, added, "aclop.dev/in-use", Ct);
        Assert.Equal(["example.com/other"], removed.Metadata.Finalizers);
    }
}
