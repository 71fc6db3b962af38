namespace AclOperator.Server.Configuration;

/// <summary>One entry of <see cref="ConfigRegistry"/>: a directive's name, type, default, mutability and grammar.</summary>
public sealed record ConfigDirective
{
    private readonly Func<IReadOnlyList<string>, object, ParsedConfigValue> _parse;
    private readonly Func<object, string> _render;
    private readonly Func<object, IReadOnlyList<string>> _rewrite;

    internal ConfigDirective(
        string name,
        ConfigValueKind kind,
        object defaultValue,
        Func<IReadOnlyList<string>, object, ParsedConfigValue> parse,
        Func<object, string> render,
        Func<object, IReadOnlyList<string>> rewrite)
    {
        Name = name;
        Kind = kind;
        DefaultValue = defaultValue;
        _parse = parse;
        _render = render;
        _rewrite = rewrite;
    }

    /// <summary>The canonical (lower-case) name.</summary>
    public string Name { get; }

    /// <summary>A second accepted name (<c>slaveof</c> for <c>replicaof</c>); CONFIG GET lists it as its own entry, as Redis does.</summary>
    public string? Alias { get; init; }

    public ConfigValueKind Kind { get; }

    public DirectiveSupport Support { get; init; } = DirectiveSupport.Implemented;

    /// <summary>True when CONFIG SET may change it; otherwise CONFIG SET answers <c>can't set immutable config</c>.</summary>
    public bool IsMutable { get; init; }

    /// <summary>A Redis protected config (<c>dir</c>): CONFIG SET answers <c>can't set protected config</c>.</summary>
    public bool IsProtected { get; init; }

    /// <summary>Takes several arguments; a single non-empty argument is split again as Redis does for <c>--save "a b"</c>.</summary>
    public bool IsMultiArgument { get; init; }

    /// <summary>An aclop-server directive that Redis does not have.</summary>
    public bool IsExtension { get; init; }

    /// <summary>Names accepted by an <see cref="ConfigValueKind.Enum"/> directive, in Redis's order (used in its error text).</summary>
    public IReadOnlyList<string> EnumNames { get; init; } = [];

    /// <summary>What the directive is for and what aclop-server does with it.</summary>
    public string Description { get; init; } = "";

    /// <summary>The default as CONFIG GET renders it.</summary>
    public string DefaultRendered => _render(DefaultValue);

    internal object DefaultValue { get; }

    internal ParsedConfigValue Parse(IReadOnlyList<string> args, object current) => _parse(args, current);

    internal string Render(object value) => _render(value);

    /// <summary>The directive's lines as CONFIG REWRITE writes them.</summary>
    internal IReadOnlyList<string> RewriteLines(object value) => _rewrite(value);
}
