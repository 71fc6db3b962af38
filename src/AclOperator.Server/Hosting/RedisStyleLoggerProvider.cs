using System.Globalization;
using Microsoft.Extensions.Logging;

namespace AclOperator.Server.Hosting;

/// <summary>
/// Log lines in redis-server's format (<c>pid:M 23 Nov 2026 14:10:00.123 * message</c>) to stdout or the
/// <c>logfile</c>, so tooling that waits for "Ready to accept connections" works unchanged.
/// </summary>
internal sealed class RedisStyleLoggerProvider : ILoggerProvider
{
    private readonly TextWriter _output;
    private readonly LogLevel _minimum;
    private readonly Lock _lock = new();
    private readonly bool _ownsOutput;

    public RedisStyleLoggerProvider(string? logFile, LogLevel minimum)
    {
        _minimum = minimum;
        if (string.IsNullOrEmpty(logFile))
        {
            _output = Console.Out;
        }
        else
        {
            _output = new StreamWriter(new FileStream(logFile, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
            _ownsOutput = true;
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
        if (_ownsOutput)
        {
            _output.Dispose();
        }
    }

    private void Write(LogLevel level, string message, Exception? e)
    {
        char mark = level switch
        {
            LogLevel.Trace or LogLevel.Debug => '.',
            LogLevel.Information => '*',
            _ => '#',
        };
        var now = DateTime.Now;
        var line = string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId}:M {now:dd MMM yyyy HH:mm:ss.fff} {mark} {message}");
        lock (_lock)
        {
            _output.WriteLine(line);
            if (e is not null)
            {
                _output.WriteLine(e.ToString());
            }

            _output.Flush();
        }
    }

    private sealed class Logger(RedisStyleLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= owner._minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner.Write(logLevel, formatter(state, exception), exception);
            }
        }
    }
}
