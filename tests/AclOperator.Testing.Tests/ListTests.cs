using AclOperator.Testing.FakeKube;
using AclOperator.Testing.Tests.Support;
using k8s;
using k8s.Models;

namespace AclOperator.Testing.Tests;

/// <summary>
/// List semantics: label selectors (k8s.io/apimachinery/pkg/labels), the field selectors each kind supports,
/// and chunking with limit/continue at a consistent snapshot (API concepts: "Retrieving large results sets in chunks").
/// </summary>
public sealed class ListTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task Seed(Kubernetes client)
    {
        var items = new (string Name, string? Tier, string? Env)[]
        {
            ("a", "web", "prod"), ("b", "web", "dev"), ("c", "db", "prod"), ("d", null, "dev"), ("e", "cache", null),
        };
        foreach (var (name, tier, env) in items)
        {
            var labels = new Dictionary<string, string>();
            if (tier is not null)
            {
                labels["tier"] = tier;
            }
            if (env is not null)
            {
                labels["env"] = env;
            }
            await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = name, Labels = labels } }, "default", cancellationToken: Ct);
        }
    }

    [Theory]
    [InlineData("tier=web", "a,b")]
    [InlineData("tier==web,env=prod", "a")]
    [InlineData("tier!=web", "c,d,e")]
    [InlineData("tier in (web,db)", "a,b,c")]
    [InlineData("tier notin (web,db)", "d,e")]
    [InlineData("env", "a,b,c,d")]
    [InlineData("!env", "e")]
    [InlineData("tier,!env", "e")]
    public async Task Label_selectors(string selector, string expected)
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var client = server.CreateClient();
        await Seed(client);
        var list = await client.CoreV1.ListNamespacedConfigMapAsync("default", labelSelector: selector, cancellationToken: Ct);
        Assert.Equal(expected, string.Join(",", list.Items.Select(i => i.Metadata.Name)));
    }

    [Fact]
    public async Task Field_selectors_on_name_and_namespace_and_unsupported_fields_are_400()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var client = server.CreateClient();
        using var raw = new RawApi(server);
        await Seed(client);
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "a" } }, "kube-system", cancellationToken: Ct);
        var byName = await client.CoreV1.ListConfigMapForAllNamespacesAsync(fieldSelector: "metadata.name=a", cancellationToken: Ct);
        Assert.Equal(["default/a", "kube-system/a"], byName.Items.Select(i => i.Metadata.NamespaceProperty + "/" + i.Metadata.Name).ToArray());
        var notDefault = await client.CoreV1.ListConfigMapForAllNamespacesAsync(fieldSelector: "metadata.namespace!=default", cancellationToken: Ct);
        Assert.Equal(["kube-system/a"], notDefault.Items.Select(i => i.Metadata.NamespaceProperty + "/" + i.Metadata.Name).ToArray());
        var bad = await raw.GetAsync(Samples.ConfigMapsPath + "?fieldSelector=data.a%3D1");
        Assert.Equal(400, bad.Status);
        Assert.Equal("field label not supported: data.a", bad.Str("message"));
        var secretType = await raw.GetAsync("/api/v1/namespaces/default/secrets?fieldSelector=type%3DOpaque");
        Assert.Equal(200, secretType.Status);
    }

    [Fact]
    public async Task Limit_and_continue_page_through_a_consistent_snapshot()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var client = server.CreateClient();
        await Seed(client);
        var first = await client.CoreV1.ListNamespacedConfigMapAsync("default", limit: 2, cancellationToken: Ct);
        Assert.Equal(["a", "b"], first.Items.Select(i => i.Metadata.Name).ToArray());
        Assert.Equal(3, first.Metadata.RemainingItemCount);
        Assert.NotNull(first.Metadata.ContinueProperty);

        // Changes after the first page are invisible to the rest of the list: it is served at the first page's revision.
        await client.CoreV1.DeleteNamespacedConfigMapAsync("c", "default", cancellationToken: Ct);
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "bb" } }, "default", cancellationToken: Ct);

        var second = await client.CoreV1.ListNamespacedConfigMapAsync("default", limit: 2, continueParameter: first.Metadata.ContinueProperty, cancellationToken: Ct);
        Assert.Equal(["c", "d"], second.Items.Select(i => i.Metadata.Name).ToArray());
        Assert.Equal(first.Metadata.ResourceVersion, second.Metadata.ResourceVersion);
        var third = await client.CoreV1.ListNamespacedConfigMapAsync("default", limit: 2, continueParameter: second.Metadata.ContinueProperty, cancellationToken: Ct);
        Assert.Equal(["e"], third.Items.Select(i => i.Metadata.Name).ToArray());
        Assert.Null(third.Metadata.ContinueProperty);
        Assert.Null(third.Metadata.RemainingItemCount);
    }

    [Fact]
    public async Task Continue_token_older_than_the_history_is_410_Expired()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var client = server.CreateClient();
        using var raw = new RawApi(server);
        await Seed(client);
        var first = await client.CoreV1.ListNamespacedConfigMapAsync("default", limit: 2, cancellationToken: Ct);
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "z" } }, "default", cancellationToken: Ct);
        server.CompactHistory();
        var r = await raw.GetAsync(Samples.ConfigMapsPath + "?limit=2&continue=" + Uri.EscapeDataString(first.Metadata.ContinueProperty));
        Assert.Equal(410, r.Status);
        Assert.Equal("Expired", r.Str("reason"));
        Assert.StartsWith("The provided continue parameter is too old to display a consistent list result.", r.Str("message"), StringComparison.Ordinal);
        var garbage = await raw.GetAsync(Samples.ConfigMapsPath + "?continue=not-a-token");
        Assert.Equal(400, garbage.Status);
    }

    [Fact]
    public async Task Label_selected_pages_have_no_remaining_count()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var client = server.CreateClient();
        await Seed(client);
        var page = await client.CoreV1.ListNamespacedConfigMapAsync("default", labelSelector: "env", limit: 1, cancellationToken: Ct);
        Assert.Single(page.Items);
        Assert.NotNull(page.Metadata.ContinueProperty);
        Assert.Null(page.Metadata.RemainingItemCount);
    }

    [Fact]
    public async Task Exact_resourceVersion_list_reads_the_past()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var client = server.CreateClient();
        await Seed(client);
        var rv = (await client.CoreV1.ListNamespacedConfigMapAsync("default", cancellationToken: Ct)).Metadata.ResourceVersion;
        await client.CoreV1.DeleteNamespacedConfigMapAsync("a", "default", cancellationToken: Ct);
        var past = await client.CoreV1.ListNamespacedConfigMapAsync("default", resourceVersion: rv, resourceVersionMatch: "Exact", cancellationToken: Ct);
        Assert.Equal(5, past.Items.Count);
        Assert.Equal(rv, past.Metadata.ResourceVersion);
    }

    [Fact]
    public async Task Malformed_label_selector_is_400()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: Ct);
        using var raw = new RawApi(server);
        var r = await raw.GetAsync(Samples.ConfigMapsPath + "?labelSelector=" + Uri.EscapeDataString("tier in (web"));
        Assert.Equal(400, r.Status);
        Assert.Equal("BadRequest", r.Str("reason"));
    }
}
