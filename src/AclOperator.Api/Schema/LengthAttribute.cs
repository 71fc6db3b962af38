namespace AclOperator.Api.Schema;

/// <summary>
/// OpenAPI <c>minLength</c>/<c>maxLength</c> of a string, or of every string item of a list. A bound of -1 is absent.
/// Every string a CEL rule reads needs a <c>maxLength</c> (O13: the API server rejects rules over the cost budget).
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class LengthAttribute : Attribute
{
    public int MinLength { get; init; } = -1;

    public int MaxLength { get; init; } = -1;
}
