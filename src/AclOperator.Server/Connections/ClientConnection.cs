using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using AclOperator.Acl.Users;
using AclOperator.Server.AclRuntime;
using AclOperator.Server.Backend;
using AclOperator.Server.Commands;
using AclOperator.Server.Hosting;
using AclOperator.Server.Protocol;
using Microsoft.Extensions.Logging;

namespace AclOperator.Server.Connections;

/// <summary>
/// One client connection: a read loop that parses requests and runs Redis's processCommand steps
/// (<c>ClientConnection.Dispatch.cs</c>), a writer loop that drains <see cref="OutputBuffer"/> to the socket, and the
/// per-client state Redis keeps (user, authentication, protocol, name, db, MULTI queue, subscriptions).
/// </summary>
internal sealed partial class ClientConnection : IAclClient, IBackendReplySink, IDisposable
{
    private readonly ServerContext _ctx;
    private readonly Stream _stream;
    private readonly Socket? _socket;
    private readonly PipeReader _reader;
    private readonly OutputBuffer _out = new();
    private readonly ArrayBufferWriter<byte> _scratch = new(256);
    private readonly RespWriter _writer;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _closed = new();
    // Opened on the first command that needs the backend, so idle connections hold no backend session (E14).
    private IBackendSession? _backend;

    // A placeholder for an unreachable upstream held no state: the next command tries a new session (E13 backoff).
    private IBackendSession Backend => _backend is null or { CanReopen: true } ? (_backend = OpenBackendSession()) : _backend;

    // Held by the read loop while it processes a batch; the idle sweeper only releases a session it can take.
    private readonly SemaphoreSlim _backendGate = new(1, 1);

    /// <summary>
    /// Opens the backend session. A session released while idle (<see cref="TryReleaseIdleBackend"/>) is re-created
    /// with the connection's protocol and database, so the client cannot tell.
    /// </summary>
    private IBackendSession OpenBackendSession()
    {
        var session = _ctx.Backend.OpenSession(this);
        if (Protocol == 3 || Db != 0)
        {
            var savedCapture = _capture;
            int savedThread = _executingThread;
            _capture = new ArrayBufferWriter<byte>(64);
            _executingThread = Environment.CurrentManagedThreadId;
            try
            {
                var frames = new ArrayBufferWriter<byte>(64);
                if (Protocol == 3)
                {
                    RespEncoding.WriteCommand(frames, AclOperator.Acl.Evaluation.ArgvBuilder.From("HELLO", "3").Args);
                }

                if (Db != 0)
                {
                    RespEncoding.WriteCommand(frames, AclOperator.Acl.Evaluation.ArgvBuilder.From("SELECT", Db.ToString(System.Globalization.CultureInfo.InvariantCulture)).Args);
                }

                session.Execute(frames.WrittenSpan);
            }
            finally
            {
                _capture = savedCapture;
                _executingThread = savedThread;
            }
        }

        return session;
    }

    /// <summary>
    /// E14: releases the backend session of a connection idle for <paramref name="idleMs"/> whose session holds no
    /// state the client could notice (no MULTI, WATCH, subscription or blocked call), so idle connections stay small.
    /// Called by the server's sweeper; returns true when a session was released.
    /// </summary>
    internal bool TryReleaseIdleBackend(long nowMs, long idleMs)
    {
        if (_backend is null || _closing || nowMs - LastInteractionMs < idleMs || !_backendGate.Wait(0))
        {
            return false;
        }

        try
        {
            if (_backend is not { } session || Blocked || _inMulti || _watching || IsPubSub || _batch.WrittenCount != 0)
            {
                return false;
            }

            _backend = null;
            session.Dispose();
            return true;
        }
        finally
        {
            _backendGate.Release();
        }
    }

    // Forwarded frames accumulated between local commands (E15: one backend call per contiguous run).
    private ArrayBufferWriter<byte> _batch = new(1024);

    // Replies captured instead of sent (EXEC batches, HELLO protocol switch, backend INFO).
    private ArrayBufferWriter<byte>? _capture;
    private int _executingThread;

