namespace AclOperator.Acl.Commands;

/// <summary>Documentation fields of a command, kept for <c>COMMAND DOCS</c> and <c>COMMAND INFO</c>.</summary>
/// <param name="Summary">One-line summary.</param>
/// <param name="Since">Redis version that introduced the command.</param>
/// <param name="Group">Command group (string, list, generic, …).</param>
/// <param name="Complexity">Time complexity text, if any.</param>
/// <param name="DeprecatedSince">Version that deprecated it, if any.</param>
/// <param name="ReplacedBy">Replacement text, if any.</param>
/// <param name="DocFlags">Doc flags (deprecated, syscmd), lowercase.</param>
/// <param name="Tips">Command tips as written in the JSON (e.g. <c>request_policy:all_shards</c>), lowercase.</param>
/// <param name="ArgumentsJson">The <c>arguments</c> array as compact JSON, or null.</param>
/// <param name="HistoryJson">The <c>history</c> array as compact JSON, or null.</param>
public sealed record CommandDocs(
    string Summary,
    string Since,
    string Group,
    string? Complexity,
    string? DeprecatedSince,
    string? ReplacedBy,
    IReadOnlyList<string> DocFlags,
    IReadOnlyList<string> Tips,
    string? ArgumentsJson,
    string? HistoryJson);
