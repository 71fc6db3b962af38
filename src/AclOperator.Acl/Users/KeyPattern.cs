namespace AclOperator.Acl.Users;

/// <summary>A key pattern of a selector (a glob over key bytes) with the access it grants.</summary>
public sealed class KeyPattern
{
    internal KeyPattern(byte[] pattern, KeyPermission permission)
    {
        Pattern = pattern;
        Permission = permission;
    }

    /// <summary>The glob pattern bytes, stored verbatim.</summary>
    public byte[] Pattern { get; }

    public KeyPermission Permission { get; internal set; }

    internal KeyPattern Clone() => new(Pattern, Permission);

    /// <summary>Rendered as in ACL LIST: <c>~p</c>, <c>%R~p</c> or <c>%W~p</c> (byte-string).</summary>
    public override string ToString() => Permission switch
    {
        KeyPermission.Read => "%R~" + AclText.FromBytes(Pattern),
        KeyPermission.Write => "%W~" + AclText.FromBytes(Pattern),
        _ => "~" + AclText.FromBytes(Pattern),
    };
}
