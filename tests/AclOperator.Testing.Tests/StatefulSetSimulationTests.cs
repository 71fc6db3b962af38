using AclOperator.Testing.FakeKube;
using AclOperator.Testing.Tests.Support;
using k8s;
using k8s.Models;

namespace AclOperator.Testing.Tests;

/// <summary>
/// The opt-in StatefulSet stand-in (FakeKubeOptions.SimulateStatefulSets): ordinal pods owned by the set, Running and
/// Ready, replaced on template changes, removed on scale-down and collected with the set; the set's status follows.
/// </summary>
public sealed class StatefulSetSimulationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static V1StatefulSet Set(int replicas, string image) => new()
    {
        Metadata = new V1ObjectMeta { Name = "acl" },
        Spec = new V1StatefulSetSpec
        {
            Replicas = replicas,
            ServiceName = "acl",
            Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "acl" } },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "acl" } },
                Spec = new V1PodSpec { Containers = [new V1Container { Name = "server", Image = image }] },
            },
        },
    };

    private static async Task<List<V1Pod>> Pods(Kubernetes client) =>
        (await client.CoreV1.ListNamespacedPodAsync("default", labelSelector: "app=acl", cancellationToken: Ct)).Items.ToList();

    [Fact]
    public async Task Pods_follow_the_set_and_the_status_reports_them()
    {
        await using var server = await FakeKubeServer.StartAsync(new FakeKubeOptions { SimulateStatefulSets = true }, Ct);
        using var client = server.CreateClient();
        await client.AppsV1.CreateNamespacedStatefulSetAsync(Set(2, "server:1"), "default", cancellationToken: Ct);
        await Eventually.TrueAsync(async () => (await Pods(client)).Count == 2, "two pods exist");
        var pods = await Pods(client);
        Assert.Equal(["acl-0", "acl-1"], pods.Select(p => p.Metadata.Name).Order(StringComparer.Ordinal).ToArray());
        Assert.All(pods, p =>
        {
            Assert.Equal("Running", p.Status.Phase);
            Assert.Equal("True", p.Status.Conditions.Single(c => c.Type == "Ready").Status);
            Assert.Equal("StatefulSet", p.Metadata.OwnerReferences.Single().Kind);
        });
        await Eventually.TrueAsync(async () =>
            (await client.AppsV1.ReadNamespacedStatefulSetAsync("acl", "default", cancellationToken: Ct)).Status?.ReadyReplicas == 2, "the set reports 2 ready");
        var firstRevision = pods[0].Metadata.Labels["controller-revision-hash"];

        var sts = await client.AppsV1.ReadNamespacedStatefulSetAsync("acl", "default", cancellationToken: Ct);
        sts.Spec.Replicas = 1;
        sts.Spec.Template.Spec.Containers[0].Image = "server:2";
        await client.AppsV1.ReplaceNamespacedStatefulSetAsync(sts, "acl", "default", cancellationToken: Ct);
        await Eventually.TrueAsync(async () =>
        {
            var now = await Pods(client);
            return now.Count == 1 && now[0].Spec.Containers[0].Image == "server:2";
        }, "one pod of the new template");
        Assert.NotEqual(firstRevision, (await Pods(client))[0].Metadata.Labels["controller-revision-hash"]);
        await Eventually.TrueAsync(async () =>
        {
            var s = await client.AppsV1.ReadNamespacedStatefulSetAsync("acl", "default", cancellationToken: Ct);
            return s.Status?.ObservedGeneration == 2 && s.Status.Replicas == 1 && s.Status.CurrentRevision == s.Status.UpdateRevision;
        }, "the status observes generation 2");

        await client.AppsV1.DeleteNamespacedStatefulSetAsync("acl", "default", cancellationToken: Ct);
        await Eventually.TrueAsync(async () => (await Pods(client)).Count == 0, "the pods are garbage collected");
    }

    [Fact]
    public async Task Without_the_option_a_set_gets_no_pods()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var client = server.CreateClient();
        await client.AppsV1.CreateNamespacedStatefulSetAsync(Set(2, "server:1"), "default", cancellationToken: Ct);
        await server.SettleAsync();
        Assert.Empty(await Pods(client));
    }
}
