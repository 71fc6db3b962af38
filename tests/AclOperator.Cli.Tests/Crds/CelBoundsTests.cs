using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AclOperator.Cli.Tests.Support;

namespace AclOperator.Cli.Tests.Crds;

/// <summary>
/// O13: the API server estimates each CEL rule's worst-case cost from the schema and refuses rules over its budget,
/// so every string a rule reads has a maxLength and every list a maxItems (and the strings in it a maxLength). Also:
/// every field a rule names exists in the schema (the API server type-checks rules against it when the CRD is created).
/// </summary>
public sealed partial class CelBoundsTests
{
    [GeneratedRegex(@"\bself((?:\.[A-Za-z_][A-Za-z0-9_]*)*)(\s*\()?")]
    private static partial Regex SelfReference();

    /// <summary>The schema nodes a rule reads: <c>self</c> and each field path after it (method calls excluded).</summary>
    internal static List<(string Path, JsonObject? Node)> Touched(SchemaRule rule)
    {
        var touched = new List<(string, JsonObject?)>();
        foreach (Match m in SelfReference().Matches(rule.Rule))
        {
            var segments = m.Groups[1].Value.Split('.', StringSplitOptions.RemoveEmptyEntries).ToList();
            if (m.Groups[2].Success && segments.Count > 0)
            {
                segments.RemoveAt(segments.Count - 1); // self.x.matches(...): the last segment is a method
            }

            JsonObject? node = rule.Node;
            var path = "self";
            touched.Add((path, node));
            foreach (var s in segments)
            {
                path += "." + s;
                node = node?["properties"]?[s] as JsonObject;
                touched.Add((path, node));
            }
        }

        return touched;
    }

    [Fact]
    public void Every_field_a_rule_names_exists()
    {
        var rules = SchemaRules.All(CrdFiles.SchemasByKind());
        Assert.NotEmpty(rules);
        foreach (var rule in rules)
        {
            foreach (var (path, node) in Touched(rule))
            {
                Assert.True(node is not null, $"{rule.Kind} {rule.Path}: `{rule.Rule}` reads {path}, which the schema does not have");
            }
        }
    }

    [Fact]
    public void Every_string_and_list_a_rule_reads_is_bounded()
    {
        var rules = SchemaRules.All(CrdFiles.SchemasByKind());
        var checkedNodes = 0;
        foreach (var rule in rules)
        {
            foreach (var (path, node) in Touched(rule).Where(t => t.Node is not null))
            {
                var where = $"{rule.Kind} {rule.Path}: `{rule.Rule}` reads {path}";
                switch ((string?)node!["type"])
                {
                    case "string":
                        Assert.True(node["maxLength"] is not null, $"{where}, a string without maxLength (O13)");
                        checkedNodes++;
                        break;
                    case "array":
                        Assert.True(node["maxItems"] is not null, $"{where}, a list without maxItems (O13)");
                        var items = (JsonObject)node["items"]!;
                        Assert.True((string?)items["type"] != "string" || items["maxLength"] is not null, $"{where}, a list of strings without maxLength (O13)");
                        checkedNodes++;
                        break;
                    case "object" when node["additionalProperties"] is not null:
                        Assert.True(node["maxProperties"] is not null, $"{where}, a map without maxProperties (O13)");
                        checkedNodes++;
                        break;
                }
            }
        }

        // username (3 rules), rules (2 kinds), metadata.name (2 kinds), backend.type (3 rules), usernamePrefix, passwords, ...
        Assert.True(checkedNodes >= 15, $"only {checkedNodes} strings and lists checked");
    }

    [Fact]
    public void Every_string_list_and_map_of_the_api_is_bounded()
    {
        // Not only what CEL reads today: a rule added later must not find an unbounded field. Exceptions are the
        // Kubernetes shapes whose bounds the API server itself owns: apiVersion and kind, timestamps (date-time) and
        // enums (bounded by their values), and ResourceRequirements' limits/requests maps (quantities).
        var unbounded = new List<string>();
        foreach (var (kind, schema) in CrdFiles.SchemasByKind())
        {
            foreach (var (path, node) in SchemaRules.Nodes((JsonObject)schema!))
            {
                var type = (string?)node["type"];
                var exempt = path is "apiVersion" or "kind" || (string?)node["format"] == "date-time" || node["enum"] is not null ||
                             path.EndsWith(".resources.limits", StringComparison.Ordinal) || path.EndsWith(".resources.requests", StringComparison.Ordinal);
                if (exempt)
                {
                    continue;
                }

                if ((type == "string" && node["maxLength"] is null) ||
                    (type == "array" && node["maxItems"] is null) ||
                    (type == "object" && node["additionalProperties"] is JsonObject && node["maxProperties"] is null))
                {
                    unbounded.Add($"{kind} {path} ({type})");
                }
            }
        }

        Assert.Empty(unbounded);
    }
}
