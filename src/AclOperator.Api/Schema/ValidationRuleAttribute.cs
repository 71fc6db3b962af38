namespace AclOperator.Api.Schema;

/// <summary>
/// A CEL rule for <c>x-kubernetes-validations</c> on the schema of the annotated type or property (<c>self</c> is that
/// value). The compiler checks the same facts for objects that never passed an API server (local mode, aclctl).
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Property, AllowMultiple = true)]
public sealed class ValidationRuleAttribute(string rule) : Attribute
{
    public string Rule { get; } = rule;

    /// <summary>The message the API server returns when the rule is false.</summary>
    public string? Message { get; init; }

    /// <summary>Where the error points, relative to <c>self</c>, e.g. <c>.passwords</c>.</summary>
    public string? FieldPath { get; init; }

    /// <summary><c>FieldValueInvalid</c> (default), <c>FieldValueForbidden</c>, <c>FieldValueRequired</c> or <c>FieldValueDuplicate</c>.</summary>
    public string? Reason { get; init; }
}
