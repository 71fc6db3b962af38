namespace AclOperator.Acl.AclFile;

/// <summary>One problem found while reading an aclfile.</summary>
/// <param name="Line">1-based line number.</param>
/// <param name="Fragment">Redis's exact fragment for it, e.g. <c>users.acl:3: Syntax error. </c> (byte-string).</param>
public sealed record AclFileError(int Line, string Fragment);
