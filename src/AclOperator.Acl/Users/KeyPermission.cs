namespace AclOperator.Acl.Users;

/// <summary>Access a key pattern grants: <c>%R~</c>, <c>%W~</c> or <c>~</c> (both).</summary>
[Flags]
public enum KeyPermission : byte
{
    None = 0,
    Read = 1,
    Write = 2,
    ReadWrite = Read | Write,
}
