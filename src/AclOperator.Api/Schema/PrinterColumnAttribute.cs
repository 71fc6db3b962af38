namespace AclOperator.Api.Schema;

/// <summary>An <c>additionalPrinterColumns</c> entry of the CRD version (what <c>kubectl get</c> shows).</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class PrinterColumnAttribute(string name, string type, string jsonPath) : Attribute
{
    public string Name { get; } = name;

    /// <summary>OpenAPI type: <c>string</c>, <c>integer</c>, <c>boolean</c>, <c>date</c>.</summary>
    public string Type { get; } = type;

    public string JsonPath { get; } = jsonPath;

    public string? Description { get; init; }

    /// <summary>0 = shown by default; higher = only with <c>-o wide</c>.</summary>
    public int Priority { get; init; }
}
