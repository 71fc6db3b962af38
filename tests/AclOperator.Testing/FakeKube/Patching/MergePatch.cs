using System.Text.Json.Nodes;

namespace AclOperator.Testing.FakeKube.Patching;

/// <summary>JSON merge patch, RFC 7386 (application/merge-patch+json).</summary>
internal static class MergePatch
{
    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject p)
        {
            return patch?.DeepClone();
        }
        var result = target is JsonObject t ? (JsonObject)t.DeepClone() : new JsonObject();
        foreach (var (key, value) in p)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                var merged = Apply(result[key], value);
                result.Remove(key);
                result[key] = merged;
            }
        }
        return result;
    }
}