    private volatile bool _closing;
    private volatile bool _readDone;
    private volatile string _userName = AclUserTable.DefaultUserName;
    private AclUser _user;
    private long _epoch;

    public ClientConnection(ServerContext ctx, Stream stream, EndPoint? remote, EndPoint? local, bool unixSocket, Socket? socket = null)
    {
        _ctx = ctx;
        _stream = stream;
        _socket = socket;
        _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 4096, minimumReadSize: 1024, leaveOpen: true));
        _writer = new RespWriter(_scratch);
        _logger = ctx.LoggerFactory.CreateLogger("aclop.client");
        Id = ctx.Clients.NextId();
        Address = unixSocket ? "/unixsocket:0" : FormatEndPoint(remote);
        LocalAddress = unixSocket ? "/unixsocket" : FormatEndPoint(local);
        IsUnixSocket = unixSocket;
        RemoteEndPoint = remote;
        CreatedAt = ctx.NowMs;
        LastInteractionMs = CreatedAt;
        var snapshot = ctx.Acl.Current;
        _user = snapshot.Users.Default;
        _epoch = snapshot.Epoch;
        Authenticated = _user.NoPass && _user.Enabled;
    }

    public long Id { get; }

    public string Address { get; }

    public string LocalAddress { get; }

    public bool IsUnixSocket { get; }

    public EndPoint? RemoteEndPoint { get; }

    public long CreatedAt { get; }

    public long LastInteractionMs { get; private set; }

    public string? Name { get; private set; }

    public string? LibName { get; private set; }

    public string? LibVersion { get; private set; }

    /// <summary>2 or 3 (HELLO).</summary>
    public int Protocol { get; private set; } = 2;

    public int Db { get; private set; }

    public bool Authenticated { get; private set; }

    public bool NoEvict { get; private set; }

    public bool NoTouch { get; private set; }

    public bool Blocked { get; private set; }

    /// <summary>Full name of the last command (CLIENT LIST <c>cmd=</c>).</summary>
    public string LastCommand { get; private set; } = "NULL";

    public string UserName => _userName;

    public AclUser User => _user;

    public bool IsClosing => _closing;

    /// <summary>Redis's <c>authRequired</c>: not authenticated and the default user needs a password or is off.</summary>
    public bool AuthRequired
    {
        get
        {
            if (Authenticated)
            {
                return false;
            }

            var d = _ctx.Acl.Current.Users.Default;
            return !d.NoPass || !d.Enabled;
        }
    }

    /// <summary>Runs the connection until the client leaves, is killed or the server stops.</summary>
    public async Task RunAsync(CancellationToken serverStopping)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(serverStopping, _closed.Token);
        var writerLoop = WriteLoopAsync(linked.Token);
        try
        {
            await ReadLoopAsync(linked.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away or the server is stopping.
        }
        catch (Exception e)
        {
            LogUnexpected(_logger, Id, e);
        }
        finally
        {
            _closing = true;
            _readDone = true;
            _out.Signal();
            try
            {
                // Let pending replies (QUIT's +OK, the last error) reach the client before closing.
                await writerLoop.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException or IOException or SocketException or ObjectDisposedException)
            {
            }

            await CloseAsync().ConfigureAwait(false);
        }
    }

    private async Task ReadLoopAsync(CancellationToken ct)
    {
        var parser = new RequestParser(new ParserLimits
        {
            MaxBulkLength = _ctx.Settings.ProtoMaxBulkLen,
            MaxFrameLength = (int)Math.Min(_ctx.Settings.ClientQueryBufferLimit, int.MaxValue),
        });
        using var request = new Request();
        while (!_closing)
        {
            var result = await _reader.ReadAsync(ct).ConfigureAwait(false);
            var buffer = result.Buffer;
            _backendGate.Wait(ct);
            try
            {
                while (!_closing)
                {
                    var status = parser.TryParse(buffer, !AuthRequired, request, out var consumedTo, out var error);
                    if (status == RequestParseStatus.Incomplete)
                    {
                        break;
                    }

                    if (status == RequestParseStatus.TooLarge)
                    {
                        LogQueryBufferLimit(_logger, Id, buffer.Length);
                        _closing = true;
                        break;
                    }

                    if (status == RequestParseStatus.Error)
                    {
                        _ctx.Metrics.CountCommand(Admin.CommandResult.Rejected);
                        FlushBatch();
                        WriteReplyError(error!);
                        _closing = true;
                        break;
                    }

                    if (status == RequestParseStatus.SecurityWarning)
                    {
                        LogSecurityAttack(_logger);
                        _closing = true;
                        break;
                    }

                    var frameEnd = consumedTo;
                    if (status == RequestParseStatus.Complete)
                    {
                        await ProcessAsync(request, ct).ConfigureAwait(false);
                    }

                    buffer = buffer.Slice(frameEnd);
                }

                await FlushBatchAsync().ConfigureAwait(false);
                ReleasePushes();
            }
            finally
            {
                _backendGate.Release();
            }

            if (!_closing && buffer.Length > _ctx.Settings.ClientQueryBufferLimit)
            {
                // Redis closes a client whose query buffer passes client-query-buffer-limit.
                LogQueryBufferLimit(_logger, Id, buffer.Length);
                _closing = true;
            }

            _reader.AdvanceTo(buffer.Start, buffer.End);
            if (!TryWriteInline())
            {
                _out.Signal();
            }

            if (result.IsCompleted)
            {
                break;
            }

            // Stop reading while the client does not drain its replies (E14).
            while (!_closing && _out.Pending > 64L * 1024 * 1024)
            {
                await Task.Delay(1, ct).ConfigureAwait(false);
            }
        }
    }

    private async Task WriteLoopAsync(CancellationToken ct)
    {
        var taken = new List<(byte[] Array, int Length)>();
        try
        {
            while (true)
            {
                if (_out.Pending == 0)
                {
                    // Only once the read loop is done: a killed caller still gets the reply of the command that
                    // killed it (ACL DELUSER of its own user, CLIENT KILL of itself), as in Redis.
                    if (_readDone)
                    {
                        return;
                    }

                    await _out.WaitAsync(ct).ConfigureAwait(false);
                }

                if (Interlocked.CompareExchange(ref _writing, 1, 0) != 0)
                {
                    // The read loop is writing its replies itself; it signals again if more is left.
                    await _out.WaitAsync(ct).ConfigureAwait(false);
                    continue;
                }

                _out.TakeAll(taken);
                try
                {
                    foreach (var (array, length) in taken)
                    {
                        await _stream.WriteAsync(array.AsMemory(0, length), ct).ConfigureAwait(false);
                    }

                    await _stream.FlushAsync(ct).ConfigureAwait(false);
                }
                finally
                {
                    _out.Return(taken);
                    Volatile.Write(ref _writing, 0);
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            _closing = true;
            _closed.Cancel();
        }
    }

    // 1 while a thread writes to the socket: the writer loop, or the read loop in TryWriteInline.
    private int _writing;
    private readonly List<(byte[] Array, int Length)> _inlineTaken = [];

    /// <summary>
    /// E15: the read loop writes the replies of its batch itself when the writer loop is idle and the output is small
    /// (a send that completes at once), saving the hand-off to the writer loop on every request/response round trip.
    /// Returns false when the writer loop must do it.
    /// </summary>
    private bool TryWriteInline()
    {
        long pending = _out.Pending;
        if (pending == 0)
        {
            return true;
        }

        if (pending > 64 * 1024 || _closing || Interlocked.CompareExchange(ref _writing, 1, 0) != 0)
        {
            return false;
        }

        try
        {
            _out.TakeAll(_inlineTaken);
            foreach (var (array, length) in _inlineTaken)
            {
                _stream.Write(array, 0, length);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            _closing = true;
            _closed.Cancel();
        }
        finally
        {
            _out.Return(_inlineTaken);
            Volatile.Write(ref _writing, 0);
        }

        // Pushes appended meanwhile are the writer loop's.
        return _out.Pending == 0;
    }

    private async Task CloseAsync()
    {
        _ctx.Clients.Remove(this);
        try
        {
            _backend?.Dispose();
        }
        catch (Exception e)
        {
            LogUnexpected(_logger, Id, e);
        }

        await _reader.CompleteAsync().ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
        Dispose();
    }

    /// <summary>Releases the output buffer and the close signal (after <see cref="RunAsync"/> ended).</summary>
    public void Dispose()
    {
        _out.Dispose();
        _closed.Dispose();
        _backendGate.Dispose();
    }

    /// <summary>Closes the connection after the replies already queued (CLIENT KILL, ACL DELUSER, QUIT).</summary>
    public void RequestClose()
    {
        _closing = true;
        try
        {
            _out.Signal();

            // Wake a read loop waiting for input; pending output is still written by the writer loop.
            _reader.CancelPendingRead();
            if (Blocked)
            {
                _backend?.Unblock(withError: false);
            }
        }
        catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException)
        {
            // Already closed.
        }
    }

    /// <summary>
    /// While the read loop waits for a blocked command nobody reads the socket, so a client that goes away would
    /// never be noticed (E12): poll the socket for end-of-stream until the command returns. A wake that found
    /// nothing to unblock yet (CLIENT KILL or an ACL change right after the command was accepted, while it was still
    /// on its way to the backend) is retried here until the command returns, so it cannot stay blocked forever.
    /// </summary>
    internal async Task WatchForDisconnectAsync(Task blocked)
    {
        while (!blocked.IsCompleted)
        {
            await Task.WhenAny(blocked, Task.Delay(200)).ConfigureAwait(false);
            if (blocked.IsCompleted)
            {
                return;
            }

            if (_closing || _blockedDenial is not null)
            {
                _backend?.Unblock(withError: false);
                continue;
            }

            try
            {
                if (_socket is not null && _socket.Poll(0, SelectMode.SelectRead) && _socket.Available == 0)
                {
                    RequestClose();
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                RequestClose();
            }
        }
    }

    // ---- IAclClient -------------------------------------------------------------------------------------------

    public void AclPublished(AclSnapshot snapshot)
    {
        if (!Blocked || _blockedCommand is not { } q)
        {
            return;
        }

        var user = snapshot.Users.Find(_userName);
        if (user is null)
        {
            return; // DELUSER closes the connection itself.
        }

        var r = ScriptPolicy.Check(user, q.Command, q.Args, _ctx.Settings.TrustScripts);
        if (r.IsAclDenial)
        {
            _blockedDenial = (r, user);
            _backend?.Unblock(withError: false);
        }
    }

    public void DeauthenticateAndClose()
    {
        _userName = AclUserTable.DefaultUserName;
        Authenticated = false;
        RequestClose();
    }

    // ---- IBackendReplySink ------------------------------------------------------------------------------------

    public void OnReply(ReadOnlySpan<byte> reply)
    {
        if (_capture is not null && Environment.CurrentManagedThreadId == _executingThread)
        {
            _capture.Write(reply);
            return;
        }

        // Off the connection thread: pub/sub pushes and the reply of a blocking command. The backend may deliver one
        // frame in several pieces, so only whole frames join the output: a reply of ours can never land inside a
        // message, and a piece left over when the session is reset is dropped instead of corrupting the stream.
        lock (_asyncLock)
        {
            _asyncPending.Write(reply);
            var pending = _asyncPending.WrittenSpan;
            int pos = 0;
            while (pos < pending.Length && RespReplyScanner.TryReadFrame(pending[pos..], out int length, out var kind))
            {
                var frame = pending.Slice(pos, length);
                if (_blockedReply is { } blocked && kind != RespFrameKind.Push && blocked.WrittenCount == 0)
                {
                    // The reply of the blocked command: handed to the connection thread (reply mode, error text).
                    blocked.Write(frame);
                }
                else if (_holdPushes)
                {
                    // A reply of this connection is being produced: the push follows it (see HoldPushes).
                    (_heldPushes ??= new ArrayBufferWriter<byte>(256)).Write(frame);
                }
                else
                {
                    _out.Append(frame);
                }

                pos += length;
            }

            if (pos > 0)
            {
                var rest = pending[pos..].ToArray();
                _asyncPending.ResetWrittenCount();
                _asyncPending.Write(rest);
            }
        }

        // Enforce the pub/sub output limit (E11), then wake the writer.
        long limit = _ctx.Settings.PubSubOutputHardLimit;
        if (limit > 0 && _out.Pending > limit)
        {
            LogOutputLimit(_logger, Id, _out.Pending);
            RequestClose();
        }

        _out.Signal();
    }

    /// <summary>
    /// Reply bytes of the backend call in flight, from an upstream session's reader thread while this connection
    /// waits for them: they belong to the capture exactly as replies delivered on the connection thread.
    /// </summary>
    public void OnBatchReply(ReadOnlySpan<byte> reply)
    {
        if (_capture is { } capture)
        {
            capture.Write(reply);
            return;
        }

        lock (_asyncLock)
        {
            _out.Append(reply);
        }

        _out.Signal();
    }

    /// <summary>
    /// While the connection thread runs a backend call and commits its reply, pushes from other threads (pub/sub
    /// messages) are held so that none overtakes the reply it follows: a SUBSCRIBE confirmation always precedes the
    /// first message of the channel.
    /// </summary>
    private void HoldPushes()
    {
        lock (_asyncLock)
        {
            _holdPushes = true;
        }
    }

    /// <summary>Releases the pushes held by <see cref="HoldPushes"/>, after the reply they follow.</summary>
    private void ReleasePushes()
    {
        if (!_holdPushes)
        {
            return;
        }

        lock (_asyncLock)
        {
            _holdPushes = false;
            if (_heldPushes is not { WrittenCount: > 0 } held)
            {
                return;
            }

            _out.Append(held.WrittenSpan);
            held.ResetWrittenCount();
            if (held.Capacity > 64 * 1024)
            {
                _heldPushes = null;
            }
        }

        _out.Signal();
    }

    private volatile bool _holdPushes;
    private ArrayBufferWriter<byte>? _heldPushes;

    /// <summary>Drops a partly received push (RESET gives the client a new backend session).</summary>
    private void DropPartialPush()
    {
        lock (_asyncLock)
        {
            _asyncPending.ResetWrittenCount();
        }
    }

    private readonly Lock _asyncLock = new();
    private readonly ArrayBufferWriter<byte> _asyncPending = new(256);
    private volatile ArrayBufferWriter<byte>? _blockedReply;

    public void OnClosed(string reason)
    {
        // E13: a lost backend session is never replaced under the client; close it.
        if (!_closing)
        {
            LogBackendClosed(_logger, Id, reason);
            RequestClose();
        }
    }

    private static string FormatEndPoint(EndPoint? ep) => ep switch
    {
        IPEndPoint ip when ip.Address.IsIPv4MappedToIPv6 => $"{ip.Address.MapToIPv4()}:{ip.Port}",
        IPEndPoint ip when ip.AddressFamily == AddressFamily.InterNetworkV6 => $"{ip.Address}:{ip.Port}",
        IPEndPoint ip => $"{ip.Address}:{ip.Port}",
        null => "?:0",
        _ => ep.ToString() ?? "?:0",
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Client id={ClientId}: unexpected error, closing the connection")]
    private static partial void LogUnexpected(ILogger logger, long clientId, Exception e);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Possible SECURITY ATTACK detected. It looks like somebody is sending POST or Host: commands to Redis. This is likely due to an attacker attempting to use Cross Protocol Scripting to compromise your Redis instance. Connection aborted.")]
    private static partial void LogSecurityAttack(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Closing client id={ClientId} that reached max query buffer length ({Length} bytes)")]
    private static partial void LogQueryBufferLimit(ILogger logger, long clientId, long length);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Client id={ClientId} scheduled to be closed ASAP for overcoming of output buffer limits ({Pending} bytes pending).")]
    private static partial void LogOutputLimit(ILogger logger, long clientId, long pending);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Client id={ClientId}: backend session closed ({Reason}); closing the client")]
    private static partial void LogBackendClosed(ILogger logger, long clientId, string reason);
}
