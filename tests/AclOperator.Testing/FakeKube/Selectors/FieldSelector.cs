using System.Text.Json.Nodes;
using AclOperator.Testing.FakeKube.Api;
using AclOperator.Testing.FakeKube.Json;
using AclOperator.Testing.FakeKube.Resources;

namespace AclOperator.Testing.FakeKube.Selectors;

/// <summary>Field selectors (=, ==, != joined by commas) over the fields each kind supports, as the real server does.</summary>
internal sealed class FieldSelector
{
    private readonly List<(string Field, bool Equal, string Value)> _terms;

    private FieldSelector(List<(string, bool, string)> terms) => _terms = terms;

    public static readonly FieldSelector Everything = new([]);

    public bool IsEmpty => _terms.Count == 0;

    /// <summary>The value of an equality term on metadata.name, if any (kubectl wait/delete select one object this way).</summary>
    public string? RequiredName => _terms.FirstOrDefault(t => t.Field == "metadata.name" && t.Equal).Value;

    public bool Matches(JsonObject obj)
    {
        foreach (var (field, equal, value) in _terms)
        {
            var actual = FieldValue(obj, field);
            if ((actual == value) != equal)
            {
                return false;
            }
        }
        return true;
    }

    private static string FieldValue(JsonObject obj, string field)
    {
        var node = JsonTools.At(obj, field.Split('.'));
        return node is null ? "" : JsonTools.ScalarText(node);
    }

    public static FieldSelector Parse(string? text, ResourceType type)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }
        var terms = new List<(string, bool, string)>();
        foreach (var raw in text.Split(','))
        {
            var part = raw.Trim();
            string field;
            string value;
            bool equal;
            var ne = part.IndexOf("!=", StringComparison.Ordinal);
            var eq2 = part.IndexOf("==", StringComparison.Ordinal);
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (ne > 0)
            {
                (field, equal, value) = (part[..ne], false, part[(ne + 2)..]);
            }
            else if (eq2 > 0)
            {
                (field, equal, value) = (part[..eq2], true, part[(eq2 + 2)..]);
            }
            else if (eq > 0)
            {
                (field, equal, value) = (part[..eq], true, part[(eq + 1)..]);
            }
            else
            {
                throw ApiErrors.BadRequest($"invalid selector: '{text}'; can't understand '{part}'");
            }
            field = field.Trim();
            if (!Supported(type).Contains(field))
            {
                throw type.IsCustom
                    ? ApiErrors.BadRequest($"\"{field}\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"")
                    : ApiErrors.BadRequest($"field label not supported: {field}");
            }
            terms.Add((type.IsEventsApiView ? EventsConversion.FieldLabel(field) : field, equal, value.Trim()));
        }
        return new FieldSelector(terms);
    }

    private static HashSet<string> Supported(ResourceType type)
    {
        var set = new HashSet<string>(StringComparer.Ordinal) { "metadata.name", "metadata.namespace" };
        switch ((type.Group, type.Kind))
        {
            case ("", "Secret"):
                set.Add("type");
                break;
            case ("", "Namespace"):
                set.Add("status.phase");
                break;
            case ("", "Pod"):
                set.UnionWith(["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
                    "status.phase", "status.podIP", "status.nominatedNodeName"]);
                break;
            case ("", "Event"):
                set.UnionWith(["involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
                    "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
                    "reason", "reportingComponent", "source", "type"]);
                break;
            case ("events.k8s.io", "Event"):
                set.UnionWith(["regarding.kind", "regarding.namespace", "regarding.name", "regarding.uid",
                    "regarding.apiVersion", "regarding.resourceVersion", "regarding.fieldPath",
                    "reason", "reportingController", "type"]);
                break;
        }
        return set;
    }
}
