using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Garnet;
using Garnet.server;
using Garnet.server.Auth.Settings;
using Microsoft.Extensions.Logging;

namespace AclOperator.Server.Backend.Garnet;

/// <summary>
/// Garnet running inside this process with no listening socket (E17): Garnet is started with only an
/// <see cref="InProcessGarnetServer"/>, and each client connection gets its own Garnet session fed through
/// <see cref="IBackendSession.Execute"/>. Hardened (E2): DEBUG and MODULE off, no extension paths or modules, Lua off
/// unless enabled and then with a timeout and a memory limit.
/// </summary>
public sealed partial class GarnetEmbeddedBackend : IBackend
{
    /// <summary>Stack size of the dedicated threads that run blocking commands.</summary>
    internal const int BlockingThreadStackSize = 256 * 1024;

    private static readonly byte[] s_command = "*1\r\n$7\r\nCOMMAND\r\n"u8.ToArray();

    private readonly GarnetServer _garnet;
    private readonly InProcessGarnetServer _server;
    private readonly GarnetEmbeddedOptions _options;
    private readonly ILogger _logger;
    private readonly GarnetBackendSession _control;
    private readonly Lock _controlLock = new();
    private readonly ConcurrentDictionary<GarnetBackendSession, byte> _sessions = new();
    private int _disposed;

    private GarnetEmbeddedBackend(GarnetServer garnet, InProcessGarnetServer server, GarnetEmbeddedOptions options, ILogger logger)
    {
        _garnet = garnet;
        _server = server;
        _options = options;
        _logger = logger;
        _control = new GarnetBackendSession(this, server, sink: null, 4096, queryClientId: false);
        SupportedCommands = CommandListReply.Parse(_control.ExecuteCaptured(s_command));
        if (SupportedCommands.Count == 0)
        {
            throw new InvalidOperationException("Garnet's COMMAND reply listed no commands.");
        }
    }

    public string Name => "embedded-garnet";

    /// <summary>Garnet ends many error texts with a period where Redis does not.</summary>
    public bool RewritesErrorTexts => true;

    public IReadOnlySet<string> SupportedCommands { get; }

    public bool IsHealthy => Volatile.Read(ref _disposed) == 0;

    /// <summary>The Garnet options this backend was started with (memory sizes resolved).</summary>
    internal GarnetServerOptions GarnetOptions { get; private init; } = null!;

    /// <summary>The maxmemory guard of the store (E17).</summary>
    internal GarnetStoreMemory StoreMemory { get; private init; } = null!;

    public IStoreMemory Memory => StoreMemory;

    /// <summary>Sessions opened through <see cref="OpenSession"/> and not yet disposed.</summary>
    internal int OpenSessionCount => _sessions.Count;

    /// <summary>Starts Garnet in this process. Takes a while (store allocation), so it runs off the caller's thread.</summary>
    public static Task<GarnetEmbeddedBackend> StartAsync(GarnetEmbeddedOptions options, ILoggerFactory? loggerFactory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Task.Run(() => Start(options, loggerFactory), cancellationToken);
    }

    private static GarnetEmbeddedBackend Start(GarnetEmbeddedOptions options, ILoggerFactory? loggerFactory)
    {
        if (options.DatabaseCount is < 1 or > 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.DatabaseCount, "DatabaseCount must be 1..1024.");
        }

