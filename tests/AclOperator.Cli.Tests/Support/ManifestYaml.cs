using System.Text.Json.Nodes;
using AclOperator.Api.V1Alpha1;
using k8s;

namespace AclOperator.Cli.Tests.Support;

/// <summary>Strict loading of multi-document YAML with KubernetesClient (built-in kinds and the operator's kinds).</summary>
internal static class ManifestYaml
{
    public static IReadOnlyDictionary<string, Type> TypeMap { get; } = new Dictionary<string, Type>
    {
        [$"{AclopApi.ApiVersion}/{RedisAclServer.KindName}"] = typeof(RedisAclServer),
        [$"{AclopApi.ApiVersion}/{RedisAcl.KindName}"] = typeof(RedisAcl),
        [$"{AclopApi.ApiVersion}/{RedisAclUser.KindName}"] = typeof(RedisAclUser),
    };

    /// <summary>Every document, typed; unknown fields or kinds throw.</summary>
    public static List<object> LoadStrict(string yaml) =>
        KubernetesYaml.LoadAllFromString(yaml, new Dictionary<string, Type>(TypeMap), strict: true);

    /// <summary>Every document of the file as the JSON a client sends.</summary>
    public static List<JsonObject> JsonDocuments(string yaml) =>
        LoadStrict(yaml).Select(o => JsonNode.Parse(KubernetesJson.Serialize(o))!.AsObject()).ToList();
}
