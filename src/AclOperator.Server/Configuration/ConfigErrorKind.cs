namespace AclOperator.Server.Configuration;

/// <summary>How a start-up configuration error is reported before exiting with status 1.</summary>
public enum ConfigErrorKind
{
    None,

    /// <summary>Printed to standard error as is (Redis's <c>*** FATAL CONFIG FILE ERROR ***</c> block).</summary>
    FatalConfigFile,

    /// <summary>Logged as a warning line (Redis's <c>serverLog(LL_WARNING, ...)</c> followed by <c>exit(1)</c>).</summary>
    LogMessage,
}
