using System.Text.Json.Nodes;
using AclOperator.Testing.FakeKube.Json;

namespace AclOperator.Testing.FakeKube.Schema;

/// <summary>
/// A parsed node of a CRD's openAPIV3Schema (apiextensions-apiserver/pkg/apiserver/schema.Structural): the
/// structural part (type, properties, items, additionalProperties, x-kubernetes-* extensions) plus the value
/// validations the fake evaluates. x-kubernetes-validations (CEL) are kept but not evaluated.
/// </summary>
internal sealed class StructuralSchema
{
    public string? Type { get; private init; }

    public bool Nullable { get; private init; }

    public JsonNode? Default { get; private init; }

    public bool HasDefault { get; private init; }

    public IReadOnlyList<KeyValuePair<string, StructuralSchema>> Properties { get; private init; } = [];

    public StructuralSchema? Items { get; private init; }

    public StructuralSchema? AdditionalProperties { get; private init; }

    /// <summary>additionalProperties: true (any value allowed and preserved).</summary>
    public bool AdditionalPropertiesAny { get; private init; }

    public bool PreserveUnknownFields { get; private init; }

    public bool IntOrString { get; private init; }

    public bool EmbeddedResource { get; private init; }

    public string? ListType { get; private init; }

    public IReadOnlyList<string> ListMapKeys { get; private init; } = [];

    public string? MapType { get; private init; }

    public JsonArray? Enum { get; private init; }

    public string? Pattern { get; private init; }

    public string? Format { get; private init; }

    public double? Minimum { get; private init; }

    public double? Maximum { get; private init; }

    public bool ExclusiveMinimum { get; private init; }

    public bool ExclusiveMaximum { get; private init; }

    public double? MultipleOf { get; private init; }

    public long? MinLength { get; private init; }

    public long? MaxLength { get; private init; }

    public long? MinItems { get; private init; }

    public long? MaxItems { get; private init; }

    public long? MinProperties { get; private init; }

    public long? MaxProperties { get; private init; }

    public bool UniqueItems { get; private init; }

    public IReadOnlyList<string> Required { get; private init; } = [];

    public IReadOnlyList<StructuralSchema> AllOf { get; private init; } = [];

    public IReadOnlyList<StructuralSchema> AnyOf { get; private init; } = [];

    public IReadOnlyList<StructuralSchema> OneOf { get; private init; } = [];

    public StructuralSchema? Not { get; private init; }

    public JsonObject Raw { get; private init; } = new();

    public StructuralSchema? Property(string name)
    {
        foreach (var p in Properties)
        {
            if (p.Key == name)
            {
                return p.Value;
            }
        }
        return null;
    }

    /// <summary>The schema of a child value: a declared property or the additionalProperties schema.</summary>
    public StructuralSchema? Child(string name) => Property(name) ?? AdditionalProperties;

    public static StructuralSchema Parse(JsonObject raw)
    {
        var props = new List<KeyValuePair<string, StructuralSchema>>();
        if (raw["properties"] is JsonObject p)
        {
            foreach (var (k, v) in p)
            {
                if (v is JsonObject vo)
                {
                    props.Add(new(k, Parse(vo)));
                }
            }
        }
        StructuralSchema? additional = null;
        var additionalAny = false;
        if (raw["additionalProperties"] is JsonObject ap)
        {
            additional = Parse(ap);
        }
        else if (raw["additionalProperties"] is JsonValue apv && apv.TryGetValue(out bool apb) && apb)
        {
            additionalAny = true;
        }
        return new StructuralSchema
        {
            Raw = raw,
            Type = JsonTools.Str(raw, "type"),
            Nullable = Bool(raw, "nullable"),
            HasDefault = raw.ContainsKey("default"),
            Default = raw["default"]?.DeepClone(),
            Properties = props,
            Items = raw["items"] is JsonObject items ? Parse(items) : null,
            AdditionalProperties = additional,
            AdditionalPropertiesAny = additionalAny,
            PreserveUnknownFields = Bool(raw, "x-kubernetes-preserve-unknown-fields"),
            IntOrString = Bool(raw, "x-kubernetes-int-or-string"),
            EmbeddedResource = Bool(raw, "x-kubernetes-embedded-resource"),
            ListType = JsonTools.Str(raw, "x-kubernetes-list-type"),
            ListMapKeys = Strings(raw["x-kubernetes-list-map-keys"]),
            MapType = JsonTools.Str(raw, "x-kubernetes-map-type"),
            Enum = raw["enum"] as JsonArray,
            Pattern = JsonTools.Str(raw, "pattern"),
            Format = JsonTools.Str(raw, "format"),
            Minimum = Number(raw, "minimum"),
            Maximum = Number(raw, "maximum"),
            ExclusiveMinimum = Bool(raw, "exclusiveMinimum"),
            ExclusiveMaximum = Bool(raw, "exclusiveMaximum"),
            MultipleOf = Number(raw, "multipleOf"),
            MinLength = JsonTools.Int(raw, "minLength"),
            MaxLength = JsonTools.Int(raw, "maxLength"),
            MinItems = JsonTools.Int(raw, "minItems"),
            MaxItems = JsonTools.Int(raw, "maxItems"),
            MinProperties = JsonTools.Int(raw, "minProperties"),
            MaxProperties = JsonTools.Int(raw, "maxProperties"),
            UniqueItems = Bool(raw, "uniqueItems"),
            Required = Strings(raw["required"]),
            AllOf = List(raw["allOf"]),
            AnyOf = List(raw["anyOf"]),
            OneOf = List(raw["oneOf"]),
            Not = raw["not"] is JsonObject not ? Parse(not) : null,
        };
    }

    private static bool Bool(JsonObject o, string name) => o[name] is JsonValue v && v.TryGetValue(out bool b) && b;

    private static double? Number(JsonObject o, string name) => JsonTools.TryNumber(o[name], out var d) ? d : null;

    private static List<string> Strings(JsonNode? n) =>
        n is JsonArray a ? a.Select(x => x is JsonValue v && v.TryGetValue(out string? s) ? s : "").ToList() : [];

    private static List<StructuralSchema> List(JsonNode? n) =>
        n is JsonArray a ? a.OfType<JsonObject>().Select(Parse).ToList() : [];
}
