using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace AclOperator.Operator.Runtime;

/// <summary>A list response of any kind (<c>items</c> and the list's metadata: resourceVersion, continue).</summary>
public sealed class ResourceList<T> : IMetadata<V1ListMeta>, IItems<T>
{
    [JsonPropertyName("apiVersion")]
    public string? ApiVersion { get; set; }

    [JsonPropertyName("kind")]
    public string? Kind { get; set; }

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public IList<T> Items { get; set; } = [];
}
