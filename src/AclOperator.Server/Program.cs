using AclOperator.Server.Configuration;
using AclOperator.Server.Hosting;
using Microsoft.Extensions.Logging;

// aclop-server [config-file|-] [--directive value ...]: starts like redis-server (E3: bad directives are fatal).
var parsed = AclOperator.Server.Configuration.CommandLine.Parse(args);
switch (parsed.Action)
{
    case CommandLineAction.PrintAndExit:
    case CommandLineAction.UsageAndExit:
        Console.Out.WriteLine(parsed.Output);
        return parsed.Action == CommandLineAction.UsageAndExit ? 1 : 0;
    case CommandLineAction.Fail:
        // The fatal block (or Redis's log message) for a bad config file or argument; exit 1 as redis-server does.
        await Console.Error.WriteLineAsync(parsed.Output ?? parsed.Load?.Error ?? "Invalid configuration").ConfigureAwait(false);
        return 1;
}

var config = parsed.Load!.Config!;
var level = config.LogLevel switch
{
    RedisLogLevel.Debug => LogLevel.Debug,
    RedisLogLevel.Verbose => LogLevel.Debug,
    RedisLogLevel.Warning => LogLevel.Warning,
    RedisLogLevel.Nothing => LogLevel.None,
    _ => LogLevel.Information,
};
// The embedded store's own log lines (its sizing, an endpoint it never listens on) are not ours: warnings only.
using var loggerFactory = LoggerFactory.Create(b => b
    .ClearProviders()
    .SetMinimumLevel(level)
    .AddFilter((category, l) => l >= (category?.StartsWith("aclop", StringComparison.Ordinal) == true ? level : LogLevel.Warning))
    .AddProvider(new RedisStyleLoggerProvider(config.LogFile.Length == 0 ? null : config.ResolvePath(config.LogFile), level)));
var log = loggerFactory.CreateLogger("aclop.server");
foreach (var notice in parsed.StartupNotices.Concat(parsed.Load.Warnings))
{
    StartupLog.Notice(log, notice);
}

var pidError = PidFile.Write(config, Environment.ProcessId);
if (pidError is not null)
{
    StartupLog.Notice(log, pidError);
}

AclopServer server;
try
{
    server = await AclopServer.StartAsync(config, loggerFactory).ConfigureAwait(false);
}
catch (StartupException e)
{
    StartupLog.Fatal(log, e.Message);
    return 1;
}

using var stop = CancellationTokenSource.CreateLinkedTokenSource(server.ShutdownRequested);
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, ctx =>
{
    ctx.Cancel = true;
    stop.Cancel();
});
try
{
    await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
}
catch (OperationCanceledException)
{
}

await server.DisposeAsync().ConfigureAwait(false);
PidFile.Remove(config);

return 0;
