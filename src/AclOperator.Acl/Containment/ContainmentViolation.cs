namespace AclOperator.Acl.Containment;

/// <summary>One way in which a user exceeds its rule ceiling, named in the user's own terms.</summary>
/// <param name="SelectorIndex">The offending selector: 0 is the root selector (also used for the user-level <c>nopass</c>).</param>
/// <param name="Kind">The dimension that is exceeded.</param>
/// <param name="Rule">
/// The offending rule as ACL LIST renders it (<c>+flushall</c>, <c>+select|0</c>, <c>%R~other*</c>, <c>&amp;news.*</c>,
/// <c>allkeys</c>, <c>nopass</c>); a command allowed through a category or a container names the command and its
/// source, e.g. <c>+flushall (via +@all)</c>. UTF-8 text (byte-strings are decoded for display).
/// </param>
/// <param name="Command">For <see cref="ContainmentViolationKind.Command"/> and <see cref="ContainmentViolationKind.FirstArg"/>: the command's full name.</param>
/// <param name="Message">A deterministic one-line explanation fit for a Kubernetes condition message.</param>
public sealed record ContainmentViolation(
    int SelectorIndex,
    ContainmentViolationKind Kind,
    string Rule,
    string? Command,
    string Message)
{
    public override string ToString() => Message;
}
