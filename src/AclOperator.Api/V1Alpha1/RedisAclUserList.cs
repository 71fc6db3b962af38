using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace AclOperator.Api.V1Alpha1;

/// <summary>A list of <see cref="RedisAclUser"/> (list and watch responses).</summary>
public sealed class RedisAclUserList : IKubernetesObject<V1ListMeta>, IItems<RedisAclUser>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = AclopApi.ApiVersion;

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = RedisAclUser.KindName + "List";

    [JsonPropertyName("metadata")]
    public V1ListMeta Metadata { get; set; } = new();

    [JsonPropertyName("items")]
    public IList<RedisAclUser> Items { get; set; } = [];
}
