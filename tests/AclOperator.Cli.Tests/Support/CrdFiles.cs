using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace AclOperator.Cli.Tests.Support;

/// <summary>The committed CRD files (crds/), strictly loaded with KubernetesClient's YAML reader.</summary>
internal static class CrdFiles
{
    public static IReadOnlyList<string> Paths { get; } =
        Directory.GetFiles(Repository.PathOf("crds"), "*.yaml").Order(StringComparer.Ordinal).ToList();

    public static IReadOnlyList<V1CustomResourceDefinition> Load() =>
        Paths.Select(p => KubernetesYaml.Deserialize<V1CustomResourceDefinition>(File.ReadAllText(p), strict: true)).ToList();

    /// <summary>The CRDs as JSON (what a client sends), by kind.</summary>
    public static IReadOnlyDictionary<string, JsonObject> JsonByKind() =>
        Load().ToDictionary(c => c.Spec.Names.Kind, c => JsonNode.Parse(KubernetesJson.Serialize(c))!.AsObject());

    /// <summary>The openAPIV3Schema of each kind.</summary>
    public static JsonObject SchemasByKind()
    {
        var schemas = new JsonObject();
        foreach (var (kind, crd) in JsonByKind())
        {
            schemas[kind] = crd["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!.DeepClone();
        }

        return schemas;
    }
}
