using System.Buffers;
using System.Globalization;
using System.Text;
using Garnet.networking;

namespace AclOperator.Server.Backend.Garnet;

/// <summary>
/// One Garnet <c>RespServerSession</c> bound to a <see cref="GarnetSessionSender"/>. Request bytes go straight to
/// <see cref="IMessageConsumer.TryConsumeMessages"/>; the unconsumed tail (an incomplete frame, or everything from
/// MULTI on while Garnet queues a transaction and returns 0) is kept and passed again with the next bytes, as Garnet's
/// own network handler does.
/// </summary>
internal sealed unsafe class GarnetBackendSession : IBackendSession
{
    private const int MinReceiveBuffer = 4096;
    private static readonly byte[] s_clientId = "*2\r\n$6\r\nCLIENT\r\n$2\r\nID\r\n"u8.ToArray();

    private readonly GarnetEmbeddedBackend _backend;
    private readonly InProcessGarnetServer _server;
    private readonly GarnetSessionSender _sender;
    private readonly IMessageConsumer _consumer;
    private byte[]? _receive;
    private int _receiveCount;
    private int _validatedCount;
    private int _busy;
    private int _disposed;
    private int _consumerDisposed;
    private volatile BlockingCall? _blocking;

    internal GarnetBackendSession(GarnetEmbeddedBackend backend, InProcessGarnetServer server, IBackendReplySink? sink, int responseBufferSize, bool queryClientId)
    {
        _backend = backend;
        _server = server;
        _sender = new GarnetSessionSender(sink, responseBufferSize, "inproc");
        _consumer = server.CreateSession(_sender);
        if (queryClientId)
        {
            _sender.BeginCapture();
            Consume(s_clientId);
            byte[] reply = _sender.EndCapture();
            GarnetClientId = ParseInteger(reply);
        }
    }

    /// <summary>Garnet's CLIENT ID of this session (used for CLIENT UNBLOCK), or -1 when not known.</summary>
    internal long GarnetClientId { get; } = -1;

    internal GarnetSessionSender Sender => _sender;

    public bool IsClosed => _sender.IsClosed || Volatile.Read(ref _disposed) != 0;

    /// <summary>True while a call started by <see cref="ExecuteBlockingAsync"/> has not returned.</summary>
    internal bool IsBlockingCallRunning => _blocking is { Completed: false };

    public void Execute(ReadOnlySpan<byte> requests)
    {
        Enter();
        try
        {
            Consume(requests);
        }
        finally
        {
            Leave();
        }
    }

    /// <summary>Runs requests with replies captured instead of sent to the sink (internal control session).</summary>
    internal byte[] ExecuteCaptured(ReadOnlySpan<byte> requests)
    {
        Enter();
        try
        {
            _sender.BeginCapture();
            Consume(requests);
            return _sender.EndCapture();
        }
        finally
        {
            Leave();
        }
    }

    public Task ExecuteBlockingAsync(ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        Enter();
        var call = new BlockingCall(request);
        _blocking = call;
        var thread = new Thread(RunBlocking, GarnetEmbeddedBackend.BlockingThreadStackSize)
        {
            IsBackground = true,
            Name = "garnet-blocking",
        };
        try
        {
            if (cancellationToken.CanBeCanceled)
            {
                call.Cancellation = cancellationToken.Register(static s => ((GarnetBackendSession)s!).Unblock(withError: false), this);
            }

            thread.Start(call);
        }
        catch
        {
            call.Cancellation.Dispose();
            _blocking = null;
            Leave();
            throw;
        }

        return call.Completion.Task;
    }

    private void RunBlocking(object? state)
    {
        var call = (BlockingCall)state!;
        try
        {
            Consume(call.Request.Span);
        }
        finally
        {
            call.Completed = true;
            Leave();
            call.Completion.TrySetResult();
            call.Cancellation.Dispose();
        }
    }

    public bool Unblock(bool withError)
    {
        var call = _blocking;
        if (call is null || call.Completed || GarnetClientId < 0)
        {
            return false;
        }

        // The call may not have reached Garnet's wait yet; then CLIENT UNBLOCK answers 0, so retry briefly.
        long deadline = Environment.TickCount64 + 250;
        while (!call.Completed)
        {
            if (_backend.TryClientUnblock(GarnetClientId, withError))
            {
                return true;
            }

            if (Environment.TickCount64 > deadline)
            {
                return false;
            }

            call.Completion.Task.Wait(1);
        }

        return false;
    }

