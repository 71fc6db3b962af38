namespace AclOperator.Acl.Commands;

/// <summary>Key-spec flags (<c>key_specs[].flags</c>).</summary>
[Flags]
public enum KeySpecFlags : ushort
{
    None = 0,
    RO = 1 << 0,
    RW = 1 << 1,
    OW = 1 << 2,
    RM = 1 << 3,
    Access = 1 << 4,
    Update = 1 << 5,
    Insert = 1 << 6,
    Delete = 1 << 7,
    NotKey = 1 << 8,
    Incomplete = 1 << 9,
    VariableFlags = 1 << 10,
}

/// <summary>How a key spec finds the first key.</summary>
public enum BeginSearchKind : byte
{
    Unknown = 0,
    Index = 1,
    Keyword = 2,
}

/// <summary>How a key spec finds the keys after the first one.</summary>
public enum FindKeysKind : byte
{
    Unknown = 0,
    Range = 1,
    Keynum = 2,
}

/// <summary>One key spec of a command, exactly as in Redis's command JSON.</summary>
/// <param name="Flags">Access flags.</param>
/// <param name="BeginSearch">Begin-search kind.</param>
/// <param name="Index">For <see cref="BeginSearchKind.Index"/>: the argv position of the first key.</param>
/// <param name="Keyword">For <see cref="BeginSearchKind.Keyword"/>: the keyword (uppercase as in the JSON).</param>
/// <param name="StartFrom">For <see cref="BeginSearchKind.Keyword"/>: where to start searching (negative = from the end).</param>
/// <param name="FindKeys">Find-keys kind.</param>
/// <param name="LastKey">For <see cref="FindKeysKind.Range"/>: last key relative to the first (negative = from the end).</param>
/// <param name="KeyStep">For range and keynum: step between keys.</param>
/// <param name="Limit">For <see cref="FindKeysKind.Range"/>: when lastkey is -1, a divisor limiting the keys.</param>
/// <param name="KeynumIndex">For <see cref="FindKeysKind.Keynum"/>: position of numkeys relative to the begin index.</param>
/// <param name="FirstKey">For <see cref="FindKeysKind.Keynum"/>: position of the first key relative to the begin index.</param>
public sealed record KeySpec(
    KeySpecFlags Flags,
    BeginSearchKind BeginSearch,
    int Index,
    string? Keyword,
    int StartFrom,
    FindKeysKind FindKeys,
    int LastKey,
    int KeyStep,
    int Limit,
    int KeynumIndex,
    int FirstKey);
