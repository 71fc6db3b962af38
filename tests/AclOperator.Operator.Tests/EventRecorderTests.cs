using AclOperator.Operator.Runtime;
using AclOperator.Operator.Tests.Support;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AclOperator.Operator.Tests;

/// <summary>EventRecorder: core/v1 Events, identical repeats aggregated into one Event's count (client-go tools/record events_cache.go, eventObserve).</summary>
public sealed class EventRecorderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_same_event_twice_is_one_Event_with_count_two_and_a_different_message_is_another()
    {
        await using var cluster = await TestCluster.StartAsync();
        var alice = await cluster.CreateAsync(TestCluster.User("alice"));
        using var recorder = new EventRecorder(cluster.Client, Options.Create(new EventRecorderOptions { Component = "aclop-operator", Instance = "pod-0" }),
            NullLogger<EventRecorder>.Instance);

        await recorder.RecordAsync(alice, EventTypes.Warning, "InvalidRules", "ERR Error in ACL SETUSER modifier '+nosuch': Unknown command", Ct);
        await recorder.RecordAsync(alice, EventTypes.Warning, "InvalidRules", "ERR Error in ACL SETUSER modifier '+nosuch': Unknown command", Ct);
        await recorder.RecordAsync(alice, EventTypes.Normal, "Enforced", "enforced by 1/1 replicas", Ct);

        var events = (await cluster.Client.CoreV1.ListNamespacedEventAsync("default", cancellationToken: Ct)).Items;
        Assert.Equal(2, events.Count);
        var invalid = events.Single(e => e.Reason == "InvalidRules");
        Assert.Equal(2, invalid.Count);
        Assert.Equal(EventTypes.Warning, invalid.Type);
        Assert.Equal("RedisAclUser", invalid.InvolvedObject.Kind);
        Assert.Equal("aclop.dev/v1alpha1", invalid.InvolvedObject.ApiVersion);
        Assert.Equal(alice.Metadata.Uid, invalid.InvolvedObject.Uid);
        Assert.Equal("alice", invalid.InvolvedObject.Name);
        Assert.Equal("aclop-operator", invalid.Source.Component);
        Assert.Equal("pod-0", invalid.ReportingInstance);
        Assert.StartsWith("alice.", invalid.Metadata.Name, StringComparison.Ordinal);
        Assert.True(invalid.LastTimestamp >= invalid.FirstTimestamp);
        Assert.Equal(1, events.Single(e => e.Reason == "Enforced").Count);
        Assert.Single(await cluster.RequestsAsync(r => r.Verb == "patch" && r.Resource == "events", 1));
    }

    [Fact]
    public async Task A_repeat_of_a_deleted_Event_records_it_again_with_the_running_count()
    {
        await using var cluster = await TestCluster.StartAsync();
        var alice = await cluster.CreateAsync(TestCluster.User("alice"));
        using var recorder = new EventRecorder(cluster.Client, Options.Create(new EventRecorderOptions()), NullLogger<EventRecorder>.Instance);
        await recorder.RecordAsync(alice, EventTypes.Normal, "Synced", "ok", Ct);
        var first = (await cluster.Client.CoreV1.ListNamespacedEventAsync("default", cancellationToken: Ct)).Items.Single();
        await cluster.Client.CoreV1.DeleteNamespacedEventAsync(first.Metadata.Name, "default", cancellationToken: Ct);
        await recorder.RecordAsync(alice, EventTypes.Normal, "Synced", "ok", Ct);
        var again = (await cluster.Client.CoreV1.ListNamespacedEventAsync("default", cancellationToken: Ct)).Items.Single();
        Assert.Equal(2, again.Count);
    }

    [Fact]
    public async Task API_failures_are_not_thrown_to_the_caller()
    {
        await using var cluster = await TestCluster.StartAsync();
        var alice = await cluster.CreateAsync(TestCluster.User("alice"));
        using var recorder = new EventRecorder(cluster.Client, Options.Create(new EventRecorderOptions()), NullLogger<EventRecorder>.Instance);
        cluster.Server.Faults.FailNext(1, 500, verb: "create", resource: "events");
        await recorder.RecordAsync(alice, EventTypes.Normal, "Synced", "ok", Ct);
        Assert.Empty((await cluster.Client.CoreV1.ListNamespacedEventAsync("default", cancellationToken: Ct)).Items);
        await recorder.RecordAsync(alice, EventTypes.Normal, "Synced", "ok", Ct);
        Assert.Equal(1, (await cluster.Client.CoreV1.ListNamespacedEventAsync("default", cancellationToken: Ct)).Items.Single().Count);
    }
}
