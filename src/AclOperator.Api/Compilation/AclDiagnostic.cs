namespace AclOperator.Api.Compilation;

/// <summary>
/// Why an object has no effect: its <c>Valid</c> condition is False with <see cref="Reason"/> and <see cref="Message"/>.
/// Messages never contain a password or a hash.
/// </summary>
/// <param name="Subject">The object whose status carries the condition.</param>
/// <param name="Reason">One of <see cref="DiagnosticReasons"/>.</param>
/// <param name="Message">For rule errors Redis's exact text, e.g. <c>Error in ACL SETUSER modifier '~x y': Syntax error</c>.</param>
/// <param name="FieldPath">The offending field, e.g. <c>spec.rules[2]</c>; null for the whole object.</param>
public sealed record AclDiagnostic(ObjectRef Subject, string Reason, string Message, string? FieldPath = null)
{
    public override string ToString() => FieldPath is null ? $"{Subject}: {Message}" : $"{Subject} {FieldPath}: {Message}";
}