        ILogger logger = loggerFactory?.CreateLogger("AclOperator.Server.Backend.Garnet") ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        GarnetServerOptions garnetOptions = BuildGarnetOptions(options, logger);
        var server = new InProcessGarnetServer();
        var garnet = new GarnetServer(garnetOptions, loggerFactory, [server], cleanupDir: false);
        GarnetStoreMemory? memory = null;
        try
        {
            garnet.Start();
            memory = GarnetStoreMemory.Attach(garnet, long.Parse(garnetOptions.PageSize, CultureInfo.InvariantCulture), long.Parse(garnetOptions.IndexMemorySize, CultureInfo.InvariantCulture), logger);
            var backend = new GarnetEmbeddedBackend(garnet, server, options, logger) { GarnetOptions = garnetOptions, StoreMemory = memory };
            LogStarted(logger, garnetOptions.LogMemorySize, garnetOptions.IndexMemorySize, backend.SupportedCommands.Count);
            return backend;
        }
        catch
        {
            memory?.Dispose();
            garnet.Dispose();
            throw;
        }
    }

    internal static GarnetServerOptions BuildGarnetOptions(GarnetEmbeddedOptions options, ILogger logger)
    {
        long total = options.MemorySize is string size ? GarnetEmbeddedOptions.ParseSize(size) : GarnetEmbeddedOptions.DefaultMemoryBytes();
        total = Math.Max(total, 16L * 1024 * 1024);
        long index = Math.Clamp(PreviousPowerOf2(total / 8), 1L << 20, 1L << 30);
        long log = total - index;
        long page = Math.Clamp(PreviousPowerOf2(log / 16), 1L << 20, 16L << 20);

        var lua = new LuaOptions(logger)
        {
            MemoryManagementMode = LuaMemoryManagementMode.Tracked,
            MemoryLimit = options.LuaMemoryLimit,
            Timeout = options.LuaTimeout,
            LogMode = LuaLoggingMode.Disable,
        };

        var garnetOptions = new GarnetServerOptions(logger)
        {
            QuietMode = true,
            LogMemorySize = Bytes(log),
            PageSize = Bytes(page),
            IndexMemorySize = Bytes(index),
            EnableStorageTier = false,
            MaxDatabases = options.DatabaseCount,
            EnableLua = options.EnableLua,
            LuaOptions = lua,
            // E2 hardening: no DEBUG, no MODULE, nothing loadable.
            EnableDebugCommand = ConnectionProtectionOption.No,
            EnableModuleCommand = ConnectionProtectionOption.No,
            ExtensionBinPaths = null,
            ExtensionAllowUnsignedAssemblies = false,
            LoadModuleCS = null,
            EnableCluster = false,
            EnableAOF = false,
            EnableVectorSetPreview = false,
            EnableRangeIndexPreview = false,
            // The front end enforces maxclients; Garnet must not refuse our sessions on its own count.
            NetworkConnectionLimit = -1,
        };

        if (options.DataDirectory is string dir)
        {
            Directory.CreateDirectory(dir);
            garnetOptions.CheckpointDir = dir;
            garnetOptions.LogDir = dir;
            garnetOptions.Recover = true;
        }

        return garnetOptions;
    }

    private static long PreviousPowerOf2(long v) => v <= 1 ? 1 : 1L << (63 - (int)long.LeadingZeroCount(v));

    private static string Bytes(long value) => value.ToString(CultureInfo.InvariantCulture);

    public IBackendSession OpenSession(IBackendReplySink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var session = new GarnetBackendSession(this, _server, sink, _options.ResponseBufferSize, queryClientId: true);
        _sessions[session] = 0;
        return session;
    }

    /// <summary>Runs <c>CLIENT UNBLOCK id [ERROR]</c> on the internal control session; true when Garnet answered 1.</summary>
    internal bool TryClientUnblock(long clientId, bool withError)
    {
        if (clientId < 0 || Volatile.Read(ref _disposed) != 0 && _control.IsClosed)
        {
            return false;
        }

        string id = clientId.ToString(CultureInfo.InvariantCulture);
        string request = withError
            ? $"*4\r\n$6\r\nCLIENT\r\n$7\r\nUNBLOCK\r\n${id.Length}\r\n{id}\r\n$5\r\nERROR\r\n"
            : $"*3\r\n$6\r\nCLIENT\r\n$7\r\nUNBLOCK\r\n${id.Length}\r\n{id}\r\n";
        byte[] reply;
        lock (_controlLock)
        {
            reply = _control.ExecuteCaptured(Encoding.ASCII.GetBytes(request));
        }

        return reply.AsSpan().SequenceEqual(":1\r\n"u8);
    }

    /// <summary>Runs raw RESP on the internal control session and returns the reply bytes (tests, diagnostics).</summary>
    internal byte[] ExecuteControl(ReadOnlySpan<byte> requests)
    {
        lock (_controlLock)
        {
            return _control.ExecuteCaptured(requests);
        }
    }

    internal void OnSessionDisposed(GarnetBackendSession session) => _sessions.TryRemove(session, out _);

    internal void LogSessionFault(Exception exception) => LogFault(_logger, exception);

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return ValueTask.CompletedTask;
        }

        foreach (GarnetBackendSession session in _sessions.Keys)
        {
            session.Sender.Close("backend shutdown");
            session.Dispose();
        }

        StoreMemory.Dispose();
        _control.Dispose();
        try
        {
            _garnet.Dispose(deleteDir: false);
        }
        catch (Exception ex)
        {
            LogFault(_logger, ex);
        }

        return ValueTask.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded Garnet started: log memory {LogMemory} bytes, index {IndexMemory} bytes, {CommandCount} commands")]
    private static partial void LogStarted(ILogger logger, string logMemory, string indexMemory, int commandCount);

    [LoggerMessage(Level = LogLevel.Error, Message = "Embedded Garnet session fault; only that session was closed")]
    private static partial void LogFault(ILogger logger, Exception exception);
}
