namespace AclOperator.Operator.Runtime;

/// <summary>
/// What the operator watches (configuration section <c>Watch</c>): all namespaces (the default), a list of namespaces
/// (one list/watch per namespace, so RBAC can be RoleBindings in those namespaces only, O3), and optionally a label
/// selector that the operator's own kinds must match (several operators can then split the objects between them).
/// </summary>
public sealed class WatchScopeOptions
{
    public const string Section = "Watch";

    /// <summary>Comma-separated namespaces; empty means all namespaces.</summary>
    public string Namespaces { get; set; } = "";

    /// <summary>A label selector for RedisAclServer, RedisAcl and RedisAclUser objects; empty selects all.</summary>
    public string LabelSelector { get; set; } = "";

    /// <summary><see cref="Namespaces"/> as a list.</summary>
    public IReadOnlyList<string> NamespaceList =>
        Namespaces.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToArray();
}
