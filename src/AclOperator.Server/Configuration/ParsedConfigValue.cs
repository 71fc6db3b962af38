namespace AclOperator.Server.Configuration;

/// <summary>The outcome of parsing one directive's arguments: a value, or Redis's error text; optionally a start-up warning.</summary>
internal readonly record struct ParsedConfigValue(object? Value, string? Error, string? Warning = null)
{
    public static ParsedConfigValue Ok(object value, string? warning = null) => new(value, null, warning);

    public static ParsedConfigValue Fail(string error) => new(null, error);
}
