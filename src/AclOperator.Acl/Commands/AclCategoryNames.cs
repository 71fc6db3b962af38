namespace AclOperator.Acl.Commands;

/// <summary>Category names as Redis spells them (lowercase), in <c>ACL CAT</c> order.</summary>
public static class AclCategoryNames
{
    /// <summary>The 21 names; index i is the category with bit <c>1 &lt;&lt; i</c>.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        "keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap", "hyperloglog",
        "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous", "connection",
        "transaction", "scripting",
    ];

    /// <summary>Looks a category up case-insensitively (without the <c>@</c>).</summary>
    public static bool TryParse(ReadOnlySpan<char> name, out AclCategories category)
    {
        for (int i = 0; i < All.Count; i++)
        {
            if (name.Equals(All[i], StringComparison.OrdinalIgnoreCase))
            {
                category = (AclCategories)(1u << i);
                return true;
            }
        }

        category = AclCategories.None;
        return false;
    }

    /// <summary>The lowercase name of a single category bit.</summary>
    public static string NameOf(AclCategories single) =>
        All[System.Numerics.BitOperations.TrailingZeroCount((uint)single)];
}
