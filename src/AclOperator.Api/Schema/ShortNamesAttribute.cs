namespace AclOperator.Api.Schema;

/// <summary>The CRD's <c>names.shortNames</c>.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ShortNamesAttribute(params string[] shortNames) : Attribute
{
    public IReadOnlyList<string> ShortNames { get; } = shortNames;
}
