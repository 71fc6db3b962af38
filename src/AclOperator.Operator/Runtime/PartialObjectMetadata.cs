using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace AclOperator.Operator.Runtime;

/// <summary>
/// meta.k8s.io/v1 PartialObjectMetadata: an object's metadata without its body, what the API server answers to
/// <c>Accept: application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1</c>. Secrets are watched this way (O3):
/// the operator learns that a Secret changed (its resourceVersion) without holding its data.
/// </summary>
public sealed class PartialObjectMetadata : IKubernetesObject<V1ObjectMeta>
{
    public const string KindName = "PartialObjectMetadata";

    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "meta.k8s.io/v1";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = KindName;

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();
}
