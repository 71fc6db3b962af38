using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace AclOperator.Api.V1Alpha1;

/// <summary>A list of <see cref="RedisAclServer"/>.</summary>
public sealed class RedisAclServerList : IKubernetesObject<V1ListMeta>, IItems<RedisAclServer>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = AclopApi.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = RedisAclServer.KindName + "List";

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public IList<RedisAclServer> Items { get; set; } = [];
}
