using Microsoft.Extensions.Logging;

namespace AclOperator.Server.Hosting;

/// <summary>Log messages of the start-up path (Program).</summary>
internal static partial class StartupLog
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "{Notice}")]
    public static partial void Notice(ILogger logger, string notice);

    [LoggerMessage(Level = LogLevel.Critical, Message = "{Message}")]
    public static partial void Fatal(ILogger logger, string message);
}
