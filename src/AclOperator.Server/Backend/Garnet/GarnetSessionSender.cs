using System.Buffers;
using Garnet.networking;

namespace AclOperator.Server.Backend.Garnet;

/// <summary>
/// Garnet's "socket" for one in-process session. Garnet writes replies into a pinned buffer and hands them over with
/// <see cref="SendResponse(int, int)"/>, which copies them to the sink at once, so one buffer is reused for ever.
/// The lock is real (a reentrant monitor): pub/sub pushes arrive from Garnet's broker threads while the session's own
/// thread may be running a command. Sink calls never overlap because they all happen under that lock.
/// </summary>
internal sealed unsafe class GarnetSessionSender : INetworkSender
{
    private static readonly MaxSizeSettings s_maxSizeSettings = new();

    private readonly object _gate = new();
    private readonly byte[] _buffer;
    private readonly byte* _head;
    private readonly byte* _tail;
    private readonly IBackendReplySink? _sink;
    private ArrayBufferWriter<byte>? _capture;
    private volatile string? _closeReason;
    private volatile bool _closed;
    private volatile bool _silenced;
    private volatile bool _closeDelivered;
    private volatile bool _sinkFailed;
    private int _depth;

    public GarnetSessionSender(IBackendReplySink? sink, int bufferSize, string remoteName)
    {
        _sink = sink;
        _buffer = GC.AllocateUninitializedArray<byte>(Math.Max(bufferSize, 4096), pinned: true);
        fixed (byte* p = _buffer)
        {
            // Pinned object heap: the address never changes.
            _head = p;
        }

        _tail = _head + _buffer.Length;
        RemoteEndpointName = remoteName;
    }

    /// <summary>Test hook: runs inside Garnet's call stack whenever Garnet takes the response buffer.</summary>
    internal Action? FaultInjector { get; set; }

    public bool IsClosed => _closed;

    public string? CloseReason => _closeReason;

    public MaxSizeSettings GetMaxSizeSettings => s_maxSizeSettings;

    public string RemoteEndpointName { get; }

    public string LocalEndpointName => "inproc";

    /// <summary>Always false: keeps Garnet's "local connection" gates (DEBUG, MODULE) shut.</summary>
    public bool IsLocalConnection() => false;

    /// <summary>Replies go to an internal buffer instead of the sink until <see cref="EndCapture"/>.</summary>
    public void BeginCapture()
    {
        lock (_gate)
        {
            _capture = new ArrayBufferWriter<byte>(256);
        }
    }

    public byte[] EndCapture()
    {
        lock (_gate)
        {
            byte[] captured = _capture?.WrittenSpan.ToArray() ?? [];
            _capture = null;
            return captured;
        }
    }

    /// <summary>The owner is closing the session itself: no more sink calls, not even OnClosed.</summary>
    public void Silence()
    {
        _silenced = true;
        _closed = true;
    }

    /// <summary>Marks the session closed and tells the sink once, serialised with replies.</summary>
    public void Close(string reason)
    {
        if (_closeReason is null)
        {
            _closeReason = reason;
        }

        _closed = true;
        TryDeliverClose();
    }

    private void TryDeliverClose()
    {
        // If this thread (or another) holds the lock, the holder delivers it when it leaves the outermost level, after
        // the replies it is still writing (e.g. Garnet's protocol error reply before it disposes the sender).
        if (_closeReason is null || Monitor.IsEntered(_gate) || !Monitor.TryEnter(_gate))
        {
            return;
        }

        try
        {
            DeliverCloseLocked();
        }
        finally
        {
            Monitor.Exit(_gate);
        }
    }

    private void DeliverCloseLocked()
    {
        if (_closeDelivered || _closeReason is not string reason)
        {
            return;
        }

        _closeDelivered = true;
        if (_silenced || _sink is null)
        {
            return;
        }

        try
        {
            _sink.OnClosed(reason);
        }
        catch (Exception)
        {
            // A failing sink must not disturb Garnet's threads.
        }
    }

    public void Enter()
    {
        Monitor.Enter(_gate);
        _depth++;
    }

    public void EnterAndGetResponseObject(out byte* head, out byte* tail)
    {
        Enter();
        head = _head;
        tail = _tail;
        if (FaultInjector is Action fault)
        {
            try
            {
                fault();
            }
            catch
            {
                ExitCore();
                throw;
            }
        }
    }

    public void Exit() => ExitCore();

    public void ExitAndReturnResponseObject() => ExitCore();

    private void ExitCore()
    {
        if (_depth == 1 && _closeReason is not null)
        {
            DeliverCloseLocked();
        }

        _depth--;
        Monitor.Exit(_gate);
        if (_closeReason is not null && !_closeDelivered)
        {
            TryDeliverClose();
        }
    }

    public void GetResponseObject()
    {
    }

    public void ReturnResponseObject()
    {
    }

    public byte* GetResponseObjectHead() => _head;

    public byte* GetResponseObjectTail() => _tail;

    public bool SendResponse(int offset, int size)
    {
        if (size > 0)
        {
            Deliver(new ReadOnlySpan<byte>(_head + offset, size));
        }

        return true;
    }

    public void SendResponse(byte[] buffer, int offset, int count, object context)
    {
        Enter();
        try
        {
            Deliver(buffer.AsSpan(offset, count));
        }
        finally
        {
            ExitCore();
        }
    }

    /// <summary>Sends bytes produced by us (not Garnet) to the sink, serialised with Garnet's replies.</summary>
    public void SendLocal(ReadOnlySpan<byte> reply)
    {
        Enter();
        try
        {
            Deliver(reply);
        }
        finally
        {
            ExitCore();
        }
    }

    public void SendCallback(object context)
    {
    }

    private void Deliver(ReadOnlySpan<byte> reply)
    {
        if (_capture is ArrayBufferWriter<byte> capture)
        {
            capture.Write(reply);
            return;
        }

        if (_closeDelivered || _sinkFailed || _silenced || _sink is null)
        {
            return;
        }

        try
        {
            _sink.OnReply(reply);
        }
        catch (Exception ex)
        {
            _sinkFailed = true;
            // Never let a sink failure escape into Garnet (it may be a broker thread serving everyone).
            Close("reply sink failed: " + ex.Message);
        }
    }

    public void DisposeNetworkSender(bool waitForSendCompletion) => Close("connection closed by the backend");

    public bool TryClose()
    {
        Close("connection killed by the backend");
        return true;
    }

    public void Throttle()
    {
    }

    public void Dispose()
    {
        // Garnet disposes the sender when it ends the session; our own Dispose path silences first.
        if (!_silenced)
        {
            Close("connection closed by the backend");
        }
    }
}
