using System.Buffers;
using System.Diagnostics;
using System.Text;
using AclOperator.Acl;
using AclOperator.Acl.Commands;
using AclOperator.Acl.Evaluation;
using AclOperator.Server.AclRuntime;
using AclOperator.Server.Admin;
using AclOperator.Server.Backend;
using AclOperator.Server.Commands;
using AclOperator.Server.Protocol;

namespace AclOperator.Server.Connections;

/// <summary>processCommand: lookup, arity, NOAUTH, MULTI rules, ACL, pub/sub context, then local or forward (E2).</summary>
internal sealed partial class ClientConnection
{
    private ReplyMode _replyMode = ReplyMode.On;

    // How the current request ended (aclop_commands_total); counted once per request, after any wait.
    private CommandResult _result;

    private async ValueTask ProcessAsync(Request request, CancellationToken ct)
    {
        LastInteractionMs = _ctx.NowMs;
        _ctx.Stats.CommandProcessed();
        _result = CommandResult.Local;
        if (_replyMode == ReplyMode.Skip)
        {
            _replyMode = ReplyMode.Skipping;
        }

        try
        {
            var pending = ProcessCommand(request, ct);
            if (pending is not null)
            {
                await pending.ConfigureAwait(false);
            }
        }
        finally
        {
            if (_replyMode == ReplyMode.Skipping)
            {
                _replyMode = ReplyMode.On;
            }

            _ctx.Metrics.CountCommand(_result);
        }
    }

    /// <summary>Runs the command; returns a task only when it has to wait (ACL LOAD/SAVE, blocking, pause, EXEC).</summary>
    private Task? ProcessCommand(Request request, CancellationToken ct)
    {
        var argv = request.Args;
        // 1. Lookup: unknown command / unknown subcommand / arity, before authentication (as Redis).
        var cmd = _ctx.Commands.Find(argv[0]);
        if (cmd is null)
        {
            Reject(null, CommandErrors.UnknownCommand(argv));
            return null;
        }

        if (cmd.IsContainer && argv.Count >= 2)
        {
            var sub = cmd.FindSubcommand(argv[1]);
            if (sub is null)
            {
                Reject(null, CommandErrors.UnknownSubcommand(cmd, argv[1]));
                return null;
            }

            cmd = sub;
        }

        LastCommand = cmd.FullName;
        if (!cmd.ArityAccepts(argv.Count))
        {
            Reject(cmd, CommandErrors.WrongArity(cmd));
            return null;
        }

        // 2. Protected commands: DEBUG and MODULE are never allowed (E2/E3).
        if ((cmd.Flags & CommandFlags.Protected) != 0)
        {
            Reject(cmd, CommandErrors.ProtectedCommand(cmd));
            return null;
        }

        // 3. Authentication.
        if (AuthRequired && (cmd.Flags & CommandFlags.NoAuth) == 0)
        {
            // O7: with no ACL loaded yet (Kubernetes mode before the first snapshot) nobody is authenticated, so the
            // check costs nothing on the hot path. Commands Redis refuses while loading get its -LOADING; those it
            // serves while loading (flag `loading`) get the NOAUTH of a server that requires a password.
            Reject(cmd, (cmd.Flags & CommandFlags.Loading) == 0 && !_ctx.Acl.IsLoaded ? AclRuntime.AclManager.LoadingError : "NOAUTH Authentication required.");
            return null;
        }

        RefreshUser();
        if (_closing)
        {
            return null;
        }

        // 4. MULTI restrictions.
        if (_inMulti && (cmd.Flags & CommandFlags.NoMulti) != 0)
        {
            Reject(cmd, "ERR Command not allowed inside a transaction");
            return null;
        }

        // 5. ACL (plus the script rule of E8).
        var check = CheckAcl(cmd, argv);
        if (check.IsAclDenial)
        {
            LogDenial(check, cmd, argv, _inMulti ? "multi" : "toplevel");
            Reject(cmd, DenialReply(check, cmd));
            _result = CommandResult.Denied;
            return null;
        }

        // 5b. maxmemory (E17): commands that may grow the data set are refused while the store is full, as Redis does
        // with denyoom commands (an EXEC counts as one when it queued one); in MULTI the transaction is flagged.
        if (_ctx.Backend.Memory is { } memory && GrowthEstimate(cmd, argv) is > 0 and var growth && !memory.Admits(growth))
        {
            Reject(cmd, OomError);
            return null;
        }

        // 6. RESP2 subscribed context.
        if (Protocol == 2 && IsPubSub && !AllowedInSubscribedContext(cmd))
        {
            Reject(cmd, $"ERR Can't execute '{cmd.FullName}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context");
            return null;
        }

        // 7. Queue inside MULTI, or run.
        if (_inMulti && !IsTransactionControl(cmd))
        {
            // Keys that cannot be resolved or SORT patterns denied are runtime errors: they go into EXEC's reply.
            _queue.Add(new QueuedCommand(cmd, argv));
            _queueBytes += _queue[^1].Size;
            ReplySimple("QUEUED");
            return null;
        }

        if (!check.IsAllowed)
        {
            ReplyError(check.Error!);
            _result = CommandResult.Rejected;
            return null;
        }

        // CLIENT PAUSE (E9): paused commands wait; the pause commands themselves and QUIT/RESET never do.
        if (IsPaused(cmd))
        {
            return RunAfterPauseAsync(cmd, request, ct);
        }

        return Execute(cmd, argv, request, ct);
    }

