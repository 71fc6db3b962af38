namespace AclOperator.Server.Configuration;

/// <summary>The outcome of <see cref="CommandLine.Parse"/>.</summary>
/// <param name="Action">What to do next.</param>
/// <param name="Output">Text to print for <see cref="CommandLineAction.PrintAndExit"/> and <see cref="CommandLineAction.UsageAndExit"/>.</param>
/// <param name="Load">The configuration (or its error) for <see cref="CommandLineAction.Run"/> and <see cref="CommandLineAction.Fail"/>.</param>
/// <param name="ConfigFile">The absolute config file path, or null.</param>
/// <param name="StartupNotices">Redis's notices to log before start (<c>Reading config from stdin</c>, the no-config-file warning).</param>
public sealed record CommandLineResult(
    CommandLineAction Action,
    string? Output,
    ConfigLoadResult? Load,
    string? ConfigFile,
    IReadOnlyList<string> StartupNotices);
