using System.ComponentModel;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using AclOperator.Api.Schema;
using AclOperator.Api.V1Alpha1;
using k8s;
using k8s.Models;

namespace AclOperator.Api.Crds;

/// <summary>
/// Builds the apiextensions.k8s.io/v1 CustomResourceDefinitions of the operator's kinds from the C# types and their
/// schema attributes (what controller-gen does for kubebuilder's Go types). Pure: the same types give the same objects,
/// and <see cref="CrdYamlWriter"/> gives the same bytes, so a test can compare crds/ with a fresh generation.
/// </summary>
public static class CrdGenerator
{
    /// <summary>
    /// SHA-256 (hex) of the generated spec. The operator compares it with the installed CRD's and refuses to run on a
    /// stale schema (O13).
    /// </summary>
    public const string SchemaHashAnnotation = AclopApi.Group + "/schema-hash";

    /// <summary>The kinds, in file order.</summary>
    public static IReadOnlyList<Type> Kinds { get; } = [typeof(RedisAcl), typeof(RedisAclServer), typeof(RedisAclUser)];

    /// <summary>Every CRD, ordered by name.</summary>
    public static IReadOnlyList<V1CustomResourceDefinition> GenerateAll() =>
        Kinds.Select(Generate).OrderBy(c => c.Metadata.Name, StringComparer.Ordinal).ToList();

    /// <summary>The CRD of one kind (a type with <see cref="KubernetesEntityAttribute"/>).</summary>
    public static V1CustomResourceDefinition Generate(Type kind)
    {
        ArgumentNullException.ThrowIfNull(kind);
        var entity = kind.GetCustomAttribute<KubernetesEntityAttribute>()
            ?? throw new ArgumentException($"{kind.Name} has no [KubernetesEntity]", nameof(kind));
        var version = new V1CustomResourceDefinitionVersion
        {
            Name = entity.ApiVersion,
            Served = true,
            Storage = true,
            Schema = new V1CustomResourceValidation { OpenAPIV3Schema = SchemaBuilder.Root(kind) },
            AdditionalPrinterColumns = PrinterColumns(kind),
            Subresources = kind.GetCustomAttribute<StatusSubresourceAttribute>() is null
                ? null
                : new V1CustomResourceSubresources { Status = new Dictionary<string, object>() },
        };
        var spec = new V1CustomResourceDefinitionSpec
        {
            Group = entity.Group,
            Scope = "Namespaced",
            Names = new V1CustomResourceDefinitionNames
            {
                Kind = entity.Kind,
                ListKind = entity.Kind + "List",
                Plural = entity.PluralName,
                Singular = entity.Kind.ToLowerInvariant(),
                ShortNames = kind.GetCustomAttribute<ShortNamesAttribute>()?.ShortNames.ToList(),
                Categories = kind.GetCustomAttribute<CategoriesAttribute>()?.Categories.ToList(),
            },
            Versions = [version],
        };
        return new V1CustomResourceDefinition
        {
            ApiVersion = "apiextensions.k8s.io/v1",
            Kind = "CustomResourceDefinition",
            Metadata = new V1ObjectMeta
            {
                Name = $"{entity.PluralName}.{entity.Group}",
                Annotations = new Dictionary<string, string> { [SchemaHashAnnotation] = SchemaHash(spec) },
            },
            Spec = spec,
        };
    }

    /// <summary>The file name kubebuilder gives a CRD: <c>&lt;group&gt;_&lt;plural&gt;.yaml</c>.</summary>
    public static string FileName(V1CustomResourceDefinition crd)
    {
        ArgumentNullException.ThrowIfNull(crd);
        return $"{crd.Spec.Group}_{crd.Spec.Names.Plural}.yaml";
    }

    /// <summary>Every CRD as the files <c>aclctl crds</c> writes: file name → content.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> GenerateFiles() =>
        GenerateAll().Select(c => KeyValuePair.Create(FileName(c), CrdYamlWriter.Write(c))).ToList();

    /// <summary>SHA-256 hex of the spec's canonical JSON (keys sorted, as the YAML is written).</summary>
    public static string SchemaHash(V1CustomResourceDefinitionSpec spec)
    {
        var canonical = CrdYamlWriter.CanonicalJson(KubernetesJson.Serialize(spec));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    private static List<V1CustomResourceColumnDefinition>? PrinterColumns(Type kind)
    {
        var columns = kind.GetCustomAttributes<PrinterColumnAttribute>().Select(c => new V1CustomResourceColumnDefinition
        {
            Name = c.Name,
            Type = c.Type,
            JsonPath = c.JsonPath,
            Description = c.Description,
            Priority = c.Priority == 0 ? null : c.Priority,
        }).ToList();
        return columns.Count == 0 ? null : columns;
    }

    /// <summary>The description of a member or type: its <see cref="DescriptionAttribute"/>.</summary>
    internal static string? Description(MemberInfo member) => member.GetCustomAttribute<DescriptionAttribute>()?.Description;
}
