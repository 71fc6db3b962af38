using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks.Sources;
using AclOperator.Server.Protocol;

namespace AclOperator.Server.Backend.Upstream;

/// <summary>
/// One upstream connection per client connection (E13). Requests are written as the client sent them; one reader loop
/// frames the reply stream with <see cref="RespReplyScanner"/> and gives each frame its place (E6): the reply of the
/// call in flight (counted per request: one per command, one per channel for the (UN)SUBSCRIBE family), or an
/// out-of-band push (<c>&gt;</c> frames, RESP2 pub/sub messages) for the sink. A lost connection errors the replies
/// still expected, closes the client and is never replaced under it.
/// </summary>
internal sealed class UpstreamBackendSession : IBackendSession, IValueTaskSource
{
    internal const string LostReplyPrefix = "-ERR upstream connection lost: ";

    private enum WaitMode
    {
        None,
        Sync,
        Async,
        Blocking,
    }

    private readonly UpstreamBackend _backend;
    private readonly UpstreamLink _link;
    private readonly Stream _stream;
    private readonly IBackendReplySink _sink;
    private readonly PipeReader _reader;
    private readonly RespReplyScanner _scanner = new();
    private readonly Lock _lock = new();
    private readonly ManualResetEventSlim _syncDone = new(false);
    // Continuations run inline on the reader thread, after it has released its read buffer (see CompleteDeferred):
    // the client's next batch is processed without a thread hop.
    private ManualResetValueTaskSourceCore<bool> _asyncDone = new() { RunContinuationsAsynchronously = false };
    private bool _deferredAsync;
    private int _inlineThread;
    private TaskCompletionSource? _blockingDone;
    private WaitMode _mode;
    private int _remaining;
    private bool _expectConfirmations;
    private bool _inMulti;
    private long _scanned;
    private byte[]? _linear;
    private string? _lostReason;
    private int _disposed;

    // Channels, patterns and shard channels this session is subscribed to (from the upstream's confirmations): an
    // UNSUBSCRIBE without arguments is answered with one frame per subscription.
    private readonly HashSet<string>[] _subscriptions = [new(StringComparer.Ordinal), new(StringComparer.Ordinal), new(StringComparer.Ordinal)];

