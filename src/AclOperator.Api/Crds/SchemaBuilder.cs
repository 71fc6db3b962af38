using System.Collections;
using System.ComponentModel;
using System.Reflection;
using System.Text.Json.Serialization;
using AclOperator.Api.Schema;
using k8s.Models;

namespace AclOperator.Api.Crds;

/// <summary>
/// The openAPIV3Schema of a C# type: properties by their JSON names, with the facts of the schema attributes
/// (description, required, enum, pattern, default, bounds, list types, CEL rules). Kubernetes' own types get the
/// schemas controller-gen writes for them (<see cref="WellKnownSchemas"/>).
/// </summary>
internal static class SchemaBuilder
{
    private const string ApiVersionDescription =
        "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources";

    private const string KindDescription =
        "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds";

    /// <summary>The schema of a kind: apiVersion, kind, metadata (name only, as the API server allows), spec, status.</summary>
    public static V1JSONSchemaProps Root(Type kind)
    {
        var root = Object(kind);
        root.Properties["apiVersion"] = new V1JSONSchemaProps { Type = "string", Description = ApiVersionDescription };
        root.Properties["kind"] = new V1JSONSchemaProps { Type = "string", Description = KindDescription };
        root.Properties["metadata"] = WellKnownSchemas.RootObjectMeta();
        return root;
    }

    private static V1JSONSchemaProps For(Type type, PropertyInfo? property)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (WellKnownSchemas.For(type) is { } known)
        {
            return known;
        }

        if (type == typeof(string))
        {
            var s = new V1JSONSchemaProps { Type = "string" };
            ApplyStringFacts(s, property);
            return s;
        }

        if (type == typeof(bool))
        {
            return new V1JSONSchemaProps { Type = "boolean" };
        }

        if (type == typeof(int) || type == typeof(long))
        {
            var n = new V1JSONSchemaProps { Type = "integer", Format = type == typeof(int) ? "int32" : "int64" };
            if (property?.GetCustomAttribute<RangeAttribute>() is { } range)
            {
                n.Minimum = range.Minimum == long.MinValue ? null : range.Minimum;
                n.Maximum = range.Maximum == long.MaxValue ? null : range.Maximum;
            }

            return n;
        }

        if (type == typeof(DateTime) || type == typeof(DateTimeOffset))
        {
            return new V1JSONSchemaProps { Type = "string", Format = "date-time" };
        }

        if (DictionaryValueType(type) is { } valueType)
        {
            var map = new V1JSONSchemaProps
            {
                Type = "object",
                AdditionalProperties = For(valueType, valueType == typeof(string) ? property : null),
            };
            if (property?.GetCustomAttribute<ItemsAttribute>() is { } entries)
            {
                map.MinProperties = entries.MinItems >= 0 ? entries.MinItems : null;
                map.MaxProperties = entries.MaxItems >= 0 ? entries.MaxItems : null;
            }

            return map;
        }

        if (ListItemType(type) is { } itemType)
        {
            var list = new V1JSONSchemaProps
            {
                Type = "array",
                Items = For(itemType, itemType == typeof(string) ? property : null),
            };
            if (property?.GetCustomAttribute<ItemsAttribute>() is { } items)
            {
                list.MinItems = items.MinItems >= 0 ? items.MinItems : null;
                list.MaxItems = items.MaxItems >= 0 ? items.MaxItems : null;
            }

            if (property?.GetCustomAttribute<ListTypeAttribute>() is { } listType)
            {
                list.XKubernetesListType = listType.ListType;
                list.XKubernetesListMapKeys = listType.MapKeys.Count > 0 ? listType.MapKeys.ToList() : null;
            }

            return list;
        }

        if (type.IsClass && type != typeof(object))
        {
            return Object(type);
        }

        throw new NotSupportedException($"no schema for {type.FullName}");
    }

    private static V1JSONSchemaProps Object(Type type)
    {
        var schema = new V1JSONSchemaProps
        {
            Type = "object",
            Description = CrdGenerator.Description(type),
            Properties = new SortedDictionary<string, V1JSONSchemaProps>(StringComparer.Ordinal),
        };
        var required = new List<string>();
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.GetCustomAttribute<JsonPropertyNameAttribute>() is not { } name)
            {
                continue;
            }

            var child = For(p.PropertyType, p);
            if (CrdGenerator.Description(p) is { } description)
            {
                child.Description = description;
            }

            if (p.GetCustomAttribute<DefaultValueAttribute>() is { Value: { } value })
            {
                child.DefaultProperty = value;
            }

            child.XKubernetesValidations = Rules(p.GetCustomAttributes<ValidationRuleAttribute>(), child.XKubernetesValidations);
            schema.Properties[name.Name] = child;
            if (p.GetCustomAttribute<RequiredAttribute>() is not null)
            {
                required.Add(name.Name);
            }
        }

        required.Sort(StringComparer.Ordinal);
        schema.Required = required.Count > 0 ? required : null;
        schema.XKubernetesValidations = Rules(type.GetCustomAttributes<ValidationRuleAttribute>(), null);
        return schema;
    }

    private static void ApplyStringFacts(V1JSONSchemaProps s, PropertyInfo? property)
    {
        if (property is null)
        {
            return;
        }

        if (property.GetCustomAttribute<LengthAttribute>() is { } length)
        {
            s.MinLength = length.MinLength >= 0 ? length.MinLength : null;
            s.MaxLength = length.MaxLength >= 0 ? length.MaxLength : null;
        }

        if (property.GetCustomAttribute<PatternAttribute>() is { } pattern)
        {
            s.Pattern = pattern.Pattern;
        }

        if (property.GetCustomAttribute<EnumValuesAttribute>() is { } values)
        {
            s.EnumProperty = values.Values.Cast<object>().ToList();
        }
    }

    private static List<V1ValidationRule>? Rules(IEnumerable<ValidationRuleAttribute> attributes, IList<V1ValidationRule>? existing)
    {
        var rules = existing?.ToList() ?? [];
        rules.AddRange(attributes.Select(a => new V1ValidationRule
        {
            Rule = a.Rule,
            Message = a.Message,
            FieldPath = a.FieldPath,
            Reason = a.Reason,
        }));
        return rules.Count > 0 ? rules : null;
    }

    private static Type? DictionaryValueType(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() is var d &&
        (d == typeof(IDictionary<,>) || d == typeof(Dictionary<,>) || d == typeof(IReadOnlyDictionary<,>)) &&
        type.GetGenericArguments()[0] == typeof(string)
            ? type.GetGenericArguments()[1]
            : null;

    private static Type? ListItemType(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type) && type.GetGenericArguments().Length == 1 ? type.GetGenericArguments()[0]
        : null;
}
