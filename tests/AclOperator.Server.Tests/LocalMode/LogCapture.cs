using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace AclOperator.Server.Tests.LocalMode;

/// <summary>An <see cref="ILoggerFactory"/> that keeps every formatted message (per test, thread-safe).</summary>
internal sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, string Category, string Message)> _entries = new();

    public LogCapture()
    {
        Factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(this));
    }

    public ILoggerFactory Factory { get; }

    public IReadOnlyList<(LogLevel Level, string Category, string Message)> Entries => _entries.ToArray();

    public IEnumerable<string> Messages => _entries.Select(e => e.Message);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._entries.Enqueue((logLevel, category, formatter(state, exception)));
    }
}