    internal UpstreamBackendSession(UpstreamBackend backend, UpstreamLink link, IBackendReplySink sink)
    {
        _backend = backend;
        _link = link;
        _stream = link.Stream;
        _sink = sink;
        _reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 4096, minimumReadSize: 1024, leaveOpen: true));
        _ = ReadLoopAsync();
    }

    /// <summary>The upstream's CLIENT ID of this session.</summary>
    internal long UpstreamClientId => _link.ClientId;

    public bool IsClosed => _lostReason is not null || Volatile.Read(ref _disposed) != 0;

    public void Execute(ReadOnlySpan<byte> requests)
    {
        int expected = CountReplies(requests);
        if (!Begin(WaitMode.Sync, expected))
        {
            return;
        }

        Write(requests);
        if (Environment.CurrentManagedThreadId == Volatile.Read(ref _inlineThread))
        {
            // Called from a continuation running on the reader thread: nobody else will read the replies.
            PumpUntil(_syncDone);
        }
        else
        {
            _syncDone.Wait();
        }
    }

    /// <summary>Reads and delivers replies on this thread until <paramref name="done"/> is set (see <see cref="Execute"/>).</summary>
    private void PumpUntil(ManualResetEventSlim done)
    {
        while (!done.IsSet)
        {
            try
            {
                var result = _reader.ReadAsync().AsTask().GetAwaiter().GetResult();
                var buffer = result.Buffer;
                bool valid = ProcessFrames(ref buffer);
                _reader.AdvanceTo(buffer.Start, buffer.End);
                if (!valid || result.IsCompleted)
                {
                    Lose(valid ? "connection closed by the upstream" : "protocol error in the upstream's reply stream");
                }
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
            {
                Lose((e.InnerException ?? e).Message);
            }
        }
    }

    public ValueTask ExecuteAsync(ReadOnlyMemory<byte> requests)
    {
        int expected = CountReplies(requests.Span);
        if (!Begin(WaitMode.Async, expected))
        {
            return default;
        }

        short version = _asyncDone.Version;
        Write(requests.Span);
        return new ValueTask(this, version);
    }

    public Task ExecuteBlockingAsync(ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        int expected = CountReplies(request.Span);
        if (!Begin(WaitMode.Blocking, expected))
        {
            return Task.CompletedTask;
        }

        var done = _blockingDone!.Task;
        Write(request.Span);
        return done;
    }

    public bool Unblock(bool withError)
    {
        lock (_lock)
        {
            if (_mode != WaitMode.Blocking || _lostReason is not null)
            {
                return false;
            }
        }

        // The command may still be on its way to the upstream: the connection retries briefly (UnblockBackend).
        return _backend.UnblockClient(_link.ClientId, withError);
    }

    /// <summary>Registers the replies the caller waits for; false when the session is gone (errors already delivered).</summary>
    private bool Begin(WaitMode mode, int expected)
    {
        string? lost;
        lock (_lock)
        {
            lost = _lostReason;
            if (lost is null && expected > 0)
            {
                _mode = mode;
                _remaining = expected;
                switch (mode)
                {
                    case WaitMode.Sync:
                        _syncDone.Reset();
                        break;
                    case WaitMode.Async:
                        _asyncDone.Reset();
                        break;
                    default:
                        _blockingDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                        break;
                }

                return true;
            }
        }

        if (lost is not null && Volatile.Read(ref _disposed) == 0)
        {
            DeliverLost(mode, expected, lost);
        }

        return false;
    }

    private void Write(ReadOnlySpan<byte> requests)
    {
        try
        {
            _stream.Write(requests);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            Lose("write failed: " + (e.InnerException ?? e).Message);
        }
    }

    private async Task ReadLoopAsync()
    {
        string reason = "connection closed by the upstream";
        try
        {
            if (!_link.Leftover.IsEmpty)
            {
                throw new InvalidOperationException("unexpected bytes after the handshake");
            }

            while (true)
            {
                var result = await _reader.ReadAsync().ConfigureAwait(false);
                var buffer = result.Buffer;
                if (!ProcessFrames(ref buffer))
                {
                    reason = "protocol error in the upstream's reply stream";
                    break;
                }

                _reader.AdvanceTo(buffer.Start, buffer.End);
                CompleteDeferred();
                if (result.IsCompleted || result.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            reason = (e.InnerException ?? e).Message;
        }

        CompleteDeferred();
        Lose(reason);
        await _reader.CompleteAsync().ConfigureAwait(false);
    }

    private bool ProcessFrames(ref ReadOnlySequence<byte> buffer)
    {
        while (true)
        {
            var status = _scanner.Scan(buffer.Slice(_scanned), out long consumed);
            if (status == RespScanStatus.Invalid)
            {
                return false;
            }

            if (status == RespScanStatus.NeedMore)
            {
                _scanned += consumed;
                return true;
            }

            long end = _scanned + consumed;
            var frame = buffer.Slice(0, end);
            Deliver(frame.IsSingleSegment ? frame.FirstSpan : Linearize(frame), _scanner.Kind);
            buffer = buffer.Slice(end);
            _scanned = 0;
        }
    }

    private ReadOnlySpan<byte> Linearize(in ReadOnlySequence<byte> frame)
    {
        int length = checked((int)frame.Length);
        if (_linear is null || _linear.Length < length)
        {
            _linear = new byte[Math.Max(length, 4096)];
        }

        frame.CopyTo(_linear);
        var span = _linear.AsSpan(0, length);
        if (_linear.Length > 1024 * 1024)
        {
            // A large reply does not pin its buffer (E14); the span stays valid until the next frame.
            _linear = null;
        }

        return span;
    }

    private void Deliver(ReadOnlySpan<byte> frame, RespFrameKind kind)
    {
        WaitMode completed = WaitMode.None;
        lock (_lock)
        {
            if (_remaining > 0 && IsReply(frame, kind))
            {
                if (_mode == WaitMode.Blocking)
                {
                    _sink.OnReply(frame);
                }
                else
                {
                    _sink.OnBatchReply(frame);
                }

                if (--_remaining == 0)
                {
                    completed = _mode;
                    _mode = WaitMode.None;
                    _expectConfirmations = false;
                }
            }
            else
            {
                // Out of band: the client gets it in stream order relative to what it has already received.
                _sink.OnReply(frame);
            }
        }

        if (completed == WaitMode.Async)
        {
            // Completed by the read loop once it has released its buffer (the continuation may read replies itself).
            _deferredAsync = true;
        }
        else
        {
            Complete(completed);
        }
    }

    /// <summary>Runs the continuation of a completed <see cref="ExecuteAsync"/> inline on the reader thread.</summary>
    private void CompleteDeferred()
    {
        if (!_deferredAsync)
        {
            return;
        }

        _deferredAsync = false;
        Volatile.Write(ref _inlineThread, Environment.CurrentManagedThreadId);
        try
        {
            _asyncDone.SetResult(true);
        }
        finally
        {
            Volatile.Write(ref _inlineThread, 0);
        }
    }

    private void Complete(WaitMode mode)
    {
        switch (mode)
        {
            case WaitMode.Sync:
                _syncDone.Set();
                break;
            case WaitMode.Async:
                _asyncDone.SetResult(true);
                break;
            case WaitMode.Blocking:
                _blockingDone?.TrySetResult();
                break;
        }
    }

    /// <summary>Whether a frame answers a request (as opposed to a push), keeping subscription state up to date.</summary>
    private bool IsReply(ReadOnlySpan<byte> frame, RespFrameKind kind)
    {
        if (kind is not (RespFrameKind.Push or RespFrameKind.Array) || !TryFirstElement(frame, out var first))
        {
            return kind != RespFrameKind.Push;
        }

        int confirmation = ConfirmationKind(first, out bool subscribe);
        if (confirmation >= 0 && _expectConfirmations)
        {
            Track(frame, confirmation, subscribe);
            return true;
        }

        if (kind == RespFrameKind.Push)
        {
            return false;
        }

        // RESP2: a subscribed session's messages are plain arrays.
        bool subscribed = _subscriptions[0].Count + _subscriptions[1].Count + _subscriptions[2].Count > 0;
        return !(subscribed && (first.SequenceEqual("message"u8) || first.SequenceEqual("pmessage"u8) || first.SequenceEqual("smessage"u8)));
    }

    private static bool TryFirstElement(ReadOnlySpan<byte> frame, out ReadOnlySpan<byte> first)
    {
        first = default;
        return RespReplyScanner.TryReadAggregateHeader(frame, out _, out long count, out int header) && count >= 1
            && RespReplyScanner.TryReadBulkString(frame[header..], out first, out bool isNull) && !isNull;
    }

    /// <summary>0 channels, 1 patterns, 2 shard channels; -1 when not a (un)subscribe confirmation.</summary>
    private static int ConfirmationKind(ReadOnlySpan<byte> word, out bool subscribe)
    {
        subscribe = true;
        switch (word.Length)
        {
            case 9 when word.SequenceEqual("subscribe"u8):
                return 0;
            case 10 when word.SequenceEqual("psubscribe"u8):
                return 1;
            case 10 when word.SequenceEqual("ssubscribe"u8):
                return 2;
        }

        subscribe = false;
        return word.Length switch
        {
            11 when word.SequenceEqual("unsubscribe"u8) => 0,
            12 when word.SequenceEqual("punsubscribe"u8) => 1,
            12 when word.SequenceEqual("sunsubscribe"u8) => 2,
            _ => -1,
        };
    }

    private void Track(ReadOnlySpan<byte> frame, int kind, bool subscribe)
    {
        RespReplyScanner.TryReadAggregateHeader(frame, out _, out _, out int pos);
        if (!RespReplyScanner.TryReadFrame(frame[pos..], out int firstLength, out _))
        {
            return;
        }

        pos += firstLength;
        if (!RespReplyScanner.TryReadBulkString(frame[pos..], out var channel, out bool isNull) || isNull)
        {
            return;
        }

        string name = Encoding.Latin1.GetString(channel);
        if (subscribe)
        {
            _subscriptions[kind].Add(name);
        }
        else
        {
            _subscriptions[kind].Remove(name);
        }
    }

    /// <summary>How many reply frames the upstream sends for these request frames (multibulk, as validated by our parser).</summary>
    private int CountReplies(ReadOnlySpan<byte> requests)
    {
        int total = 0;
        int pos = 0;
        while (pos < requests.Length)
        {
            if (!RequestFrames.TryRead(requests, ref pos, out int argc, out var name))
            {
                throw new ArgumentException("Requests must be complete RESP multibulk frames.", nameof(requests));
            }

            total += RepliesFor(name, argc);
        }

        return total;
    }

    private int RepliesFor(ReadOnlySpan<byte> name, int argc)
    {
        if (_inMulti)
        {
            if (Ascii.EqualsIgnoreCase(name, "exec"u8) || Ascii.EqualsIgnoreCase(name, "discard"u8))
            {
                _inMulti = false;
            }

            return 1;
        }

        if (Ascii.EqualsIgnoreCase(name, "multi"u8))
        {
            _inMulti = true;
            return 1;
        }

        Span<byte> lower = stackalloc byte[12];
        if (name.Length is < 9 or > 12 || Ascii.ToLower(name, lower, out int written) != OperationStatus.Done)
        {
            return 1;
        }

        int kind = ConfirmationKind(lower[..written], out bool subscribe);
        if (kind < 0)
        {
            return 1;
        }

        _expectConfirmations = true;
        if (subscribe || argc > 1)
        {
            return Math.Max(1, argc - 1);
        }

        return Math.Max(1, _subscriptions[kind].Count);
    }

    /// <summary>The session is gone: error what the caller still waits for, close the client (E13).</summary>
    private void Lose(string reason)
    {
        WaitMode mode;
        int remaining;
        lock (_lock)
        {
            if (_lostReason is not null)
            {
                return;
            }

            _lostReason = reason;
            mode = _mode;
            remaining = _remaining;
            _mode = WaitMode.None;
            _remaining = 0;
        }

        if (Volatile.Read(ref _disposed) == 0)
        {
            DeliverLost(mode, remaining, reason);
            _sink.OnClosed("upstream " + reason);
            _backend.SessionLost(this, reason);
        }

        Complete(mode);
    }

    private void DeliverLost(WaitMode mode, int count, string reason)
    {
        byte[] error = Encoding.UTF8.GetBytes(LostReplyPrefix + reason.ReplaceLineEndings(" ") + "\r\n");
        for (int i = 0; i < count; i++)
        {
            if (mode == WaitMode.Blocking)
            {
                _sink.OnReply(error);
            }
            else
            {
                _sink.OnBatchReply(error);
            }
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _link.Dispose();
        Lose("session closed");
        _backend.Forget(this);
    }

    // ---- IValueTaskSource (ExecuteAsync without an allocation per call) ------------------------------------------

    void IValueTaskSource.GetResult(short token) => _asyncDone.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _asyncDone.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _asyncDone.OnCompleted(continuation, state, token, flags);
}
