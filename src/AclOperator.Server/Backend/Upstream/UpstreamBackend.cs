using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using AclOperator.Server.Hosting;
using AclOperator.Server.Protocol;
using Microsoft.Extensions.Logging;

namespace AclOperator.Server.Backend.Upstream;

/// <summary>
/// An upstream Redis-protocol server (Redis, Valkey, Garnet; a sidecar on 127.0.0.1 is the same). Each client
/// connection gets its own upstream connection (<see cref="UpstreamBackendSession"/>). A control connection probes
/// health and sends CLIENT UNBLOCK. Cluster-mode and Sentinel upstreams are refused at start (their redirects would
/// route clients around the ACL, E13); after a failed connect new sessions are refused for a growing backoff.
/// </summary>
public sealed partial class UpstreamBackend : IBackend
{
    private readonly UpstreamOptions _options;
    private readonly X509Certificate2Collection? _trustedCas;
    private readonly ILogger _logger;
    private readonly Lock _controlLock = new();
    private readonly ConcurrentDictionary<UpstreamBackendSession, byte> _sessions = new();
    private readonly Timer _healthTimer;
    private UpstreamLink? _control;
    private volatile bool _healthy;
    private long _retryAtMs;
    private int _failures;
    private volatile string _lastError = "not connected";
    private int _disposed;

    private UpstreamBackend(UpstreamOptions options, X509Certificate2Collection? trustedCas, ILogger logger, UpstreamLink control, IReadOnlySet<string> commands, bool resp3, string version)
    {
        _options = options;
        _trustedCas = trustedCas;
        _logger = logger;
        _control = control;
        SupportedCommands = commands;
        SupportsResp3 = resp3;
        UpstreamVersion = version;
        _healthy = true;
        _healthTimer = new Timer(_ => ProbeHealth(), null, options.HealthInterval, options.HealthInterval);
    }

    public string Name => "upstream";

    public IReadOnlySet<string> SupportedCommands { get; }

    public bool SupportsResp3 { get; }

    public bool IsHealthy => _healthy && Volatile.Read(ref _disposed) == 0;

    /// <summary>The upstream's version as its HELLO reports it.</summary>
    public string UpstreamVersion { get; }

    /// <summary>Sessions opened and not yet closed.</summary>
    internal int OpenSessionCount => _sessions.Count;

