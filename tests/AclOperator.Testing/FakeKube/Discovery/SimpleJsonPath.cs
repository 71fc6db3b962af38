using System.Globalization;
using System.Text.Json.Nodes;

namespace AclOperator.Testing.FakeKube.Discovery;

/// <summary>
/// The JSONPath subset printer columns use: .a.b, [n], [*], and filters [?(@.k=="v")] / [?(@.k!="v")].
/// </summary>
internal static class SimpleJsonPath
{
    public static List<JsonNode?> Evaluate(JsonNode? root, string expression)
    {
        var expr = expression.Trim();
        if (expr.StartsWith('{') && expr.EndsWith('}'))
        {
            expr = expr[1..^1];
        }
        if (expr.StartsWith('$'))
        {
            expr = expr[1..];
        }
        var current = new List<JsonNode?> { root };
        var i = 0;
        while (i < expr.Length && current.Count > 0)
        {
            if (expr[i] == '.')
            {
                var j = i + 1;
                while (j < expr.Length && expr[j] is not ('.' or '['))
                {
                    j++;
                }
                var name = expr[(i + 1)..j];
                current = name.Length == 0 ? current : current.Select(n => (n as JsonObject)?[name]).Where(n => n is not null).ToList();
                i = j;
            }
            else if (expr[i] == '[')
            {
                var depth = 0;
                var j = i;
                for (; j < expr.Length; j++)
                {
                    if (expr[j] == '[')
                    {
                        depth++;
                    }
                    else if (expr[j] == ']' && --depth == 0)
                    {
                        break;
                    }
                }
                var inner = expr[(i + 1)..Math.Min(j, expr.Length)];
                current = Select(current, inner);
                i = j + 1;
            }
            else
            {
                i++;
            }
        }
        return current;
    }

    private static List<JsonNode?> Select(List<JsonNode?> nodes, string inner)
    {
        var result = new List<JsonNode?>();
        foreach (var n in nodes)
        {
            if (n is not JsonArray a)
            {
                continue;
            }
            if (inner == "*")
            {
                result.AddRange(a);
            }
            else if (int.TryParse(inner, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var index))
            {
                var ix = index < 0 ? a.Count + index : index;
                if (ix >= 0 && ix < a.Count)
                {
                    result.Add(a[ix]);
                }
            }
            else if (inner.StartsWith("?(", StringComparison.Ordinal) && inner.EndsWith(')'))
            {
                var cond = inner[2..^1];
                var neq = cond.Contains("!=", StringComparison.Ordinal);
                var parts = cond.Split(neq ? "!=" : "==", 2);
                if (parts.Length != 2)
                {
                    continue;
                }
                var path = parts[0].Trim();
                var literal = parts[1].Trim().Trim('"', '\'');
                foreach (var item in a)
                {
                    var values = Evaluate(item, path.TrimStart('@'));
                    var text = values.Count > 0 ? Text(values[0]) : null;
                    if ((text == literal) != neq)
                    {
                        result.Add(item);
                    }
                }
            }
        }
        return result;
    }

    public static string? Text(JsonNode? n) => n switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out string? s) => s,
        JsonValue v => Json.JsonTools.ScalarText(v),
        _ => n.ToJsonString(),
    };
}
