namespace AclOperator.Api.Schema;

/// <summary>OpenAPI <c>minItems</c>/<c>maxItems</c> of a list. A bound of -1 is absent.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ItemsAttribute : Attribute
{
    public int MinItems { get; init; } = -1;

    public int MaxItems { get; init; } = -1;
}