    private void Enter()
    {
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            throw new InvalidOperationException("A backend session runs one call at a time.");
        }
    }

    private void Leave() => Volatile.Write(ref _busy, 0);

    /// <summary>
    /// Hands bytes to Garnet. Only well-formed multibulk frames reach it (see <see cref="RespFrameValidator"/>); a
    /// malformed frame gets Redis's protocol error and closes this session. Any exception closes this session only (E17).
    /// </summary>
    private void Consume(ReadOnlySpan<byte> requests)
    {
        if (IsClosed || requests.IsEmpty)
        {
            return;
        }

        try
        {
            if (_receiveCount == 0)
            {
                // Fast path: no kept tail, so Garnet reads the caller's bytes directly.
                int valid = RespFrameValidator.ValidPrefix(requests, out string? error);
                int consumed = 0;
                if (valid > 0)
                {
                    fixed (byte* p = requests)
                    {
                        consumed = _consumer.TryConsumeMessages(p, valid);
                    }
                }

                if (error is not null)
                {
                    ProtocolError(error);
                    return;
                }

                if (consumed < requests.Length)
                {
                    KeepTail(requests[consumed..]);
                    _validatedCount = valid - consumed;
                }

                return;
            }

            Append(requests);
            int validEnd = _validatedCount + RespFrameValidator.ValidPrefix(_receive.AsSpan(_validatedCount, _receiveCount - _validatedCount), out string? err);
            _validatedCount = validEnd;
            int used = 0;
            if (validEnd > 0)
            {
                fixed (byte* p = _receive)
                {
                    used = _consumer.TryConsumeMessages(p, validEnd);
                }
            }

            if (err is not null)
            {
                ProtocolError(err);
                return;
            }

            DropConsumed(used);
        }
        catch (Exception ex)
        {
            _backend.LogSessionFault(ex);
            _sender.Close("backend error: " + ex.GetType().Name + ": " + ex.Message);
            ReleaseReceiveBuffer();
        }
    }

    private void ProtocolError(string error)
    {
        _sender.SendLocal(System.Text.Encoding.ASCII.GetBytes("-ERR " + error + "\r\n"));
        _sender.Close(error);
        ReleaseReceiveBuffer();
    }

    private void KeepTail(ReadOnlySpan<byte> tail)
    {
        EnsureCapacity(tail.Length);
        tail.CopyTo(_receive);
        _receiveCount = tail.Length;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        EnsureCapacity(_receiveCount + bytes.Length);
        bytes.CopyTo(_receive.AsSpan(_receiveCount));
        _receiveCount += bytes.Length;
    }

    private void EnsureCapacity(int needed)
    {
        if (_receive is not null && _receive.Length >= needed)
        {
            return;
        }

        byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Math.Max(MinReceiveBuffer, (_receive?.Length ?? 0) * 2)));
        if (_receive is not null)
        {
            _receive.AsSpan(0, _receiveCount).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_receive);
        }

        _receive = bigger;
    }

    private void DropConsumed(int consumed)
    {
        if (consumed <= 0)
        {
            return;
        }

        if (consumed >= _receiveCount)
        {
            ReleaseReceiveBuffer();
            return;
        }

        _receive.AsSpan(consumed, _receiveCount - consumed).CopyTo(_receive);
        _receiveCount -= consumed;
        _validatedCount = Math.Max(0, _validatedCount - consumed);
    }

    private void ReleaseReceiveBuffer()
    {
        _receiveCount = 0;
        _validatedCount = 0;
        if (_receive is byte[] buffer)
        {
            _receive = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static long ParseInteger(ReadOnlySpan<byte> reply)
    {
        if (reply.Length > 3 && reply[0] == (byte)':')
        {
            int end = reply.IndexOf((byte)'\r');
            if (end > 1 && long.TryParse(Encoding.ASCII.GetString(reply[1..end]), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
            {
                return value;
            }
        }

        return -1;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _sender.Silence();
        if (_blocking is BlockingCall call && !call.Completed)
        {
            // Wake the dedicated thread before Garnet's session goes away under it.
            long deadline = Environment.TickCount64 + 10_000;
            while (!call.Completion.Task.IsCompleted)
            {
                _backend.TryClientUnblock(GarnetClientId, withError: false);
                if (call.Completion.Task.Wait(10))
                {
                    break;
                }

                if (Environment.TickCount64 > deadline)
                {
                    // Something Garnet cannot unblock: leave its session to that thread rather than free it under it.
                    _backend.LogSessionFault(new TimeoutException("A blocked Garnet call did not wake on dispose."));
                    _backend.OnSessionDisposed(this);
                    return;
                }
            }
        }

        DisposeConsumer();
        _backend.OnSessionDisposed(this);
    }

    /// <summary>Ends the Garnet session. Only when no call is running on it (or the backend is shutting down).</summary>
    internal void DisposeConsumer()
    {
        if (Interlocked.Exchange(ref _consumerDisposed, 1) != 0)
        {
            return;
        }

        _server.RemoveSession(_consumer);
        try
        {
            _consumer.Dispose();
        }
        catch (Exception ex)
        {
            _backend.LogSessionFault(ex);
        }

        if (Volatile.Read(ref _busy) == 0)
        {
            ReleaseReceiveBuffer();
        }
    }

    private sealed class BlockingCall(ReadOnlyMemory<byte> request)
    {
        public ReadOnlyMemory<byte> Request { get; } = request;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationTokenRegistration Cancellation { get; set; }

        private volatile bool _completed;

        public bool Completed
        {
            get => _completed;
            set => _completed = value;
        }
    }
}
