using System.Collections.Frozen;
using System.Buffers;
using System.Text;
using AclOperator.Acl;
using AclOperator.Acl.Commands;
using AclOperator.Acl.Evaluation;
using AclOperator.Acl.Users;
using AclOperator.Server.AclRuntime;
using AclOperator.Server.Commands;
using AclOperator.Server.Protocol;

namespace AclOperator.Server.Connections;

/// <summary>Every command has a class (E2): answered here, forwarded to the backend, or refused.</summary>
internal sealed partial class ClientConnection
{
    /// <summary>Commands the front end answers, tracks or refuses itself: never sent to the backend as they are.</summary>
    private static readonly FrozenSet<string> HandledHere = new[]
    {
        "auth", "hello", "quit", "reset", "ping", "echo", "select", "multi", "exec", "discard", "watch", "unwatch",
        "subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe", "shutdown", "monitor",
        "replicaof", "slaveof", "sync", "psync", "replconf", "failover", "asking", "readonly", "readwrite", "info",
        "command", "debug",
    }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenSet<string> ContainersHandledHere = new[]
    {
        "acl", "client", "cluster", "module", "config", "command", "slowlog", "latency",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Handled here but carried out by the backend (tracked, then forwarded): they need the backend's support.</summary>
    internal static bool NeedsBackend(RedisCommand cmd) => cmd.FullName is
        "select" or "watch" or "unwatch" or "subscribe" or "psubscribe" or "ssubscribe" or "unsubscribe" or "punsubscribe" or "sunsubscribe";

    /// <summary>True for the commands the front end answers, tracks or refuses itself, whatever the backend has.</summary>
    internal static bool IsHandledLocally(RedisCommand cmd) =>
        HandledHere.Contains(cmd.FullName) || (cmd.Parent is { } parent && ContainersHandledHere.Contains(parent.Name));

    /// <summary>
    /// E2's single classifier: true when the command goes to the backend exactly as the client sent it. Used both for
    /// top-level commands and for the backend part of an EXEC, so a transaction can never carry a command the front
    /// end would answer, track or refuse.
    /// </summary>
    internal bool IsPlainForward(RedisCommand cmd) =>
        !IsHandledLocally(cmd) &&
        !(cmd.FullName is "restore" or "restore-asking" && !_user.SkipSanitizePayload) &&
        !(cmd.FullName == "migrate" && !_ctx.Settings.AllowMigrate) &&
        _ctx.Backend.SupportedCommands.Contains(cmd.FullName);

    /// <summary>Runs one command; returns a task only when it has to wait.</summary>
    private Task? Execute(RedisCommand cmd, CommandArgs argv, Request? request, CancellationToken ct)
    {
        if (IsPlainForward(cmd))
        {
            if (!_inExec && MayBlock(cmd, argv) && request is not null)
            {
                return ForwardBlocking(cmd, argv, request, ct);
            }

            ForwardArgv(argv, request);
            return null;
        }

        switch (cmd.FullName)
        {
            case "auth":
                Auth(argv);
                return null;
            case "hello":
                Hello(argv);
                return null;
            case "quit":
                ReplySimple("OK");
                RequestClose();
                return null;
            case "reset":
                Reset();
                return null;
            case "ping":
                Ping(argv);
                return null;
            case "echo":
                BeginReply().WriteBulkString(argv[1]);
                CommitReply();
                return null;
            case "select":
                Select(argv, request);
                return null;
            case "multi":
                Multi();
                return null;
            case "exec":
                return ExecAsync(ct);
            case "discard":
                Discard();
                return null;
            case "watch":
                Watch(argv, request);
                return null;
            case "unwatch":
                ForwardArgv(argv, request);
                _watching = false;
                return null;
            case "subscribe" or "psubscribe" or "ssubscribe" or "unsubscribe" or "punsubscribe" or "sunsubscribe"
                when _ctx.Backend.SupportedCommands.Contains(cmd.FullName):
                Subscription(cmd, argv);
                return null;
            case "shutdown":
                FlushBatch();
                _ctx.Shutdown.Cancel();
                RequestClose();
                return null;
            case "monitor":
                ReplyError("ERR MONITOR is not supported by this server");
                return null;
            case "replicaof" or "slaveof" or "sync" or "psync" or "replconf" or "failover":
                ReplyError($"ERR {cmd.Name.ToUpperInvariant()} is not supported by this server: replication is the backend's concern");
                return null;
            case "asking" or "readonly" or "readwrite":
                ReplyError("ERR This instance has cluster support disabled");
                return null;
            case "restore" or "restore-asking" when !_user.SkipSanitizePayload && _ctx.Backend.SupportedCommands.Contains(cmd.FullName):
                // E17: Redis deep-sanitizes RESTORE payloads for sanitize-payload users; the backend cannot be asked
                // to, so only users trusted with skip-sanitize-payload may restore raw payloads.
                ReplyError("ERR RESTORE is allowed only for users with skip-sanitize-payload on this server: payloads cannot be sanitized before they reach the store");
                return null;
            case "migrate" when !_ctx.Settings.AllowMigrate:
                ReplyError("ERR MIGRATE is disabled on this server (allow-migrate no)");
                return null;
            case "client|tracking" or "client|caching" or "client|getredir" or "client|trackinginfo":
                ClientCommand.Tracking(this, cmd, argv);
                return null;
        }

        if (cmd.Parent is { } parent)
        {
            switch (parent.Name)
            {
                case "acl":
                    return AclCommand.Execute(_ctx, this, cmd, argv, ct);
                case "client":
                    ClientCommand.Execute(_ctx, this, cmd, argv);
                    return null;
                case "cluster":
                    ReplyError("ERR This instance has cluster support disabled");
                    return null;
                case "module":
                    ReplyError(CommandErrors.ProtectedCommand(parent));
                    return null;
                case "config":
                    ConfigCommand.Execute(_ctx, this, cmd, argv);
                    return null;
                case "command":
                    CommandCommand.Execute(_ctx, this, cmd, argv);
                    return null;
                case "slowlog" or "latency":
                    ReplyError($"ERR {parent.Name.ToUpperInvariant()} is not supported by this server");
                    return null;
            }
        }
        else if (cmd.FullName is "info")
        {
            InfoCommand.Execute(_ctx, this, argv);
            return null;
        }
        else if (cmd.FullName is "command")
        {
            CommandCommand.Execute(_ctx, this, cmd, argv);
            return null;
        }

        // Not handled above and not a plain forward: the backend lacks it (E18), Redis's unknown-command error.
        ReplyError(CommandErrors.UnknownCommand(argv));
        return null;
    }

    private void ForwardArgv(CommandArgs argv, Request? request)
    {
        if (request is not null)
        {
            Forward(request);
        }
        else
        {
            AppendFrame(argv, null);
        }
    }

    private static bool MayBlock(RedisCommand cmd, CommandArgs argv)
    {
        if ((cmd.Flags & CommandFlags.Blocking) == 0)
        {
            return false;
        }

        if (cmd.FullName is "xread" or "xreadgroup")
        {
            for (int i = 1; i < argv.Count; i++)
            {
                if (argv.EqualsIgnoreCase(i, "BLOCK"u8))
                {
                    return true;
                }
            }

            return false;
        }

        return true;
    }

    // ---- AUTH / HELLO / RESET ---------------------------------------------------------------------------------

    private const string WrongPass = "WRONGPASS invalid username-password pair or user is disabled.";

    private void Auth(CommandArgs argv)
    {
        if (argv.Count > 3)
        {
            ReplyError(CommandErrors.SyntaxError);
            return;
        }

        string username;
        ReadOnlySpan<byte> password;
        if (argv.Count == 2)
        {
            var d = _ctx.Acl.Current.Users.Default;
            if (d.NoPass)
            {
                ReplyError("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?");
                return;
            }

            username = AclUserTable.DefaultUserName;
            password = argv[1];
        }
        else
        {
            username = AclText.FromBytes(argv[1]);
            password = argv[2];
        }

        if (TryAuthenticate(username, password, AclText.FromBytes(argv[0])))
        {
            ReplySimple("OK");
        }
        else
        {
            // Redis skips this reply when output is pending (spec §10.2); we always send it.
            ReplyError(WrongPass);
        }
    }

    /// <summary>Checks credentials; on failure logs an auth entry and keeps the previous identity.</summary>
    internal bool TryAuthenticate(string username, ReadOnlySpan<byte> password, string object0)
    {
        var snapshot = _ctx.Acl.Current;
        var user = snapshot.Users.Find(username);
        if (user is not null && user.CheckPassword(password))
        {
            _user = user;
            _userName = user.Name;
            _epoch = snapshot.Epoch;
            Authenticated = true;
            return true;
        }

        _ctx.Acl.Stats.CountAuth();
        if (user is not null)
        {
            _ctx.Acl.UserDenials.Count(user.Name, DenialKind.Auth, _ctx.NowMs);
        }

        _ctx.Acl.Log.Add("auth", _inExec ? "multi" : "toplevel", object0, username, ClientInfo(), _ctx.NowMs);
        return false;
    }

    private void Hello(CommandArgs argv)
    {
        int proto = Protocol;
        int next = 1;
        if (argv.Count >= 2)
        {
            if (!long.TryParse(AclText.FromBytes(argv[1]), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out long v) ||
                v is < int.MinValue or > int.MaxValue)
            {
                ReplyError("ERR Protocol version is not an integer or out of range");
                return;
            }

            if (v is < 2 or > 3 || (v == 3 && !_ctx.Backend.SupportsResp3))
            {
                ReplyError("NOPROTO unsupported protocol version");
                return;
            }

            proto = (int)v;
            next = 2;
        }

        string? authUser = null;
        byte[]? authPass = null;
        string? setName = null;
        for (int j = next; j < argv.Count; j++)
        {
            int more = argv.Count - j - 1;
            if (argv.EqualsIgnoreCase(j, "AUTH"u8) && more >= 2)
            {
                authUser = AclText.FromBytes(argv[j + 1]);
                authPass = argv[j + 2].ToArray();
                j += 2;
            }
            else if (argv.EqualsIgnoreCase(j, "SETNAME"u8) && more >= 1)
            {
                setName = AclText.FromBytes(argv[j + 1]);
                if (ClientCommand.ValidateName(setName) is { } nameError)
                {
                    ReplyError(nameError);
                    return;
                }

                j++;
            }
            else
            {
                ReplyError($"ERR Syntax error in HELLO option '{AclText.FromBytes(AclText.CStringOf(argv[j]))}'");
                return;
            }
        }

        if (authUser is not null && !TryAuthenticate(authUser, authPass, AclText.FromBytes(argv[0])))
        {
            ReplyError(WrongPass);
            return;
        }

        if (AuthRequired)
        {
            ReplyError("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time");
            return;
        }

        if (setName is not null)
        {
            Name = setName.Length == 0 ? null : setName;
        }

        if (proto != Protocol)
        {
            // E7: the backend session follows the protocol; its HELLO reply is swallowed.
            _ = ExecuteCaptured("HELLO", proto.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Protocol = proto;
        }

        var w = BeginReply();
        w.WriteMapHeader(7);
        w.WriteBulkString("server");
        w.WriteBulkString("redis");
        w.WriteBulkString("version");
        w.WriteBulkString(ServerInfo.RedisVersion);
        w.WriteBulkString("proto");
        w.WriteInteger(Protocol);
        w.WriteBulkString("id");
        w.WriteInteger(Id);
        w.WriteBulkString("mode");
        w.WriteBulkString("standalone");
        w.WriteBulkString("role");
        w.WriteBulkString("master");
        w.WriteBulkString("modules");
        w.WriteArrayHeader(0);
        CommitReply();
    }

    /// <summary>RESET: local and immediate, even in MULTI; a fresh backend session (E7).</summary>
    private void Reset()
    {
        FlushBatch();
        DiscardTransaction(unwatchBackend: false);
        _watching = false;
        // E7: a fresh backend session (db 0, no MULTI/WATCH/subscriptions), opened when next needed.
        var old = _backend;
        _backend = null;
        old?.Dispose();
        DropPartialPush();
        ClearSubscriptions();
        _replyMode = ReplyMode.On;
        Name = null;
        Db = 0;
        Protocol = 2;
        NoEvict = false;
        NoTouch = false;
        var snapshot = _ctx.Acl.Current;
        _user = snapshot.Users.Default;
        _userName = _user.Name;
        _epoch = snapshot.Epoch;
        Authenticated = _user.NoPass && _user.Enabled;
        ReplySimple("RESET");
    }

    private void Ping(CommandArgs argv)
    {
        if (argv.Count > 2)
        {
            ReplyError(CommandErrors.WrongArity(_ctx.Commands.Find("ping"u8)!));
            return;
        }

        var w = BeginReply();
        if (Protocol == 2 && IsPubSub)
        {
            w.WriteArrayHeader(2);
            w.WriteBulkString("pong"u8);
            w.WriteBulkString(argv.Count == 2 ? argv[1] : ReadOnlySpan<byte>.Empty);
        }
        else if (argv.Count == 2)
        {
            w.WriteBulkString(argv[1]);
        }
        else
        {
            w.WriteSimpleString("PONG");
        }

        CommitReply();
    }

    private void Select(CommandArgs argv, Request? request)
    {
        if (!long.TryParse(Encoding.ASCII.GetString(argv[1]), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out long db) ||
            db is < int.MinValue or > int.MaxValue)
        {
            ReplyError(CommandErrors.NotAnInteger);
            return;
        }

        if (db < 0 || db >= _ctx.Settings.Databases)
        {
            ReplyError("ERR DB index is out of range");
            return;
        }

        // E17: a database is created when first selected, with its own index; without room for it, OOM rather than
        // a process past its memory limit.
        if (_ctx.Backend.Memory is { } memory && !memory.AdmitsDatabase((int)db))
        {
            ReplyError(OomError);
            return;
        }

        ForwardArgv(argv, request);
        Db = (int)db;
    }

    internal void SetName(string? name) => Name = string.IsNullOrEmpty(name) ? null : name;

    internal void SetLibInfo(string? name, string? version)
    {
        if (name is not null)
        {
            LibName = name.Length == 0 ? null : name;
        }

        if (version is not null)
        {
            LibVersion = version.Length == 0 ? null : version;
        }
    }

    internal void SetNoEvict(bool on) => NoEvict = on;

    internal void SetNoTouch(bool on) => NoTouch = on;

    /// <summary>CLIENT REPLY: forwarded commands queued before it keep the mode they were sent under.</summary>
    internal void SetReplyMode(ReplyMode mode)
    {
        FlushBatch();
        _replyMode = mode;
    }

    /// <summary>
    /// CLIENT UNBLOCK: the client counts as blocked from the moment its command was accepted, while the backend call
    /// may still be starting (a session being opened, a request on its way): wait for it briefly, as Redis would
    /// always find the client blocked.
    /// </summary>
    internal bool UnblockBackend(bool withError)
    {
        for (int attempt = 0; attempt < 100 && Blocked; attempt++)
        {
            if (_backend is { } b && b.Unblock(withError))
            {
                return true;
            }

            Thread.Sleep(2);
        }

        return false;
    }

    internal AclUser CurrentUser
    {
        get
        {
            RefreshUser();
            return _user;
        }
    }
}
