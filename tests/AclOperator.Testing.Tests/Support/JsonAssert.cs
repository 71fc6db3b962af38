using System.Text.Json.Nodes;

namespace AclOperator.Testing.Tests.Support;

internal static class JsonAssert
{
    /// <summary>Asserts two JSON values are equal, ignoring object key order.</summary>
    public static void Equal(string expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"expected {expected}\nactual   {actual?.ToJsonString()}");
}
