namespace AclOperator.Server.Configuration;

/// <summary>Unwinds configuration loading at the first fatal error (Redis calls <c>exit(1)</c> there).</summary>
internal sealed class ConfigLoadException : Exception
{
    public ConfigLoadException(ConfigErrorKind kind, string message)
        : base(message)
    {
        Kind = kind;
    }

    public ConfigLoadException()
    {
    }

    public ConfigLoadException(string message)
        : base(message)
    {
    }

    public ConfigLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public ConfigErrorKind Kind { get; } = ConfigErrorKind.FatalConfigFile;
}
