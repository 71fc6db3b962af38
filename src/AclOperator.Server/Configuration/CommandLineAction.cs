namespace AclOperator.Server.Configuration;

/// <summary>What the process should do after reading its command line.</summary>
public enum CommandLineAction
{
    /// <summary>Start the server with <see cref="CommandLineResult.Load"/>.</summary>
    Run,

    /// <summary>Print <see cref="CommandLineResult.Output"/> to standard output and exit 0 (<c>--version</c>).</summary>
    PrintAndExit,

    /// <summary>Print <see cref="CommandLineResult.Output"/> to standard error and exit 1 (<c>--help</c>, like redis-server's usage()).</summary>
    UsageAndExit,

    /// <summary>Report <see cref="CommandLineResult.Load"/>'s error and exit 1.</summary>
    Fail,
}
