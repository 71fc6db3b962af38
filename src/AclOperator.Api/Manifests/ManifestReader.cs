using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AclOperator.Api.V1Alpha1;
using k8s;
using k8s.Models;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace AclOperator.Api.Manifests;

/// <summary>
/// Reads the custom resources (and Secrets) of one YAML file, multi-document, with the checks <c>kubectl apply</c>
/// and the CRD schema would make (unknown fields, required values, enums, patterns, lengths) and the line of every
/// problem. Pure: the caller reads the file. Documents of other kinds are skipped and listed in
/// <see cref="ManifestReadResult.Ignored"/>.
/// </summary>
public static partial class ManifestReader
{
    public static ManifestReadResult Read(string text, string file)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(file);
        var documents = new List<ManifestDocument>();
        var errors = new List<ManifestError>();
        var ignored = new List<string>();
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            errors.Add(new ManifestError(file, (int)Math.Min(e.Start.Line, int.MaxValue), e.Message));
            return new ManifestReadResult(documents, errors, ignored);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet 18 throws these for some malformed input (e.g. an unterminated flow sequence).
            errors.Add(new ManifestError(file, 0, "invalid YAML: " + e.Message));
            return new ManifestReadResult(documents, errors, ignored);
        }

        foreach (var doc in stream.Documents)
        {
            ReadDocument(doc.RootNode, file, documents, errors, ignored);
        }

        return new ManifestReadResult(documents, errors, ignored);
    }

    private static void ReadDocument(YamlNode root, string file, List<ManifestDocument> documents, List<ManifestError> errors, List<string> ignored)
    {
        int line = (int)Math.Min(root.Start.Line, int.MaxValue);
        if (root is YamlScalarNode { Style: ScalarStyle.Plain } empty && string.IsNullOrEmpty(empty.Value))
        {
            return;
        }

        if (root is not YamlMappingNode map)
        {
            errors.Add(new ManifestError(file, line, "a document must be an object (a YAML mapping)"));
            return;
        }

        string? apiVersion = Scalar(map, "apiVersion");
        string? kind = Scalar(map, "kind");
        if (string.IsNullOrEmpty(kind))
        {
            errors.Add(new ManifestError(file, line, "Object 'Kind' is missing"));
            return;
        }

        if (string.IsNullOrEmpty(apiVersion))
        {
            errors.Add(new ManifestError(file, line, "Object 'apiVersion' is missing"));
            return;
        }

        Type? type = (apiVersion, kind) switch
        {
            (AclopApi.ApiVersion, RedisAclUser.KindName) => typeof(RedisAclUser),
            (AclopApi.ApiVersion, RedisAcl.KindName) => typeof(RedisAcl),
            (AclopApi.ApiVersion, RedisAclServer.KindName) => typeof(RedisAclServer),
            ("v1", V1Secret.KubeKind) => typeof(V1Secret),
            _ => null,
        };
        if (type is null)
        {
            if (apiVersion.StartsWith(AclopApi.Group + "/", StringComparison.Ordinal) || kind == "List")
            {
                errors.Add(new ManifestError(file, line, $"no matches for kind \"{kind}\" in version \"{apiVersion}\""));
            }
            else
            {
                ignored.Add($"{apiVersion} {kind} {Scalar(map, "metadata", "name")}".TrimEnd());
            }

            return;
        }

        var walker = new SchemaWalker(file);
        var json = walker.Walk(map, type, "");
        errors.AddRange(walker.Errors);
        int before = errors.Count - walker.Errors.Count;
        CheckName(map, file, line, errors);
        if (errors.Count > before || json is null)
        {
            return;
        }

        try
        {
            IKubernetesObject<V1ObjectMeta> obj = type == typeof(RedisAclUser) ? Deserialize<RedisAclUser>(json)
                : type == typeof(RedisAcl) ? Deserialize<RedisAcl>(json)
                : type == typeof(RedisAclServer) ? Deserialize<RedisAclServer>(json)
                : Deserialize<V1Secret>(json);
            documents.Add(new ManifestDocument(file, line, obj, walker.Lines));
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            // Never echo the value: a Secret's data may be in the message.
            errors.Add(new ManifestError(file, line, $"{kind} cannot be read: {e.GetType().Name}"));
        }
    }

    private static T Deserialize<T>(JsonNode json) =>
        KubernetesJson.Deserialize<T>(json) ?? throw new InvalidOperationException("null document");

    private static void CheckName(YamlMappingNode map, string file, int line, List<ManifestError> errors)
    {
        var metadata = Child(map, "metadata") as YamlMappingNode;
        var nameNode = metadata is null ? null : Child(metadata, "name") as YamlScalarNode;
        if (nameNode is null || string.IsNullOrEmpty(nameNode.Value))
        {
            errors.Add(new ManifestError(file, metadata is null ? line : (int)metadata.Start.Line, "metadata.name: Required value: name is required"));
            return;
        }

        string name = nameNode.Value;
        if (name.Length > 253 || !DnsSubdomain().IsMatch(name))
        {
            errors.Add(new ManifestError(file, (int)nameNode.Start.Line,
                $"metadata.name: Invalid value: \"{name}\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"));
        }
    }

    private static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.FirstOrDefault(kv => kv.Key is YamlScalarNode k && k.Value == key).Value;

    private static string? Scalar(YamlMappingNode map, params string[] path)
    {
        YamlNode? node = map;
        foreach (var key in path)
        {
            node = node is YamlMappingNode m ? Child(m, key) : null;
        }

        return (node as YamlScalarNode)?.Value;
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", RegexOptions.CultureInvariant)]
    private static partial Regex DnsSubdomain();
}
