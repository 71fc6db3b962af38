using System.Buffers;
using AclOperator.Acl.Evaluation;
using AclOperator.Server.Commands;
using AclOperator.Server.Protocol;

namespace AclOperator.Server.Connections;

/// <summary>
/// E4: MULTI/EXEC is owned by the front end. Commands are checked and answered <c>+QUEUED</c> here; at EXEC every
/// queued command is re-checked with the current ACL, the forwarded subset goes to the backend as one MULTI…EXEC,
/// and backend results and local results are spliced into one reply in order. If WATCH aborts the backend EXEC the
/// reply is null and no local command runs.
/// </summary>
internal sealed partial class ClientConnection
{
    private readonly List<QueuedCommand> _queue = [];
    private bool _inMulti;
    private bool _multiDirty;
    private bool _inExec;
    private bool _watching;
    private long _queueBytes;

    public bool InMulti => _inMulti;

    public int QueuedCount => _queue.Count;

    public long QueuedBytes => _queueBytes;

    public bool Watching => _watching;

    private void Multi()
    {
        if (_inMulti)
        {
            ReplyError("ERR MULTI calls can not be nested");
            return;
        }

        _inMulti = true;
        _multiDirty = false;
        ReplySimple("OK");
    }

    private void Watch(CommandArgs argv, Request? request)
    {
        if (_inMulti)
        {
            ReplyError("ERR WATCH inside MULTI is not allowed");
            return;
        }

        ForwardArgv(argv, request);
        _watching = true;
    }

    private void Discard()
    {
        if (!_inMulti)
        {
            ReplyError("ERR DISCARD without MULTI");
            return;
        }

        DiscardTransaction();
        ReplySimple("OK");
    }

    /// <summary>Drops the queue; like Redis, discarding also unwatches every key.</summary>
    private void DiscardTransaction(bool unwatchBackend = true)
    {
        _queue.Clear();
        _queueBytes = 0;
        _inMulti = false;
        _multiDirty = false;
        if (unwatchBackend && _watching)
        {
            _ = ExecuteCaptured("UNWATCH");
        }

        _watching = false;
    }

    private async Task ExecAsync(CancellationToken ct)
    {
        if (!_inMulti)
        {
            ReplyError("ERR EXEC without MULTI");
            return;
        }

        if (_multiDirty)
        {
            DiscardTransaction();
            ReplyError("EXECABORT Transaction discarded because of previous errors.");
            return;
        }

        var queue = _queue.ToArray();
        _queue.Clear();
        _queueBytes = 0;
        _inMulti = false;
        RefreshUser();

        // Re-check every queued command with the ACL as it is now (spec §6.3).
        var verdicts = new AclCheckResult[queue.Length];
        var forwarded = new bool[queue.Length];
        var batch = new ArrayBufferWriter<byte>();
        RespEncoding.WriteCommand(batch, ArgvBuilder.From("MULTI").Args);
        int forwardCount = 0;
        for (int i = 0; i < queue.Length; i++)
        {
            var q = queue[i];
            var r = CheckAcl(q.Command, q.Args);
            verdicts[i] = r;
            if (r.IsAclDenial)
            {
                LogDenial(r, q.Command, q.Args, "multi");
                continue;
            }

            if (r.IsAllowed && IsPlainForward(q.Command))
            {
                forwarded[i] = true;
                forwardCount++;
                RespEncoding.WriteCommand(batch, q.Args);
            }
        }

        RespEncoding.WriteCommand(batch, ArgvBuilder.From("EXEC").Args);

        byte[][]? backendResults = null;
        if (forwardCount > 0 || _watching)
        {
            var reply = ExecuteCaptured(batch.WrittenSpan);
            _watching = false;
            _result = forwardCount > 0 ? Admin.CommandResult.Forwarded : _result;
            if (!TransactionReply.TrySplit(reply, forwardCount, out backendResults, out var abortReply))
            {
                // WATCH aborted (null) or the backend refused the transaction: pass its reply on, run nothing local.
                BeginReply();
                _scratch.Write(abortReply);
                CommitReply();
                return;
            }
        }

        var results = new List<byte[]>(queue.Length);
        int next = 0;
        _inExec = true;
        try
        {
            for (int i = 0; i < queue.Length; i++)
            {
                var q = queue[i];
                var r = verdicts[i];
                if (r.IsAclDenial)
                {
                    results.Add(ErrorBytes(r.ExecRecheckReply()));
                }
                else if (!r.IsAllowed)
                {
                    results.Add(ErrorBytes(r.Error!));
                }
                else if (forwarded[i])
                {
                    results.Add(backendResults![next++]);
                }
                else
                {
                    results.Add(await RunLocalForExecAsync(q, ct).ConfigureAwait(false));
                }
            }
        }
        finally
        {
            _inExec = false;
        }

        var w = BeginReply();
        w.WriteArrayHeader(results.Count);
        foreach (var r in results)
        {
            _scratch.Write(r);
        }

        CommitReply();
    }

    /// <summary>Runs a local command queued in MULTI and returns its reply bytes.</summary>
    private async ValueTask<byte[]> RunLocalForExecAsync(QueuedCommand q, CancellationToken ct)
    {
        // Local handlers write one reply through BeginReply/CommitReply; capture it instead of sending it.
        var capture = new ArrayBufferWriter<byte>();
        _execCapture = capture;
        try
        {
            var pending = Execute(q.Command, q.Args, null, ct);
            if (pending is not null)
            {
                await pending.ConfigureAwait(false);
            }

            // A handler that forwards (SELECT, UNWATCH) leaves its frame batched: its reply belongs here too.
            FlushBatch();
        }
        finally
        {
            _execCapture = null;
        }

        return capture.WrittenSpan.ToArray();
    }

    private ArrayBufferWriter<byte>? _execCapture;

    private byte[] ErrorBytes(string error)
    {
        var buf = new ArrayBufferWriter<byte>();
        var w = new RespWriter(buf) { Protocol = Protocol };
        w.WriteError(error);
        return buf.WrittenSpan.ToArray();
    }
}
