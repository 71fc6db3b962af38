using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Xunit;

namespace AclOperator.Acl.Tests.Infrastructure;

/// <summary>
/// Starts a throw-away <c>redis-server</c> (found on PATH, or at <c>$REDIS_SERVER</c>) on a free loopback port, with
/// no persistence and a private working directory, and kills it on dispose.
/// </summary>
/// <remarks>
/// Never throws from <see cref="InitializeAsync"/>: when the server cannot be started, <see cref="IsAvailable"/> is
/// false and <see cref="SkipReason"/> says why. Tests must then call
/// <c>Assert.SkipUnless(fixture.IsAvailable, fixture.SkipReason)</c> so they are reported as skipped, not passed.
/// Use as <c>IClassFixture&lt;RedisServerFixture&gt;</c>, or derive and override <see cref="ExtraArguments"/>.
/// </remarks>
public class RedisServerFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(15);
    private readonly StringBuilder _output = new();
    private Process? _process;
    private string? _directory;

    public bool IsAvailable { get; private set; }

    /// <summary>Why the server is not available (null when it is).</summary>
    public string? SkipReason { get; private set; }

    public string Host => "127.0.0.1";

    public int Port { get; private set; }

    /// <summary>Path of the redis-server binary that was started.</summary>
    public string? ServerPath { get; private set; }

    /// <summary><c>redis_version</c> from INFO SERVER.</summary>
    public Version? ServerVersion { get; private set; }

    /// <summary>All INFO SERVER fields (for example <c>os</c>, <c>arch_bits</c>).</summary>
    public IReadOnlyDictionary<string, string> ServerInfo { get; private set; } = new Dictionary<string, string>();

    /// <summary>Extra <c>--name value</c> arguments for the server command line.</summary>
    protected virtual IEnumerable<string> ExtraArguments => [];

    /// <summary>Directory the server runs in (its <c>dir</c>); deleted on dispose.</summary>
    protected string WorkingDirectory => _directory ?? throw new InvalidOperationException("The server has not been started.");

    /// <summary>Finds an executable on PATH.</summary>
    public static string? FindOnPath(string name)
    {
        string? path = Environment.GetEnvironmentVariable("PATH");
        if (path is null)
        {
            return null;
        }

        foreach (string dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Opens a new connection to the server.</summary>
    public async Task<RespClient> ConnectAsync(CancellationToken cancellationToken = default)
    {
        if (!IsAvailable)
        {
            throw new InvalidOperationException($"redis-server is not available: {SkipReason}");
        }

        return await RespClient.ConnectAsync(Host, Port, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask InitializeAsync()
    {
        string? binary = Environment.GetEnvironmentVariable("REDIS_SERVER");
        binary = string.IsNullOrEmpty(binary) ? FindOnPath("redis-server") : binary;
        if (binary is null || !File.Exists(binary))
        {
            SkipReason = "redis-server was not found on PATH (install it, for example `apt-get install redis-server`, or set REDIS_SERVER).";
            return;
        }

        ServerPath = binary;
        string lastError = "unknown";
        for (int attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                await StartAsync(binary).ConfigureAwait(false);
                IsAvailable = true;
                SkipReason = null;
                return;
            }
            catch (Exception ex) when (ex is IOException or SocketException or TimeoutException or InvalidOperationException
                                           or System.ComponentModel.Win32Exception or RespErrorException)
            {
                lastError = ex.Message;
                StopProcess();
            }
        }

        SkipReason = $"redis-server at {binary} could not be started: {lastError}";
    }

    public async ValueTask DisposeAsync()
    {
        await DisposeAsyncCore().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    protected virtual ValueTask DisposeAsyncCore()
    {
        StopProcess();
        return ValueTask.CompletedTask;
    }

    private static int GetFreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>Kills the server as a crash would (the port is kept for <see cref="RestartAsync"/>).</summary>
    public void Kill() => StopProcess();

    /// <summary>Starts the server again on the same port, empty.</summary>
    public Task RestartAsync() => StartAsync(ServerPath ?? throw new InvalidOperationException("never started"), keepPort: true);

    private async Task StartAsync(string binary, bool keepPort = false)
    {
        if (!keepPort)
        {
            Port = GetFreePort();
        }

        _directory = Directory.CreateTempSubdirectory("redis-fixture-").FullName;
        lock (_output)
        {
            _output.Clear();
        }

        var psi = new ProcessStartInfo(binary)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _directory,
        };
        string[] args =
        [
            "--port", Port.ToString(CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "no",
            "--dir", _directory,
            "--logfile", "",
            "--loglevel", "warning",
        ];
        foreach (string arg in args.Concat(ExtraArguments))
        {
            psi.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => AppendOutput(e.Data);
        process.ErrorDataReceived += (_, e) => AppendOutput(e.Data);
        if (!process.Start())
        {
            process.Dispose();
            throw new InvalidOperationException("Process.Start returned false.");
        }

        _process = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with code {process.ExitCode}: {GetOutput()}");
            }

            try
            {
                await using RespClient client = await RespClient.ConnectAsync(Host, Port).ConfigureAwait(false);
                client.Timeout = TimeSpan.FromSeconds(5);
                RespReply pong = await client.CallAsync("PING").ConfigureAwait(false);
                if (pong.Type == RespReplyType.SimpleString && pong.Text == "PONG")
                {
                    RespReply info = await client.CallAsync("INFO", "server").ConfigureAwait(false);
                    ReadInfo(info.GetString());
                    return;
                }
            }
            catch (Exception ex) when (ex is SocketException or IOException)
            {
                // Not listening yet (or a "LOADING" race): retry below.
            }

            if (clock.Elapsed > StartupTimeout)
            {
                throw new TimeoutException($"redis-server did not answer PING on port {Port} within {StartupTimeout.TotalSeconds} s: {GetOutput()}");
            }

            await Task.Delay(25).ConfigureAwait(false);
        }
    }

    private void ReadInfo(string info)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string rawLine in info.Split('\n'))
        {
            string line = rawLine.TrimEnd('\r');
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && !line.StartsWith('#'))
            {
                fields[line[..colon]] = line[(colon + 1)..];
            }
        }

        ServerInfo = fields;
        if (fields.TryGetValue("redis_version", out string? version) && Version.TryParse(version, out Version? parsed))
        {
            ServerVersion = parsed;
        }
    }

    private void AppendOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Length < 16 * 1024)
            {
                _output.AppendLine(line);
            }
        }
    }

    private string GetOutput()
    {
        lock (_output)
        {
            return _output.ToString().Trim();
        }
    }

    private void StopProcess()
    {
        if (_process is not null)
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill(entireProcessTree: true);
                    _process.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            _process.Dispose();
            _process = null;
        }

        if (_directory is not null)
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort.
            }
            catch (UnauthorizedAccessException)
            {
                // Best effort.
            }

            _directory = null;
        }

        IsAvailable = false;
    }
}
