namespace AclOperator.Acl.Rendering;

/// <summary>
/// The protocol-neutral ACL GETUSER reply (§5): the server writes it as a RESP3 map of 6 (or a RESP2 flat array),
/// keys in this order: flags (a set), passwords, commands, keys, channels, selectors.
/// </summary>
public sealed record UserDescription(
    IReadOnlyList<string> Flags,
    IReadOnlyList<string> Passwords,
    string Commands,
    string Keys,
    string Channels,
    IReadOnlyList<SelectorDescription> Selectors);
