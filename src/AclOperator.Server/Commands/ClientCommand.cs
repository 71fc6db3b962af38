using AclOperator.Acl;
using AclOperator.Acl.Commands;
using AclOperator.Acl.Evaluation;
using AclOperator.Server.Connections;
using AclOperator.Server.Hosting;

namespace AclOperator.Server.Commands;

/// <summary>CLIENT subcommands, answered from the front end's own connections (E9).</summary>
internal static class ClientCommand
{
    private static readonly string[] Help =
    [
        "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CACHING (YES|NO)", "    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
        "GETREDIR", "    Return the client ID we are redirecting to when tracking is enabled.",
        "GETNAME", "    Return the name of the current connection.",
        "ID", "    Return the ID of the current connection.",
        "INFO", "    Return information about the current client connection.",
        "KILL <ip:port>", "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]", "    Kill connections. Options are:",
        "    * ADDR (<ip:port>|<unixsocket>:0)", "      Kill connections made from the specified address",
        "    * LADDR (<ip:port>|<unixsocket>:0)", "      Kill connections made to specified local address",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)", "      Kill connections by type.",
        "    * USER <username>", "      Kill connections authenticated by <username>.",
        "    * SKIPME (YES|NO)", "      Skip killing current connection (default: yes).",
        "    * ID <client-id>", "      Kill connections by client id.",
        "    * MAXAGE <maxage>", "      Kill connections older than the specified age.",
        "LIST [options ...]", "    Return information about client connections. Options:",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)", "      Return clients of specified type.",
        "UNPAUSE", "    Stop the current client pause, resuming traffic.",
        "PAUSE <timeout> [WRITE|ALL]", "    Suspend all, or just write, clients for <timeout> milliseconds.",
        "REPLY (ON|OFF|SKIP)", "    Control the replies sent to the current connection.",
        "SETNAME <name>", "    Assign the name <name> to the current connection.",
        "SETINFO <option> <value>", "    Set client meta attr. Options are:", "    * LIB-NAME: the client lib name.", "    * LIB-VER: the client lib version.",
        "UNBLOCK <clientid> [TIMEOUT|ERROR]", "    Unblock the specified blocked client.",
        "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]", "         [OPTIN] [OPTOUT] [NOLOOP]", "    Control server assisted client side caching.",
        "TRACKINGINFO", "    Report tracking status for the current connection.",
        "NO-EVICT (ON|OFF)", "    Protect current client connection from eviction.",
        "NO-TOUCH (ON|OFF)", "    Will not touch LRU/LFU stats when this mode is on.",
        "HELP", "    Print this help.",
    ];

    public static void Execute(ServerContext ctx, ClientConnection c, RedisCommand cmd, CommandArgs argv)
    {
        switch (cmd.Name)
        {
            case "id":
                c.BeginReply().WriteInteger(c.Id);
                c.CommitReply();
                return;
            case "getname":
            {
                var w = c.BeginReply();
                if (c.Name is null)
                {
                    w.WriteNull();
                }
                else
                {
                    w.WriteBulkString(AclText.GetBytes(c.Name));
                }

                c.CommitReply();
                return;
            }

            case "setname":
            {
                var name = AclText.FromBytes(argv[2]);
                if (ValidateName(name) is { } err)
                {
                    c.ReplyError(err);
                    return;
                }

                c.SetName(name);
                c.ReplySimple("OK");
                return;
            }

            case "setinfo":
            {
                var attr = AclText.FromBytes(argv[2]);
                var value = AclText.FromBytes(argv[3]);
                bool isName = attr.Equals("lib-name", StringComparison.OrdinalIgnoreCase);
                if (!isName && !attr.Equals("lib-ver", StringComparison.OrdinalIgnoreCase))
                {
                    c.ReplyError($"ERR Unrecognized option '{attr}'");
                    return;
                }

                if (!IsValidName(value))
                {
                    c.ReplyError($"ERR {attr} cannot contain spaces, newlines or special characters.");
                    return;
                }

                c.SetLibInfo(isName ? value : null, isName ? null : value);
                c.ReplySimple("OK");
                return;
            }

            case "info":
            {
                c.BeginReply().WriteVerbatim(c.ClientInfo() + "\n");
                c.CommitReply();
                return;
            }

            case "list":
                List(ctx, c, argv);
                return;
            case "kill":
                Kill(ctx, c, argv);
                return;
            case "no-evict":
            case "no-touch":
            {
                bool? on = argv.EqualsIgnoreCase(2, "ON"u8) ? true : argv.EqualsIgnoreCase(2, "OFF"u8) ? false : null;
                if (on is null)
                {
                    c.ReplyError(CommandErrors.SyntaxError);
                    return;
                }

                if (cmd.Name == "no-evict")
                {
                    c.SetNoEvict(on.Value);
                }
                else
                {
                    c.SetNoTouch(on.Value);
                }

                c.ReplySimple("OK");
                return;
            }

            case "reply":
                if (argv.EqualsIgnoreCase(2, "ON"u8))
                {
                    c.SetReplyMode(ReplyMode.On);
                    c.ReplySimple("OK");
                }
                else if (argv.EqualsIgnoreCase(2, "OFF"u8))
                {
                    c.SetReplyMode(ReplyMode.Off);
                }
                else if (argv.EqualsIgnoreCase(2, "SKIP"u8))
                {
                    c.SetReplyMode(ReplyMode.Skip);
                }
                else
                {
                    c.ReplyError(CommandErrors.SyntaxError);
                }

                return;
            case "unblock":
                Unblock(ctx, c, argv);
                return;
            case "pause":
                Pause(ctx, c, argv);
                return;
            case "unpause":
                ctx.Pause.Unpause();
                c.ReplySimple("OK");
                return;
            case "help":
                c.ReplyHelp(Help);
                return;

            default:
                c.ReplyError(CommandErrors.UnknownSubcommand(cmd.Parent!, argv[1]));
                return;
        }
    }

    /// <summary>
    /// E10: the embedded backend has no client-side caching, so TRACKING is refused with a Redis-shaped error; the
    /// read-only subcommands describe a client without tracking, which is accurate.
    /// </summary>
    public static void Tracking(ClientConnection c, RedisCommand cmd, CommandArgs argv)
    {
        switch (cmd.Name)
        {
            case "tracking":
                if (argv.EqualsIgnoreCase(2, "OFF"u8))
                {
                    c.ReplySimple("OK");
                }
                else
                {
                    c.ReplyError("ERR CLIENT TRACKING is not supported by this server's backend");
                }

                return;
            case "getredir":
                c.BeginReply().WriteInteger(-1);
                c.CommitReply();
                return;
            case "caching":
                c.ReplyError("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled");
                return;
            default:
            {
                var w = c.BeginReply();
                w.WriteMapHeader(3);
                w.WriteBulkString("flags");
                w.WriteSetHeader(1);
                w.WriteBulkString("off");
                w.WriteBulkString("redirect");
                w.WriteInteger(-1);
                w.WriteBulkString("prefixes");
                w.WriteArrayHeader(0);
                c.CommitReply();
                return;
            }
        }
    }

    /// <summary>CLIENT SETNAME's validation: every character in '!'..'~'; empty clears the name.</summary>
    public static string? ValidateName(string name) =>
        IsValidName(name) ? null : "ERR Client names cannot contain spaces, newlines or special characters.";

    private static bool IsValidName(string name)
    {
        foreach (char ch in name)
        {
            if (ch < '!' || ch > '~')
            {
                return false;
            }
        }

        return true;
    }

    private static string? TypeOf(ClientConnection c) => c.IsPubSub ? "pubsub" : "normal";

    private static string? ParseType(ReadOnlySpan<byte> t)
    {
        var s = AclText.FromBytes(t).ToLowerInvariant();
        return s switch
        {
            "normal" => "normal",
            "pubsub" => "pubsub",
            "slave" or "replica" => "replica",
            "master" => "master",
            _ => null,
        };
    }

    private static void List(ServerContext ctx, ClientConnection c, CommandArgs argv)
    {
        string? type = null;
        HashSet<long>? ids = null;
        if (argv.Count == 4 && argv.EqualsIgnoreCase(2, "TYPE"u8))
        {
            type = ParseType(argv[3]);
            if (type is null)
            {
                c.ReplyError($"ERR Unknown client type '{AclText.FromBytes(argv[3])}'");
                return;
            }
        }
        else if (argv.Count > 3 && argv.EqualsIgnoreCase(2, "ID"u8))
        {
            ids = [];
            for (int i = 3; i < argv.Count; i++)
            {
                if (!RedisInteger.TryParse(argv[i], out long id) || id <= 0)
                {
                    c.ReplyError("ERR Invalid client ID");
                    return;
                }

                ids.Add(id);
            }
        }
        else if (argv.Count != 2)
        {
            c.ReplyError(CommandErrors.SyntaxError);
            return;
        }

        var sb = new System.Text.StringBuilder();
        foreach (var other in ctx.Clients.All())
        {
            if ((type is not null && TypeOf(other) != type) || (ids is not null && !ids.Contains(other.Id)))
            {
                continue;
            }

            sb.Append(other.ClientInfo()).Append('\n');
        }

        c.BeginReply().WriteVerbatim(sb.ToString());
        c.CommitReply();
    }

    private static void Kill(ServerContext ctx, ClientConnection c, CommandArgs argv)
    {
        string? addr = null, laddr = null, type = null, user = null;
        long id = 0, maxAge = 0;
        bool skipMe = true;
        if (argv.Count == 3)
        {
            addr = AclText.FromBytes(argv[2]);
            skipMe = false;
        }
        else
        {
            for (int i = 2; i < argv.Count; i += 2)
            {
                bool more = argv.Count > i + 1;
                if (argv.EqualsIgnoreCase(i, "ID"u8) && more)
                {
                    if (!RedisInteger.TryParse(argv[i + 1], out id) || id < 1)
                    {
                        c.ReplyError("ERR client-id should be greater than 0");
                        return;
                    }
                }
                else if (argv.EqualsIgnoreCase(i, "MAXAGE"u8) && more)
                {
                    if (!RedisInteger.TryParse(argv[i + 1], out maxAge))
                    {
                        c.ReplyError("ERR maxage is not an integer or out of range");
                        return;
                    }

                    if (maxAge <= 0)
                    {
                        c.ReplyError("ERR maxage should be greater than 0");
                        return;
                    }
                }
                else if (argv.EqualsIgnoreCase(i, "TYPE"u8) && more)
                {
                    type = ParseType(argv[i + 1]);
                    if (type is null)
                    {
                        c.ReplyError($"ERR Unknown client type '{AclText.FromBytes(argv[i + 1])}'");
                        return;
                    }
                }
                else if (argv.EqualsIgnoreCase(i, "ADDR"u8) && more)
                {
                    addr = AclText.FromBytes(argv[i + 1]);
                }
                else if (argv.EqualsIgnoreCase(i, "LADDR"u8) && more)
                {
                    laddr = AclText.FromBytes(argv[i + 1]);
                }
                else if (argv.EqualsIgnoreCase(i, "USER"u8) && more)
                {
                    user = AclText.FromBytes(argv[i + 1]);
                    if (ctx.Acl.Current.Users.Find(user) is null)
                    {
                        c.ReplyError($"ERR No such user '{user}'");
                        return;
                    }
                }
                else if (argv.EqualsIgnoreCase(i, "SKIPME"u8) && more)
                {
                    if (argv.EqualsIgnoreCase(i + 1, "YES"u8))
                    {
                        skipMe = true;
                    }
                    else if (argv.EqualsIgnoreCase(i + 1, "NO"u8))
                    {
                        skipMe = false;
                    }
                    else
                    {
                        c.ReplyError(CommandErrors.SyntaxError);
                        return;
                    }
                }
                else
                {
                    c.ReplyError(CommandErrors.SyntaxError);
                    return;
                }
            }
        }

        long now = ctx.NowMs;
        int killed = 0;
        bool closeSelf = false;
        foreach (var other in ctx.Clients.All())
        {
            if ((addr is not null && other.Address != addr) || (laddr is not null && other.LocalAddress != laddr) ||
                (type is not null && TypeOf(other) != type) || (id != 0 && other.Id != id) ||
                (user is not null && other.UserName != user) || (other == c && skipMe) ||
                (maxAge != 0 && (now - other.CreatedAt) / 1000 < maxAge))
            {
                continue;
            }

            if (other == c)
            {
                closeSelf = true;
            }
            else
            {
                other.RequestClose();
            }

            killed++;
        }

        if (argv.Count == 3)
        {
            if (killed == 0)
            {
                c.ReplyError("ERR No such client");
            }
            else
            {
                c.ReplySimple("OK");
            }
        }
        else
        {
            c.BeginReply().WriteInteger(killed);
            c.CommitReply();
        }

        if (closeSelf)
        {
            c.RequestClose();
        }
    }

    private static void Unblock(ServerContext ctx, ClientConnection c, CommandArgs argv)
    {
        if (!RedisInteger.TryParse(argv[2], out long id))
        {
            c.ReplyError(CommandErrors.NotAnInteger);
            return;
        }

        bool withError = false;
        if (argv.Count == 4)
        {
            if (argv.EqualsIgnoreCase(3, "ERROR"u8))
            {
                withError = true;
            }
            else if (!argv.EqualsIgnoreCase(3, "TIMEOUT"u8))
            {
                c.ReplyError("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
                return;
            }
        }

        var target = ctx.Clients.Find(id);
        bool ok = target is not null && target != c && target.UnblockBackend(withError);
        c.BeginReply().WriteInteger(ok ? 1 : 0);
        c.CommitReply();
    }

    private static void Pause(ServerContext ctx, ClientConnection c, CommandArgs argv)
    {
        if (!RedisInteger.TryParse(argv[2], out long ms))
        {
            c.ReplyError("ERR timeout is not an integer or out of range");
            return;
        }

        if (ms < 0)
        {
            c.ReplyError("ERR timeout is negative");
            return;
        }

        bool all = true;
        if (argv.Count == 4)
        {
            if (argv.EqualsIgnoreCase(3, "WRITE"u8))
            {
                all = false;
            }
            else if (!argv.EqualsIgnoreCase(3, "ALL"u8))
            {
                c.ReplyError("ERR CLIENT PAUSE mode must be WRITE or ALL");
                return;
            }
        }

        ctx.Pause.PauseFor(ctx.NowMs + ms, all);
        c.ReplySimple("OK");
    }
}
