namespace AclOperator.Api.Schema;

/// <summary>The property is listed in the object's OpenAPI <c>required</c> list.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class RequiredAttribute : Attribute;
