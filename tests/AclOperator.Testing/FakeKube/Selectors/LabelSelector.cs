using System.Globalization;
using System.Text.Json.Nodes;
using AclOperator.Testing.FakeKube.Api;

namespace AclOperator.Testing.FakeKube.Selectors;

/// <summary>The label selector syntax of k8s.io/apimachinery/pkg/labels: =, ==, !=, in, notin, exists, !exists, gt, lt.</summary>
internal sealed class LabelSelector
{
    private readonly List<Requirement> _requirements;

    private LabelSelector(List<Requirement> requirements) => _requirements = requirements;

    public static readonly LabelSelector Everything = new([]);

    public bool IsEmpty => _requirements.Count == 0;

    private enum Op
    {
        Equals,
        NotEquals,
        In,
        NotIn,
        Exists,
        DoesNotExist,
        GreaterThan,
        LessThan,
    }

    private sealed record Requirement(string Key, Op Op, IReadOnlyList<string> Values);

    public bool Matches(JsonObject? labels)
    {
        foreach (var r in _requirements)
        {
            var has = labels is not null && labels.TryGetPropertyValue(r.Key, out var node) && node is not null;
            var value = has ? labels![r.Key]!.GetValue<string>() : null;
            var ok = r.Op switch
            {
                Op.Equals or Op.In => has && r.Values.Contains(value),
                Op.NotEquals or Op.NotIn => !has || !r.Values.Contains(value),
                Op.Exists => has,
                Op.DoesNotExist => !has,
                Op.GreaterThan => has && long.TryParse(value, CultureInfo.InvariantCulture, out var g) && g > long.Parse(r.Values[0], CultureInfo.InvariantCulture),
                Op.LessThan => has && long.TryParse(value, CultureInfo.InvariantCulture, out var l) && l < long.Parse(r.Values[0], CultureInfo.InvariantCulture),
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }
        return true;
    }

    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }
        var reqs = new List<Requirement>();
        foreach (var part in SplitTopLevel(text))
        {
            var p = part.Trim();
            if (p.Length == 0)
            {
                throw Fail(text, "found '', expected: identifier");
            }
            reqs.Add(ParseRequirement(p, text));
        }
        return new LabelSelector(reqs);
    }

    private static Requirement ParseRequirement(string p, string whole)
    {
        if (p.StartsWith('!'))
        {
            return new Requirement(Key(p[1..].Trim(), whole), Op.DoesNotExist, []);
        }
        var words = p.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 2)
        {
            var rest = words[1].TrimStart();
            foreach (var (word, op) in new[] { ("notin", Op.NotIn), ("in", Op.In) })
            {
                if (rest.StartsWith(word, StringComparison.Ordinal) && rest[word.Length..].TrimStart().StartsWith('('))
                {
                    var list = rest[word.Length..].Trim();
                    if (!list.EndsWith(')'))
                    {
                        throw Fail(whole, "found '" + list + "', expected: ')'");
                    }
                    var values = list[1..^1].Split(',').Select(v => v.Trim()).ToList();
                    return new Requirement(Key(words[0], whole), op, values);
                }
            }
        }
        foreach (var (token, op) in new[] { ("!=", Op.NotEquals), ("==", Op.Equals), ("=", Op.Equals), (">", Op.GreaterThan), ("<", Op.LessThan) })
        {
            var i = p.IndexOf(token, StringComparison.Ordinal);
            if (i > 0)
            {
                var value = p[(i + token.Length)..].Trim();
                if (op is Op.GreaterThan or Op.LessThan && !long.TryParse(value, CultureInfo.InvariantCulture, out _))
                {
                    throw Fail(whole, $"for 'Gt', 'Lt' operators, the value must be an integer");
                }
                return new Requirement(Key(p[..i].Trim(), whole), op, [value]);
            }
        }
        return new Requirement(Key(p, whole), Op.Exists, []);
    }

    private static string Key(string key, string whole)
    {
        if (key.Length == 0 || key.Any(c => char.IsWhiteSpace(c) || c is '(' or ')' or ',' or '=' or '!'))
        {
            throw Fail(whole, "invalid label key \"" + key + "\"");
        }
        return key;
    }

    private static IEnumerable<string> SplitTopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '(')
            {
                depth++;
            }
            else if (text[i] == ')')
            {
                depth--;
            }
            else if (text[i] == ',' && depth == 0)
            {
                yield return text[start..i];
                start = i + 1;
            }
        }
        yield return text[start..];
    }

    private static ApiException Fail(string whole, string detail) =>
        ApiErrors.BadRequest($"unable to parse requirement: {detail}");
}
