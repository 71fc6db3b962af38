namespace AclOperator.Api.Schema;

/// <summary>The CRD's <c>names.categories</c> (<c>kubectl get &lt;category&gt;</c> lists every kind in it).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class CategoriesAttribute(params string[] categories) : Attribute
{
    public IReadOnlyList<string> Categories { get; } = categories;
}
