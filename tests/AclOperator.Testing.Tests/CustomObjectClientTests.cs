using System.Text.Json.Serialization;
using AclOperator.Testing.Tests.Support;
using k8s;
using k8s.Models;

namespace AclOperator.Testing.Tests;

/// <summary>Custom resources through KubernetesClient's GenericClient with a typed model, as the operator uses its CR types.</summary>
public sealed class CustomObjectClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public sealed class Widget : IKubernetesObject<V1ObjectMeta>, ISpec<WidgetSpec>, IStatus<WidgetStatus>
    {
        [JsonPropertyName("apiVersion")]
        public string ApiVersion { get; set; } = "example.com/v1";

        [JsonPropertyName("kind")]
        public string Kind { get; set; } = "Widget";

        [JsonPropertyName("metadata")]
        public V1ObjectMeta Metadata { get; set; } = new();

        [JsonPropertyName("spec")]
        public WidgetSpec Spec { get; set; } = new();

        [JsonPropertyName("status")]
        public WidgetStatus Status { get; set; } = null!;
    }

    public sealed class WidgetSpec
    {
        [JsonPropertyName("size")]
        public int Size { get; set; }

        [JsonPropertyName("color")]
        public string? Color { get; set; }
    }

    public sealed class WidgetStatus
    {
        [JsonPropertyName("observedGeneration")]
        public long? ObservedGeneration { get; set; }

        [JsonPropertyName("conditions")]
        public IList<V1Condition>? Conditions { get; set; }
    }

    public sealed class WidgetList : IKubernetesObject<V1ListMeta>, IItems<Widget>
    {
        [JsonPropertyName("apiVersion")]
        public string ApiVersion { get; set; } = "example.com/v1";

        [JsonPropertyName("kind")]
        public string Kind { get; set; } = "WidgetList";

        [JsonPropertyName("metadata")]
        public V1ListMeta Metadata { get; set; } = new();

        [JsonPropertyName("items")]
        public IList<Widget> Items { get; set; } = [];
    }

    [Fact]
    public async Task GenericClient_creates_lists_replaces_status_and_deletes_typed_custom_resources()
    {
        var (server, raw) = await Crd.StartWithWidgetsAsync();
        await using var _ = server;
        using var __ = raw;
        using var client = server.CreateClient();
        using var widgets = new GenericClient(client, "example.com", "v1", "widgets", disposeClient: false);
        var created = await widgets.CreateNamespacedAsync(new Widget { Metadata = new V1ObjectMeta { Name = "w1" }, Spec = new WidgetSpec { Size = 2 } }, "default", Ct);
        Assert.Equal("red", created.Spec.Color); // defaulted by the schema
        Assert.Equal(1, created.Metadata.Generation);

        var list = await widgets.ListNamespacedAsync<WidgetList>("default", cancel: Ct);
        Assert.Equal(["w1"], list.Items.Select(w => w.Metadata.Name).ToArray());

        created.Status = new WidgetStatus
        {
            ObservedGeneration = 1,
            Conditions = [new V1Condition { Type = "Ready", Status = "True", Reason = "Reconciled", Message = "ok", LastTransitionTime = DateTime.UtcNow, ObservedGeneration = 1 }],
        };
        var status = await client.CustomObjects.ReplaceNamespacedCustomObjectStatusAsync<Widget>(created, "example.com", "v1", "default", "widgets", "w1", cancellationToken: Ct);
        Assert.Equal("True", status.Status.Conditions![0].Status);
        Assert.Equal(1, status.Metadata.Generation);

        var read = await widgets.ReadNamespacedAsync<Widget>("default", "w1", Ct);
        Assert.Equal(status.Metadata.ResourceVersion, read.Metadata.ResourceVersion);
        var deleted = await widgets.DeleteNamespacedAsync<V1Status>("default", "w1", Ct);
        Assert.Equal("Success", deleted.Status);
    }
}
