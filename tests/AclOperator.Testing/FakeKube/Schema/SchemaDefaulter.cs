using System.Text.Json.Nodes;

namespace AclOperator.Testing.FakeKube.Schema;

/// <summary>Structural defaulting (apiextensions-apiserver/pkg/apiserver/schema/defaulting): missing fields with a default get it.</summary>
internal static class SchemaDefaulter
{
    public static void Apply(JsonNode? value, StructuralSchema? schema)
    {
        if (schema is null)
        {
            return;
        }
        switch (value)
        {
            case JsonObject o:
                foreach (var (name, prop) in schema.Properties)
                {
                    if (prop.HasDefault && (!o.ContainsKey(name) || (o[name] is null && !prop.Nullable)))
                    {
                        o[name] = prop.Default?.DeepClone();
                    }
                }
                foreach (var (key, child) in o.ToList())
                {
                    Apply(child, schema.Property(key) ?? schema.AdditionalProperties);
                }
                break;
            case JsonArray a:
                foreach (var item in a)
                {
                    Apply(item, schema.Items);
                }
                break;
        }
    }
}
