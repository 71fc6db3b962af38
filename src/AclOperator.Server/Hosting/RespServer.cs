using System.Net;
using System.Net.Sockets;
using AclOperator.Server.Configuration;
using AclOperator.Server.Connections;
using Microsoft.Extensions.Logging;

namespace AclOperator.Server.Hosting;

/// <summary>Accepts client connections on TCP and/or a Unix socket and runs one <see cref="ClientConnection"/> each.</summary>
internal sealed partial class RespServer : IAsyncDisposable
{
    private readonly ServerContext _ctx;
    private readonly ILogger _logger;
    private readonly List<Socket> _listeners = [];
    private readonly List<Task> _acceptLoops = [];
    private readonly HashSet<Task> _connections = [];
    private readonly Lock _connectionsLock = new();
    private readonly CancellationTokenSource _stopping = new();

    public RespServer(ServerContext ctx)
    {
        _ctx = ctx;
        _logger = ctx.LoggerFactory.CreateLogger("aclop.server");
    }

    /// <summary>Protected mode (Redis semantics); read per connection because CONFIG SET can change it.</summary>
    public Func<bool> ProtectedMode { get; init; } = () => false;

    /// <summary>The TLS endpoint, if a TLS port is bound.</summary>
    public IPEndPoint? TlsEndPoint => _listeners.Where(_tlsListeners.Contains).Select(l => (IPEndPoint)l.LocalEndPoint!).FirstOrDefault();

    /// <summary>The bound TCP endpoints (port 0 resolves to the real port).</summary>
    public IReadOnlyList<IPEndPoint> EndPoints => _listeners.Where(l => l.LocalEndPoint is IPEndPoint).Select(l => (IPEndPoint)l.LocalEndPoint!).ToList();

    /// <summary>Binds every address of <paramref name="bind"/> on <paramref name="port"/>, and the Unix socket.</summary>
    public void Listen(IReadOnlyList<string> bind, int port, int backlog, string? unixSocket, int unixSocketPerm)
    {
        if (port > 0 || (port == 0 && unixSocket is null && bind.Count > 0 && ExplicitZeroPortForTests))
        {
            foreach (var raw in bind)
            {
                var address = raw.TrimStart('-');
                var ip = address switch
                {
                    "*" => IPAddress.Any,
                    "::*" => IPAddress.IPv6Any,
                    "localhost" => IPAddress.Loopback,
                    _ => IPAddress.Parse(address),
                };
                var s = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    s.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                    if (ip.AddressFamily == AddressFamily.InterNetworkV6)
                    {
                        s.DualMode = false;
                    }

                    s.Bind(new IPEndPoint(ip, port));
                    s.Listen(backlog);
                }
                catch (SocketException) when (raw.StartsWith('-'))
                {
                    // "-addr" in bind: optional address, skipped when unavailable (Redis semantics).
                    s.Dispose();
                    continue;
                }

                _listeners.Add(s);
                port = ((IPEndPoint)s.LocalEndPoint!).Port;
            }

            _ctx.TcpPort = port;
        }

        if (unixSocket is not null)
        {
            if (File.Exists(unixSocket))
            {
                File.Delete(unixSocket);
            }

            var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            s.Bind(new UnixDomainSocketEndPoint(unixSocket));
            s.Listen(backlog);
            if (unixSocketPerm != 0 && !OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(unixSocket, (UnixFileMode)unixSocketPerm);
            }

            _listeners.Add(s);
        }
    }

    /// <summary>Binds the TLS port on every address of <paramref name="bind"/> (E19).</summary>
    public void ListenTls(IReadOnlyList<string> bind, int port, int backlog, TlsOptions tls)
    {
        _tls = tls;
        int before = _listeners.Count;
        int plainPort = _ctx.TcpPort;
        Listen(bind, port, backlog, null, 0);
        _ctx.TcpPort = plainPort;
        for (int i = before; i < _listeners.Count; i++)
        {
            _tlsListeners.Add(_listeners[i]);
        }
    }

    private TlsOptions? _tls;
    private readonly HashSet<Socket> _tlsListeners = [];

    /// <summary>Lets tests bind port 0 (a free port); redis.conf's <c>port 0</c> means "no TCP" otherwise.</summary>
    public bool ExplicitZeroPortForTests { get; init; }

    public void Start()
    {
        foreach (var l in _listeners)
        {
            _acceptLoops.Add(AcceptLoopAsync(l));
        }
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        bool unix = listener.AddressFamily == AddressFamily.Unix;
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            _ctx.Stats.ConnectionReceived();
            if (!unix)
            {
                socket.NoDelay = true;
            }

            if (_ctx.Clients.Count >= _ctx.Settings.MaxClients)
            {
                _ctx.Stats.ConnectionRejected();
                await RefuseAsync(socket, "-ERR max number of clients reached\r\n"u8.ToArray()).ConfigureAwait(false);
                continue;
            }

            if (!unix && ProtectedMode() && AclOperator.Server.Configuration.ProtectedMode.IsRefused(true, _ctx.Acl.Current.Users.Default.NoPass, socket.RemoteEndPoint))
            {
                _ctx.Stats.ConnectionRejected();
                await RefuseAsync(socket, AclOperator.Server.Configuration.ProtectedMode.DeniedReply.ToArray()).ConfigureAwait(false);
                continue;
            }

            bool tls = _tls is not null && _tlsListeners.Contains(listener);
            var task = Task.Run(() => RunClientAsync(socket, unix, tls));
            lock (_connectionsLock)
            {
                _connections.Add(task);
            }

            _ = task.ContinueWith(
                t =>
                {
                    lock (_connectionsLock)
                    {
                        _connections.Remove(t);
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    private async Task RunClientAsync(Socket socket, bool unix, bool tls)
    {
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        if (tls)
        {
            try
            {
                using var handshake = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                handshake.CancelAfter(TimeSpan.FromSeconds(10));
                stream = await _tls!.AuthenticateAsync(stream, handshake.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is System.Security.Authentication.AuthenticationException or IOException or OperationCanceledException)
            {
                LogTlsFailed(_logger, e.Message);
                await stream.DisposeAsync().ConfigureAwait(false);
                return;
            }
        }

        var connection = new ClientConnection(_ctx, stream, socket.RemoteEndPoint, socket.LocalEndPoint, unix, socket);
        _ctx.Clients.Add(connection);
        await connection.RunAsync(_stopping.Token).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Error accepting a client connection: {Reason}")]
    private static partial void LogTlsFailed(ILogger logger, string reason);

    private static async Task RefuseAsync(Socket socket, byte[] reply)
    {
        try
        {
            await socket.SendAsync(reply, SocketFlags.None).ConfigureAwait(false);
        }
        catch (SocketException)
        {
        }
        finally
        {
            socket.Dispose();
        }
    }

    /// <summary>Stops accepting, closes every client (pending replies are flushed), waits for them.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var l in _listeners)
        {
            l.Dispose();
        }

        foreach (var c in _ctx.Clients.All())
        {
            c.RequestClose();
        }

        Task[] pending;
        lock (_connectionsLock)
        {
            pending = [.. _connections];
        }

        await Task.WhenAll(_acceptLoops).ConfigureAwait(false);
        await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        _stopping.Dispose();
    }
}