    private bool IsPaused(RedisCommand cmd) =>
        cmd.FullName is not ("client|unpause" or "client|pause" or "quit" or "reset") &&
        _ctx.Pause.WaitMs(_ctx.NowMs, (cmd.Flags & (CommandFlags.Write | CommandFlags.MayReplicate)) != 0) > 0;

    private async Task RunAfterPauseAsync(RedisCommand cmd, Request request, CancellationToken ct)
    {
        FlushBatch();
        _out.Signal();
        while (IsPaused(cmd) && !_closing)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), ct).ConfigureAwait(false);
        }

        if (_closing)
        {
            return;
        }

        // Like Redis's postponed clients, the command goes through processCommand again: the ACL may have changed.
        var pending = ProcessCommand(request, ct);
        if (pending is not null)
        {
            await pending.ConfigureAwait(false);
        }
    }

    /// <summary>The ACL check of processCommand, plus the script rule (E8) that DRYRUN applies too.</summary>
    internal AclCheckResult CheckAcl(RedisCommand cmd, CommandArgs argv) =>
        ScriptPolicy.Check(_user, cmd, argv, _ctx.Settings.TrustScripts);

    private string DenialReply(AclCheckResult check, RedisCommand cmd) =>
        ScriptPolicy.IsScriptDenial(check, cmd, _user, _ctx.Settings.TrustScripts)
            ? ScriptPolicy.DenialText(_user, cmd)
            : check.ErrorReply(_user, cmd);

    internal void LogDenial(AclCheckResult check, RedisCommand cmd, CommandArgs argv, string context)
    {
        switch (check.Outcome)
        {
            case AclCheckOutcome.DeniedCommand:
                _ctx.Acl.Stats.CountCommand();
                _ctx.Acl.UserDenials.Count(_user.Name, DenialKind.Command, _ctx.NowMs);
                break;
            case AclCheckOutcome.DeniedKey:
                _ctx.Acl.Stats.CountKey();
                _ctx.Acl.UserDenials.Count(_user.Name, DenialKind.Key, _ctx.NowMs);
                break;
            case AclCheckOutcome.DeniedChannel:
                _ctx.Acl.Stats.CountChannel();
                _ctx.Acl.UserDenials.Count(_user.Name, DenialKind.Channel, _ctx.NowMs);
                break;
        }

        var obj = check.Outcome == AclCheckOutcome.DeniedCommand ? cmd.FullName : AclText.FromBytes(argv[check.ArgIndex]);
        _ctx.Acl.Log.Add(check.LogReason, context, obj, _user.Name, ClientInfo(), _ctx.NowMs);
    }

    /// <summary>E5: on a new ACL epoch re-resolve the user by name; a user that is gone closes the client.</summary>
    private void RefreshUser()
    {
        var snapshot = _ctx.Acl.Current;
        if (snapshot.Epoch == _epoch)
        {
            return;
        }

        _epoch = snapshot.Epoch;
        var u = snapshot.Users.Find(_userName);
        if (u is null)
        {
            DeauthenticateAndClose();
            return;
        }

        _user = u;
    }

    private static bool AllowedInSubscribedContext(RedisCommand cmd) => cmd.FullName is
        "ping" or "subscribe" or "ssubscribe" or "unsubscribe" or "sunsubscribe" or "psubscribe" or "punsubscribe" or "quit" or "reset";

    internal const string OomError = "OOM command not allowed when used memory > 'maxmemory'.";

    /// <summary>
    /// Bytes a command may add to the store, 0 for commands Redis lets run when out of memory. Denyoom commands count
    /// their arguments plus whatever this connection has batched but not yet sent; SETRANGE and SETBIT count the offset
    /// they may extend a string to. Scripts (EVAL, EVALSHA, FCALL) may write too, so they count as denyoom here.
    /// </summary>
    private long GrowthEstimate(RedisCommand cmd, CommandArgs argv)
    {
        long bytes;
        if (cmd.FullName == "exec")
        {
            if (!_queue.Exists(static q => DeniesOom(q.Command)))
            {
                return 0;
            }

            bytes = _queueBytes;
        }
        else if (!DeniesOom(cmd))
        {
            return 0;
        }
        else
        {
            bytes = argv.Count * 16L;
            for (int i = 1; i < argv.Count; i++)
            {
                bytes += argv[i].Length;
            }

            if (argv.Count >= 3 && cmd.FullName is "setrange" or "setbit" && Commands.AclCommand.TryParseLong(argv[2], out long offset) && offset > 0)
            {
                bytes += cmd.FullName == "setbit" ? offset / 8 : offset;
            }
        }

        return bytes + _batch.WrittenCount;
    }

    private static bool DeniesOom(RedisCommand cmd) =>
        (cmd.Flags & CommandFlags.DenyOom) != 0 || cmd.FullName is "eval" or "evalsha" or "fcall";

    private static bool IsTransactionControl(RedisCommand cmd) => cmd.FullName is "exec" or "discard" or "multi" or "watch" or "quit" or "reset";

    /// <summary>rejectCommand: in MULTI the transaction is flagged; a rejected EXEC aborts it with the reason.</summary>
    private void Reject(RedisCommand? cmd, string error)
    {
        _result = CommandResult.Rejected;
        if (_inMulti)
        {
            if (cmd?.FullName == "exec")
            {
                DiscardTransaction();
                ReplyError("EXECABORT Transaction discarded because of: " + error);
                return;
            }

            _multiDirty = true;
        }

        ReplyError(error);
    }

    // ---- replies ----------------------------------------------------------------------------------------------

    /// <summary>A writer for one local reply; <see cref="CommitReply"/> sends it.</summary>
    internal RespWriter BeginReply()
    {
        _scratch.ResetWrittenCount();
        _writer.Protocol = Protocol;
        return _writer;
    }

    internal void CommitReply()
    {
        if (_execCapture is not null)
        {
            _execCapture.Write(_scratch.WrittenSpan);
            return;
        }

        FlushBatch();
        if (_replyMode is ReplyMode.Off or ReplyMode.Skipping)
        {
            ReleasePushes();
            return;
        }

        _out.Append(_scratch.WrittenSpan);
        ReleasePushes();
    }

    internal void ReplySimple(string text)
    {
        BeginReply().WriteSimpleString(text);
        CommitReply();
    }

    /// <summary><c>+OK</c> when <paramref name="error"/> is null, otherwise the error (ACL operations report theirs without <c>ERR </c>).</summary>
    internal void ReplyOkOrError(string? error, bool addErrPrefix)
    {
        if (error is null)
        {
            ReplySimple("OK");
        }
        else
        {
            ReplyError(addErrPrefix ? "ERR " + error : error);
        }
    }

    /// <summary>A HELP reply: one simple string per line.</summary>
    internal void ReplyHelp(IReadOnlyList<string> lines)
    {
        var w = BeginReply();
        w.WriteArrayHeader(lines.Count);
        foreach (var l in lines)
        {
            w.WriteSimpleString(l);
        }

        CommitReply();
    }

    internal void ReplyError(string error)
    {
        _ctx.Stats.ErrorReplied();
        BeginReply().WriteError(error);
        CommitReply();
    }

    private void WriteReplyError(string error) => ReplyError(error.StartsWith("ERR ", StringComparison.Ordinal) ? error : "ERR " + error);

    // ---- forwarding -------------------------------------------------------------------------------------------

    /// <summary>Queues one request for the backend; contiguous forwards go in one call (E15).</summary>
    internal void Forward(Request request)
    {
        if (_replyMode != ReplyMode.On)
        {
            // Replies must be dropped per command: run this one alone.
            FlushBatch();
            AppendFrame(request.Args, request);
            FlushBatch();
            return;
        }

        AppendFrame(request.Args, request);
    }

    private void AppendFrame(CommandArgs argv, Request? request)
    {
        _result = CommandResult.Forwarded;
        if (request is not null && !request.IsInline && !request.Frame.IsEmpty)
        {
            _batch.Write(request.Frame.Span);
        }
        else
        {
            // Inline commands are always re-encoded (E1); so are queued commands.
            RespEncoding.WriteCommand(_batch, argv);
        }
    }

    /// <summary>
    /// Sends the accumulated frames; the embedded backend replies before this returns. The batch's reply is taken
    /// whole so backend error texts can be put in Redis's words (<see cref="BackendErrorText"/>) before it is queued.
    /// </summary>
    internal void FlushBatch()
    {
        if (_batch.WrittenCount == 0)
        {
            return;
        }

        BeginBatchCall();
        try
        {
            var session = Backend;
            long started = Stopwatch.GetTimestamp();
            session.Execute(_batch.WrittenSpan);
            _ctx.Metrics.ObserveBackendCall(started);
        }
        finally
        {
            EndBatchCall();
        }

        CompleteBatch();
    }

    /// <summary>
    /// <see cref="FlushBatch"/> for the end of a read batch (the hot path): an upstream session's replies are awaited
    /// without holding a thread; the embedded backend completes synchronously with no allocation.
    /// </summary>
    private async ValueTask FlushBatchAsync()
    {
        if (_batch.WrittenCount == 0)
        {
            return;
        }

        BeginBatchCall();
        try
        {
            var session = Backend;
            long started = Stopwatch.GetTimestamp();
            var pending = session.ExecuteAsync(_batch.WrittenMemory);
            if (pending.IsCompletedSuccessfully)
            {
                pending.GetAwaiter().GetResult();
            }
            else
            {
                await pending.ConfigureAwait(false);
            }

            _ctx.Metrics.ObserveBackendCall(started);
        }
        finally
        {
            EndBatchCall();
        }

        CompleteBatch();
    }

    private void BeginBatchCall()
    {
        HoldPushes();
        _capture = _batchReply;
        _executingThread = Environment.CurrentManagedThreadId;
    }

    private void EndBatchCall()
    {
        _capture = null;
        _executingThread = 0;
        _batch.ResetWrittenCount();
        if (_batch.Capacity > 64 * 1024)
        {
            // A large request (a 1 MB SET) does not pin its buffer for the connection's life (E14).
            _batch = new ArrayBufferWriter<byte>(1024);
        }
    }

    /// <summary>Queues the batch's reply (Redis's wording for backend errors, <see cref="BackendErrorText"/>).</summary>
    private void CompleteBatch()
    {
        var reply = _batchReply;
        if (_execCapture is not null)
        {
            // A command run for EXEC after the backend transaction: its reply belongs in EXEC's array.
            WriteBackendReply(reply.WrittenSpan, _execCapture);
        }
        else if (_replyMode is not (ReplyMode.Off or ReplyMode.Skipping))
        {
            if (_ctx.Backend.RewritesErrorTexts && BackendErrorText.MayNeedFix(reply.WrittenSpan))
            {
                _scratchFix.ResetWrittenCount();
                BackendErrorText.Normalize(reply.WrittenSpan, _scratchFix);
                _out.Append(_scratchFix.WrittenSpan);
            }
            else
            {
                _out.Append(reply.WrittenSpan);
            }
        }

        ReleasePushes();
        reply.ResetWrittenCount();
        if (reply.Capacity > 64 * 1024)
        {
            // Keep idle connections small (E14): a large reply does not pin its buffer.
            _batchReply = new ArrayBufferWriter<byte>(1024);
            _scratchFix = new ArrayBufferWriter<byte>(256);
        }
    }

    /// <summary>A backend reply in Redis's words, when the backend needs its error texts rewritten.</summary>
    private void WriteBackendReply(ReadOnlySpan<byte> reply, IBufferWriter<byte> destination)
    {
        if (_ctx.Backend.RewritesErrorTexts)
        {
            BackendErrorText.Normalize(reply, destination);
        }
        else
        {
            destination.Write(reply);
        }
    }

    private ArrayBufferWriter<byte> _batchReply = new(1024);
    private ArrayBufferWriter<byte> _scratchFix = new(256);

    /// <summary>Runs frames on the backend and returns the reply bytes instead of sending them.</summary>
    internal byte[] ExecuteCaptured(ReadOnlySpan<byte> frames)
    {
        FlushBatch();
        var capture = new ArrayBufferWriter<byte>(256);
        HoldPushes();
        _capture = capture;
        _executingThread = Environment.CurrentManagedThreadId;
        try
        {
            var session = Backend;
            long started = Stopwatch.GetTimestamp();
            session.Execute(frames);
            _ctx.Metrics.ObserveBackendCall(started);
        }
        finally
        {
            _capture = null;
            _executingThread = 0;
        }

        return capture.WrittenSpan.ToArray();
    }

    internal byte[] ExecuteCaptured(params string[] argv)
    {
        var buf = new ArrayBufferWriter<byte>();
        RespEncoding.WriteCommand(buf, ArgvBuilder.From(argv).Args);
        return ExecuteCaptured(buf.WrittenSpan);
    }

    /// <summary>A command that may block runs on a dedicated thread (E12); the client waits, as in Redis.</summary>
    private Task ForwardBlocking(RedisCommand cmd, CommandArgs argv, Request request, CancellationToken ct)
    {
        FlushBatch();
        _result = CommandResult.Forwarded;
        var frame = new ArrayBufferWriter<byte>();
        if (!request.IsInline && !request.Frame.IsEmpty)
        {
            frame.Write(request.Frame.Span);
        }
        else
        {
            RespEncoding.WriteCommand(frame, argv);
        }

        return RunBlockingAsync(frame.WrittenMemory, new QueuedCommand(cmd, argv), ct);
    }

    private QueuedCommand? _blockedCommand;
    private (AclCheckResult Result, AclOperator.Acl.Users.AclUser User)? _blockedDenial;

    private async Task RunBlockingAsync(ReadOnlyMemory<byte> frame, QueuedCommand command, CancellationToken ct)
    {
        ReleasePushes();
        var reply = new ArrayBufferWriter<byte>(64);
        _blockedCommand = command;
        _blockedDenial = null;
        _blockedReply = reply;
        Blocked = true;
        _out.Signal();
        try
        {
            var blocked = Backend.ExecuteBlockingAsync(frame, ct);
            await Task.WhenAll(blocked, WatchForDisconnectAsync(blocked)).ConfigureAwait(false);
        }
        finally
        {
            Blocked = false;
            _blockedReply = null;
            _blockedCommand = null;
        }

        if (_blockedDenial is { } denial)
        {
            // E5: the ACL changed while the client was blocked; like Redis re-processing the command, it is denied.
            LogDenial(denial.Result, command.Command, command.Args, "toplevel");
            ReplyError(denial.Result.ErrorReply(denial.User, command.Command));
            return;
        }

        // CommitReply applies CLIENT REPLY OFF/SKIP, like any other reply.
        BeginReply();
        WriteBackendReply(reply.WrittenSpan, _scratch);
        CommitReply();
    }

    internal static string Utf8(ReadOnlySpan<byte> b) => Encoding.UTF8.GetString(b);
}
