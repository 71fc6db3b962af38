namespace AclOperator.Api.Schema;

/// <summary>OpenAPI <c>pattern</c> (ECMA-262 regular expression; the subset used here means the same in .NET).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PatternAttribute(string pattern) : Attribute
{
    public string Pattern { get; } = pattern;
}
