using System.Globalization;

namespace AclOperator.Server.Configuration;

/// <summary><c>pidfile</c>: written at start-up (<c>createPidFile</c>), removed at clean shutdown.</summary>
public static class PidFile
{
    /// <summary>Writes <c>"&lt;pid&gt;\n"</c> to the configured pidfile. Returns null, or Redis's warning when it cannot.</summary>
    public static string? Write(ServerConfig config, int pid)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.PidFile is not { } path)
        {
            return null;
        }

        try
        {
            File.WriteAllText(config.ResolvePath(path), pid.ToString(CultureInfo.InvariantCulture) + "\n");
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "Failed to write PID file: " + ConfigFileParser.ErrnoText(e);
        }
    }

    /// <summary>Removes the pidfile, if one is configured; errors are ignored as in Redis.</summary>
    public static void Remove(ServerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.PidFile is { } path)
        {
            try
            {
                File.Delete(config.ResolvePath(path));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Nothing to do: Redis ignores unlink() errors too.
            }
        }
    }
}
