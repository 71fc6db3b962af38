namespace AclOperator.Api.Compilation;

/// <summary>
/// Rule sets usable by name without a RedisAcl, like Redis Enterprise's predefined ACLs (seed 003: Full Access
/// <c>+@all ~*</c>, Read Only <c>+@read ~*</c>, Not Dangerous <c>+@all -@dangerous ~*</c>). Redis 7.4 starts users with
/// <c>resetchannels</c>; Redis Enterprise adds <c>&amp;*</c> to Full Access when its pub/sub default is restrictive, so
/// full-access includes every channel and the two others none.
/// </summary>
public static class BuiltInAcls
{
    public const string FullAccess = "full-access";

    public const string ReadOnly = "read-only";

    public const string NotDangerous = "not-dangerous";

    private static readonly Dictionary<string, IReadOnlyList<string>> Sets = new(StringComparer.Ordinal)
    {
        [FullAccess] = Array.AsReadOnly(["~*", "&*", "+@all"]),
        [ReadOnly] = Array.AsReadOnly(["~*", "+@read"]),
        [NotDangerous] = Array.AsReadOnly(["~*", "+@all", "-@dangerous"]),
    };

    /// <summary>The built-in names.</summary>
    public static IReadOnlyCollection<string> Names => Sets.Keys;

    public static bool IsBuiltIn(string name) => Sets.ContainsKey(name);

    /// <summary>The rules of a built-in set, or null.</summary>
    public static IReadOnlyList<string>? Rules(string name) => Sets.GetValueOrDefault(name);
}
