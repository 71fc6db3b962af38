namespace AclOperator.Server.Configuration;

/// <summary>The outcome of reading the configuration: a snapshot and warnings, or an error to report before exiting 1.</summary>
public sealed record ConfigLoadResult(ServerConfig? Config, IReadOnlyList<string> Warnings, ConfigErrorKind ErrorKind, string? Error)
{
    public bool Succeeded => Config is not null;
}
