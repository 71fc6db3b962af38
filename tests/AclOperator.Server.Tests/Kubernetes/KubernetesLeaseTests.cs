using System.Net;
using AclOperator.Api.Snapshots;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Xunit;
using static AclOperator.Server.Tests.EndToEnd.E2E;

namespace AclOperator.Server.Tests.Kubernetes;

/// <summary>
/// O5/O12: each pod reports the revision it enforces on its own Lease <c>&lt;server&gt;-&lt;ordinal&gt;</c>, updated by
/// name (GET + replace), changing only holderIdentity, renewTime and the enforced-revision annotation.
/// </summary>
public sealed class KubernetesLeaseTests
{
    private static async Task<V1Lease?> LeaseAsync(KubernetesModeCluster k, string name)
    {
        try
        {
            return await k.Client.CoordinationV1.ReadNamespacedLeaseAsync(name, "default", cancellationToken: Ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private static async Task<bool> EnforcesAsync(KubernetesModeCluster k, string lease, string revision) =>
        await LeaseAsync(k, lease) is { Metadata.Annotations: { } annotations } &&
        annotations.TryGetValue(SnapshotNames.EnforcedRevisionAnnotation, out var enforced) && enforced == revision;

    [Fact]
    public async Task The_pods_Lease_carries_the_enforced_revision_and_keeps_what_the_operator_wrote()
    {
        await using var k = await KubernetesModeCluster.StartAsync();
        await k.PublishAsync(KubernetesModeCluster.User("alice", "on", ">alicepw", "+get"));

        // The operator's Lease for main-1 (its labels, annotations and duration stay as they are).
        await k.Client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease
        {
            Metadata = new V1ObjectMeta
            {
                Name = "main-1",
                Labels = new Dictionary<string, string> { ["aclop.dev/server"] = "main" },
                Annotations = new Dictionary<string, string> { ["example.com/note"] = "kept" },
            },
            Spec = new V1LeaseSpec { LeaseDurationSeconds = 45 },
        }, "default", cancellationToken: Ct);

        await using var pod0 = await k.StartServerAsync("main-0");
        await using var pod1 = await k.StartServerAsync("main-1");
        await WaitUntilAsync(async () => await EnforcesAsync(k, "main-0", "1") && await EnforcesAsync(k, "main-1", "1"));

        // main-0 had none: the pod created it.
        var created = (await LeaseAsync(k, "main-0"))!;
        Assert.Equal("main-0", created.Spec.HolderIdentity);
        Assert.NotNull(created.Spec.RenewTime);
        Assert.Equal(30, created.Spec.LeaseDurationSeconds);

        var renewed = (await LeaseAsync(k, "main-1"))!;
        Assert.Equal("main-1", renewed.Spec.HolderIdentity);
        Assert.NotNull(renewed.Spec.RenewTime);
        Assert.Equal(45, renewed.Spec.LeaseDurationSeconds);
        Assert.Equal("main", renewed.Metadata.Labels["aclop.dev/server"]);
        Assert.Equal(
            new Dictionary<string, string> { ["aclop.dev/enforced-revision"] = "1", ["example.com/note"] = "kept" },
            renewed.Metadata.Annotations);

        await k.PublishAsync(KubernetesModeCluster.User("alice", "on", ">alicepw", "+get", "+set"));
        await WaitUntilAsync(async () => await EnforcesAsync(k, "main-0", "2") && await EnforcesAsync(k, "main-1", "2"));

        // Leases by name only (get and update; create when missing, never a list or watch of them), and no patch of anything.
        Assert.DoesNotContain(k.Api.Requests, r => r.Verb == "patch");
        var leases = k.Api.Requests.Where(r => r.Resource == "leases").ToList();
        Assert.All(leases, r => Assert.Contains(r.Verb, new[] { "get", "update", "create" }));
        Assert.All(leases.Where(r => r.Verb != "create"), r => Assert.Contains(r.Name, new[] { "main-0", "main-1" }));
        Assert.Equal(2, leases.Count(r => r.Verb == "create"));
    }

    [Fact]
    public async Task Denials_of_existing_users_are_reported_on_the_Lease_by_user_and_reason_without_keys()
    {
        await using var k = await KubernetesModeCluster.StartAsync();
        await k.PublishAsync(KubernetesModeCluster.User("alice", "on", ">alicepw", "~app:*", "+get"));
        await using var pod = await k.StartServerAsync("main-0", "--kubernetes-lease-renew-seconds", "1");
        await WaitUntilAsync(async () => await EnforcesAsync(k, "main-0", "1"));
        Assert.False((await LeaseAsync(k, "main-0"))!.Metadata.Annotations.ContainsKey(SnapshotNames.DenialsAnnotation));

        await using var c = await pod.ConnectAsync();
        await c.AssertOk("AUTH", "alice", "alicepw");
        await c.AssertErr(NoPermKey, "GET", "secret-key-name");
        await c.AssertErr("NOPERM User alice has no permissions to run the 'set' command", "SET", "app:1", "x");
        await c.AssertErr(WrongPass, "AUTH", "alice", "wrong");
        await c.AssertErr(WrongPass, "AUTH", "mallory", "x");

        DenialReport? report = null;
        await WaitUntilAsync(async () =>
        {
            var lease = await LeaseAsync(k, "main-0");
            report = DenialReport.Parse(lease?.Metadata.Annotations?.TryGetValue(SnapshotNames.DenialsAnnotation, out var text) == true ? text : null);
            return report?.Users.GetValueOrDefault("alice")?.Total == 3;
        });

        Assert.Equal(new DenialCounts { Auth = 1, Command = 1, Key = 1 }, report!.Users["alice"]);
        Assert.Equal(["alice"], report.Users.Keys);
        Assert.True(DateTimeOffset.TryParse(report.Since, System.Globalization.CultureInfo.InvariantCulture, out _));
        var annotation = (await LeaseAsync(k, "main-0"))!.Metadata.Annotations[SnapshotNames.DenialsAnnotation];
        Assert.DoesNotContain("secret-key-name", annotation, StringComparison.Ordinal);
        Assert.DoesNotContain("mallory", annotation, StringComparison.Ordinal);
    }
}
