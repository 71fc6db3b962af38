namespace AclOperator.Api.Schema;

/// <summary>OpenAPI <c>minimum</c>/<c>maximum</c> (inclusive) of an integer. <see cref="long.MinValue"/>/<see cref="long.MaxValue"/> are absent.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class RangeAttribute : Attribute
{
    public long Minimum { get; init; } = long.MinValue;

    public long Maximum { get; init; } = long.MaxValue;
}
