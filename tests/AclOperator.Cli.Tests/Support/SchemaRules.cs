using System.Text.Json.Nodes;

namespace AclOperator.Cli.Tests.Support;

/// <summary>One x-kubernetes-validations rule and the schema node that carries it.</summary>
internal sealed record SchemaRule(string Kind, string Path, string Rule, string? Message, JsonObject Node);

/// <summary>Walks CRD schemas.</summary>
internal static class SchemaRules
{
    /// <summary>Every CEL rule of every kind, with its path (<c>spec.rules</c>, <c>spec.userNamespaces[*].usernamePrefix</c>).</summary>
    public static List<SchemaRule> All(JsonObject schemasByKind)
    {
        var rules = new List<SchemaRule>();
        foreach (var (kind, schema) in schemasByKind)
        {
            Walk(kind, (JsonObject)schema!, "", rules);
        }

        return rules;
    }

    /// <summary>Every schema node with its path, depth first.</summary>
    public static IEnumerable<(string Path, JsonObject Node)> Nodes(JsonObject node, string path = "")
    {
        yield return (path, node);
        if (node["properties"] is JsonObject props)
        {
            foreach (var (name, child) in props)
            {
                foreach (var n in Nodes((JsonObject)child!, path.Length == 0 ? name : $"{path}.{name}"))
                {
                    yield return n;
                }
            }
        }

        if (node["items"] is JsonObject items)
        {
            foreach (var n in Nodes(items, path + "[*]"))
            {
                yield return n;
            }
        }

        if (node["additionalProperties"] is JsonObject values)
        {
            foreach (var n in Nodes(values, path + "[key]"))
            {
                yield return n;
            }
        }
    }

    private static void Walk(string kind, JsonObject root, string _, List<SchemaRule> rules)
    {
        foreach (var (path, node) in Nodes(root))
        {
            foreach (var r in node["x-kubernetes-validations"]?.AsArray() ?? [])
            {
                rules.Add(new SchemaRule(kind, path.Length == 0 ? "<root>" : path, (string)r!["rule"]!, (string?)r["message"], node));
            }
        }
    }
}
