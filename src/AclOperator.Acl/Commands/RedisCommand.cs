using System.Collections.Immutable;

namespace AclOperator.Acl.Commands;

/// <summary>
/// A Redis command or subcommand from the command table. Every command and every subcommand has its own
/// <see cref="Id"/> (its ACL permission bit). Container parents (CONFIG, CLIENT, ACL, …) have subcommands.
/// </summary>
public sealed class RedisCommand
{
    private readonly Dictionary<string, RedisCommand>.AlternateLookup<ReadOnlySpan<char>> _subLookup;
    private readonly Dictionary<string, RedisCommand> _subByName;

    internal RedisCommand(
        int id,
        string name,
        RedisCommand? parent,
        int arity,
        CommandFlags flags,
        AclCategories categories,
        ImmutableArray<KeySpec> keySpecs,
        string? getKeysFunction,
        CommandDocs docs)
    {
        Id = id;
        Name = name;
        Parent = parent;
        FullName = parent is null ? name : parent.Name + "|" + name;
        Arity = arity;
        Flags = flags;
        Categories = categories;
        KeySpecs = keySpecs;
        GetKeysFunction = getKeysFunction;
        Docs = docs;
        _subByName = new Dictionary<string, RedisCommand>(StringComparer.OrdinalIgnoreCase);
        _subLookup = _subByName.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Permission bit of this command (dense, 0..table count-1).</summary>
    public int Id { get; }

    /// <summary>Lowercase name: <c>get</c>, or for a subcommand its own name (<c>get</c> of <c>config|get</c>).</summary>
    public string Name { get; }

    /// <summary>Lowercase full name: <c>get</c> or <c>config|get</c>.</summary>
    public string FullName { get; }

    /// <summary>The container for a subcommand, otherwise null.</summary>
    public RedisCommand? Parent { get; }

    /// <summary>Redis arity: positive = exact argc, negative = at least -arity.</summary>
    public int Arity { get; }

    public CommandFlags Flags { get; }

    /// <summary>Explicit and implied (from flags) categories, as Redis computes them.</summary>
    public AclCategories Categories { get; }

    public ImmutableArray<KeySpec> KeySpecs { get; }

    /// <summary>Name of Redis's getkeys callback (<c>sortGetKeys</c>, …) if the command has one.</summary>
    public string? GetKeysFunction { get; }

    public CommandDocs Docs { get; }

    /// <summary>Subcommands in the table's order; empty for plain commands.</summary>
    public IReadOnlyList<RedisCommand> Subcommands => _subcommands;

    private readonly List<RedisCommand> _subcommands = [];

    /// <summary>True for container parents such as CONFIG or CLIENT.</summary>
    public bool IsContainer => _subcommands.Count > 0;

    /// <summary>
    /// Redis's <c>doesCommandHaveKeys</c>: the command has a getkeys callback or a key spec that is a real key
    /// (not <c>not_key</c>).
    /// </summary>
    public bool CanHaveKeys { get; private set; }

    /// <summary>Channel or SORT pattern checks the ACL applies to this command.</summary>
    internal ArgumentCheck ArgumentCheck { get; private set; }

    /// <summary>Finds a subcommand case-insensitively. No allocation for names up to 64 bytes.</summary>
    public RedisCommand? FindSubcommand(ReadOnlySpan<byte> name)
    {
        if (_subcommands.Count == 0 || name.Length == 0 || name.Length > 64)
        {
            return null;
        }

        Span<char> chars = stackalloc char[name.Length];
        for (int i = 0; i < name.Length; i++)
        {
            chars[i] = (char)name[i];
        }

        return _subLookup.TryGetValue(chars, out var sub) ? sub : null;
    }

    /// <summary>Finds a subcommand case-insensitively.</summary>
    public RedisCommand? FindSubcommand(ReadOnlySpan<char> name) =>
        _subLookup.TryGetValue(name, out var sub) ? sub : null;

    /// <summary>True when argc satisfies <see cref="Arity"/>.</summary>
    public bool ArityAccepts(int argc) => Arity >= 0 ? argc == Arity : argc >= -Arity;

    internal void AddSubcommand(RedisCommand sub)
    {
        _subcommands.Add(sub);
        _subByName.Add(sub.Name, sub);
    }

    internal void Seal()
    {
        CanHaveKeys = GetKeysFunction is not null;
        foreach (var ks in KeySpecs)
        {
            if ((ks.Flags & KeySpecFlags.NotKey) == 0)
            {
                CanHaveKeys = true;
            }
        }

        ArgumentCheck = FullName switch
        {
            "publish" or "spublish" => ArgumentCheck.PublishChannel,
            "subscribe" or "ssubscribe" => ArgumentCheck.SubscribeChannels,
            "psubscribe" => ArgumentCheck.SubscribePatterns,
            "sort" => ArgumentCheck.Sort,
            "sort_ro" => ArgumentCheck.SortReadOnly,
            _ => ArgumentCheck.None,
        };
    }

    public override string ToString() => FullName;
}