    /// <summary>
    /// Connects (retrying with backoff until <paramref name="startupTimeout"/>), checks the upstream is a standalone
    /// server, and reads its command list (E18). Throws <see cref="StartupException"/> with the reason.
    /// </summary>
    public static async Task<UpstreamBackend> StartAsync(UpstreamOptions options, ILoggerFactory loggerFactory, TimeSpan startupTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var logger = loggerFactory.CreateLogger("aclop.upstream");
        X509Certificate2Collection? cas = null;
        if (options.TlsCaFile is { } caFile)
        {
            cas = [];
            try
            {
                cas.ImportFromPemFile(caFile);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
            {
                throw new StartupException($"Can't load upstream-tls-ca-file '{caFile}': {e.Message}");
            }
        }

        var deadline = DateTime.UtcNow + startupTimeout;
        var delay = options.MinBackoff;
        while (true)
        {
            try
            {
                var link = await Task.Run(() => UpstreamLink.Open(options, cas), cancellationToken).ConfigureAwait(false);
                try
                {
                    var (commands, resp3, version) = Inspect(link, options);
                    LogConnected(logger, options.Address, version, commands.Count, resp3 ? "RESP2 and RESP3" : "RESP2 only");
                    return new UpstreamBackend(options, cas, logger, link, commands, resp3, version);
                }
                catch
                {
                    link.Dispose();
                    throw;
                }
            }
            catch (UpstreamException e) when (!e.IsPermanent && DateTime.UtcNow + delay < deadline)
            {
                LogStartRetry(logger, options.Address, e.Message, (long)delay.TotalMilliseconds);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.MaxBackoff.Ticks));
            }
            catch (UpstreamException e)
            {
                throw new StartupException($"Can't use the upstream server at {options.Address}: {e.Message}");
            }
        }
    }

    /// <summary>HELLO 3 tells the mode (standalone / cluster / sentinel), the version and RESP3 support; COMMAND the command set.</summary>
    private static (IReadOnlySet<string> Commands, bool Resp3, string Version) Inspect(UpstreamLink link, UpstreamOptions options)
    {
        link.SetTimeouts(options.ConnectTimeout);
        var hello = link.Call("HELLO", "3");
        bool resp3 = !RespReplyScanner.IsError(hello);
        var fields = resp3 ? ReadHelloFields(hello) : [];
        if (resp3)
        {
            link.Call("HELLO", "2");
        }

        string mode = fields.GetValueOrDefault("mode") ?? "standalone";
        if (!resp3)
        {
            var info = link.Call("INFO", "server");
            if (RespReplyScanner.TryReadBulkString(info, out var text, out _))
            {
                foreach (var line in Encoding.UTF8.GetString(text).Split('\n'))
                {
                    if (line.StartsWith("redis_mode:", StringComparison.Ordinal))
                    {
                        mode = line["redis_mode:".Length..].Trim();
                    }
                }
            }
        }

        if (mode != "standalone")
        {
            throw new StartupException($"The upstream server at {options.Address} runs in {mode} mode: only a standalone server can be fronted (cluster redirects and Sentinel would let clients go around the ACL)");
        }

        var commandReply = link.Call("COMMAND");
        if (RespReplyScanner.IsError(commandReply))
        {
            throw new StartupException($"The upstream server at {options.Address} refused COMMAND ({UpstreamLink.ErrorText(commandReply)}): its user needs +command");
        }

        var commands = CommandListReply.Parse(commandReply);
        link.SetTimeouts(TimeSpan.FromSeconds(2));
        return (commands, resp3, fields.GetValueOrDefault("version") ?? "unknown");
    }

    private static Dictionary<string, string> ReadHelloFields(ReadOnlySpan<byte> reply)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!RespReplyScanner.TryReadAggregateHeader(reply, out _, out long count, out int pos))
        {
            return fields;
        }

        for (long i = 0; i + 1 < count; i += 2)
        {
            if (!RespReplyScanner.TryReadFrame(reply[pos..], out int keyLength, out _))
            {
                break;
            }

            var keyFrame = reply.Slice(pos, keyLength);
            pos += keyLength;
            if (!RespReplyScanner.TryReadFrame(reply[pos..], out int valueLength, out _))
            {
                break;
            }

            var valueFrame = reply.Slice(pos, valueLength);
            pos += valueLength;
            if (RespReplyScanner.TryReadBulkString(keyFrame, out var key, out _)
                && (RespReplyScanner.TryReadBulkString(valueFrame, out var value, out _) || RespReplyScanner.TryReadSimpleLine(valueFrame, out value)))
            {
                fields[Encoding.UTF8.GetString(key)] = Encoding.UTF8.GetString(value);
            }
        }

        return fields;
    }

    public IBackendSession OpenSession(IBackendReplySink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        if (Environment.TickCount64 < Interlocked.Read(ref _retryAtMs))
        {
            return new UnavailableBackendSession(sink, _lastError);
        }

        try
        {
            var link = UpstreamLink.Open(_options, _trustedCas);
            Interlocked.Exchange(ref _failures, 0);
            var session = new UpstreamBackendSession(this, link, sink);
            _sessions[session] = 0;
            return session;
        }
        catch (UpstreamException e)
        {
            int failures = Interlocked.Increment(ref _failures);
            long backoff = (long)Math.Min(_options.MinBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 16)), _options.MaxBackoff.TotalMilliseconds);
            Interlocked.Exchange(ref _retryAtMs, Environment.TickCount64 + backoff);
            _lastError = e.Message;
            _healthy = false;
            LogSessionFailed(_logger, _options.Address, e.Message, backoff);
            return new UnavailableBackendSession(sink, e.Message);
        }
    }

    /// <summary>CLIENT UNBLOCK on the control connection; false when the upstream had nothing blocked.</summary>
    internal bool UnblockClient(long upstreamClientId, bool withError)
    {
        if (upstreamClientId < 0)
        {
            return false;
        }

        lock (_controlLock)
        {
            try
            {
                var control = _control ??= UpstreamLink.Open(_options, _trustedCas);
                string id = upstreamClientId.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var reply = withError ? control.Call("CLIENT", "UNBLOCK", id, "ERROR") : control.Call("CLIENT", "UNBLOCK", id);
                return RespReplyScanner.TryReadInteger(reply, out long n) && n == 1;
            }
            catch (UpstreamException)
            {
                DropControl();
                return false;
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                DropControl();
                return false;
            }
        }
    }

    internal void SessionLost(UpstreamBackendSession session, string reason)
    {
        _sessions.TryRemove(session, out _);
        LogSessionLost(_logger, reason);
        ThreadPool.UnsafeQueueUserWorkItem(_ => ProbeHealth(), null);
    }

    internal void Forget(UpstreamBackendSession session) => _sessions.TryRemove(session, out _);

    private void ProbeHealth()
    {
        if (Volatile.Read(ref _disposed) != 0 || !_controlLock.TryEnter())
        {
            return;
        }

        try
        {
            bool wasHealthy = _healthy;
            try
            {
                var control = _control ??= UpstreamLink.Open(_options, _trustedCas);
                control.SetTimeouts(TimeSpan.FromSeconds(2));
                var pong = control.Call("PING");
                _healthy = RespReplyScanner.IsSimpleString(pong, "PONG"u8);
            }
            catch (Exception e) when (e is UpstreamException or IOException or ObjectDisposedException)
            {
                _lastError = e.Message;
                _healthy = false;
                DropControl();
            }

            if (_healthy && !wasHealthy)
            {
                // Reachable again: new clients need not wait out the backoff.
                Interlocked.Exchange(ref _retryAtMs, 0);
                Interlocked.Exchange(ref _failures, 0);
                LogRecovered(_logger, _options.Address);
            }
            else if (!_healthy && wasHealthy)
            {
                LogUnhealthy(_logger, _options.Address, _lastError);
            }
        }
        finally
        {
            _controlLock.Exit();
        }
    }

    private void DropControl()
    {
        _control?.Dispose();
        _control = null;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _healthTimer.DisposeAsync().ConfigureAwait(false);
        foreach (var s in _sessions.Keys)
        {
            s.Dispose();
        }

        lock (_controlLock)
        {
            DropControl();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Upstream server {Address} (version {Version}, standalone) reachable: {Commands} commands, {Protocols}")]
    private static partial void LogConnected(ILogger logger, string address, string version, int commands, string protocols);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Can't connect to the upstream server {Address} yet ({Reason}); retrying in {DelayMs} ms")]
    private static partial void LogStartRetry(ILogger logger, string address, string reason, long delayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Can't open an upstream session on {Address} ({Reason}); new sessions refused for {BackoffMs} ms")]
    private static partial void LogSessionFailed(ILogger logger, string address, string reason, long backoffMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upstream session lost ({Reason}); its client is closed")]
    private static partial void LogSessionLost(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Upstream server {Address} unreachable ({Reason}): not ready")]
    private static partial void LogUnhealthy(ILogger logger, string address, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upstream server {Address} reachable again")]
    private static partial void LogRecovered(ILogger logger, string address);
}
