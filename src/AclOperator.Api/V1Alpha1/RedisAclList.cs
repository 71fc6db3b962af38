using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace AclOperator.Api.V1Alpha1;

/// <summary>A list of <see cref="RedisAcl"/>.</summary>
public sealed class RedisAclList : IKubernetesObject<V1ListMeta>, IItems<RedisAcl>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = AclopApi.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = RedisAcl.KindName + "List";

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public IList<RedisAcl> Items { get; set; } = [];
}
