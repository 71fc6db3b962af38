namespace AclOperator.Api.Schema;

/// <summary>OpenAPI <c>enum</c>: the string must be one of <see cref="Values"/> (case-sensitive).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class EnumValuesAttribute(params string[] values) : Attribute
{
    public IReadOnlyList<string> Values { get; } = values;
}
