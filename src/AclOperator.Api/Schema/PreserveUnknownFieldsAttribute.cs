namespace AclOperator.Api.Schema;

/// <summary><c>x-kubernetes-preserve-unknown-fields: true</c> on a free-form property (the value is passed through unchecked).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PreserveUnknownFieldsAttribute : Attribute;
