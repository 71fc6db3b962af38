using System.Globalization;
using AclOperator.Acl;
using AclOperator.Acl.Commands;
using AclOperator.Acl.Evaluation;
using AclOperator.Acl.Passwords;
using AclOperator.Acl.Rendering;
using AclOperator.Acl.Users;
using AclOperator.Server.Connections;
using AclOperator.Server.Hosting;
using AclOperator.Server.Protocol;

namespace AclOperator.Server.Commands;

/// <summary>The ACL command family answered by the server itself, RESP2 and RESP3 shapes as Redis (spec §8).</summary>
internal static class AclCommand
{
    private static readonly string[] HelpLines =
    [
        "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CAT [<category>]",
        "    List all commands that belong to <category>, or all command categories",
        "    when no category is specified.",
        "DELUSER <username> [<username> ...]",
        "    Delete a list of users.",
        "DRYRUN <username> <command> [<arg> ...]",
        "    Returns whether the user can execute the given command without executing the command.",
        "GETUSER <username>",
        "    Get the user's details.",
        "GENPASS [<bits>]",
        "    Generate a secure 256-bit user password. The optional `bits` argument can",
        "    be used to specify a different size.",
        "LIST",
        "    Show users details in config file format.",
        "LOAD",
        "    Reload users from the ACL file.",
        "LOG [<count> | RESET]",
        "    Show the ACL log entries.",
        "SAVE",
        "    Save the current config to the ACL file.",
        "SETUSER <username> <attribute> [<attribute> ...]",
        "    Create or modify a user with the specified attributes.",
        "USERS",
        "    List all the registered usernames.",
        "WHOAMI",
        "    Return the current connection username.",
        "HELP",
        "    Print this help.",
    ];

    /// <summary>Runs the subcommand; returns a task for LOAD and SAVE, which read and write the ACL source.</summary>
    public static Task? Execute(ServerContext ctx, ClientConnection c, RedisCommand cmd, CommandArgs argv, CancellationToken ct)
    {
        var acl = ctx.Acl;
        switch (cmd.Name)
        {
            case "setuser":
            {
                var name = AclText.FromBytes(argv[2]);
                var rules = new List<byte[]>(argv.Count - 3);
                for (int i = 3; i < argv.Count; i++)
                {
                    rules.Add(argv[i].ToArray());
                }

                if (acl.WritesThrough)
                {
                    // Persisted before the reply (O9): awaited without holding a thread, like ACL LOAD.
                    return ReplyAsync(c, acl.SetUserAsync(name, rules, ct));
                }

                c.ReplyOkOrError(acl.SetUser(name, rules), addErrPrefix: true);
                return null;
            }

            case "deluser":
            {
                var names = new List<string>(argv.Count - 2);
                for (int i = 2; i < argv.Count; i++)
                {
                    names.Add(AclText.FromBytes(argv[i]));
                }

                if (acl.WritesThrough)
                {
                    return ReplyDeletedAsync(c, acl.DeleteUsersAsync(names, ct));
                }

                long n = acl.DeleteUsers(names, out var error);
                ReplyDeleted(c, n, error);
                return null;
            }

            case "getuser":
            {
                var user = acl.Current.Users.Find(AclText.FromBytes(argv[2]));
                var w = c.BeginReply();
                if (user is null)
                {
                    w.WriteNull();
                }
                else
                {
                    WriteGetUser(w, AclUserRenderer.GetUser(user));
                }

                c.CommitReply();
                return null;
            }

            case "list":
            {
                var lines = acl.Current.Users.ListLines();
                var w = c.BeginReply();
                w.WriteArrayHeader(lines.Count);
                foreach (var l in lines)
                {
                    w.WriteBulkString(AclText.GetBytes(l));
                }

                c.CommitReply();
                return null;
            }

            case "users":
            {
                var users = acl.Current.Users.Users;
                var w = c.BeginReply();
                w.WriteArrayHeader(users.Count);
                foreach (var u in users)
                {
                    w.WriteBulkString(AclText.GetBytes(u.Name));
                }

                c.CommitReply();
                return null;
            }

            case "whoami":
            {
                c.BeginReply().WriteBulkString(AclText.GetBytes(c.UserName));
                c.CommitReply();
                return null;
            }

            case "cat":
                Cat(ctx, c, argv);
                return null;
            case "dryrun":
                DryRun(ctx, c, argv);
                return null;
            case "genpass":
                GenPass(c, argv);
                return null;
            case "log":
                Log(ctx, c, argv);
                return null;
            case "load":
                return ReplyAsync(c, acl.LoadAsync(ct));
            case "save":
                return ReplyAsync(c, acl.SaveAsync(ct));

            case "help":
                c.ReplyHelp(HelpLines);
                return null;

            default:
                c.ReplyError(CommandErrors.UnknownSubcommand(cmd.Parent!, argv[1]));
                return null;
        }
    }

    private static async Task ReplyAsync(ClientConnection c, Task<string?> operation) =>
        c.ReplyOkOrError(await operation.ConfigureAwait(false), addErrPrefix: true);

    private static async Task ReplyDeletedAsync(ClientConnection c, Task<(long Deleted, string? Error)> operation)
    {
        var (n, error) = await operation.ConfigureAwait(false);
        ReplyDeleted(c, n, error);
    }

    private static void ReplyDeleted(ClientConnection c, long n, string? error)
    {
        if (error is not null)
        {
            c.ReplyError("ERR " + error);
            return;
        }

        c.BeginReply().WriteInteger(n);
        c.CommitReply();
    }

    internal static void WriteGetUser(RespWriter w, UserDescription d)
    {
        w.WriteMapHeader(6);
        w.WriteBulkString("flags");
        w.WriteSetHeader(d.Flags.Count);
        foreach (var f in d.Flags)
        {
            w.WriteBulkString(f);
        }

        w.WriteBulkString("passwords");
        w.WriteArrayHeader(d.Passwords.Count);
        foreach (var p in d.Passwords)
        {
            w.WriteBulkString(p);
        }

        w.WriteBulkString("commands");
        w.WriteBulkString(AclText.GetBytes(d.Commands));
        w.WriteBulkString("keys");
        w.WriteBulkString(AclText.GetBytes(d.Keys));
        w.WriteBulkString("channels");
        w.WriteBulkString(AclText.GetBytes(d.Channels));
        w.WriteBulkString("selectors");
        w.WriteArrayHeader(d.Selectors.Count);
        foreach (var s in d.Selectors)
        {
            w.WriteMapHeader(3);
            w.WriteBulkString("commands");
            w.WriteBulkString(AclText.GetBytes(s.Commands));
            w.WriteBulkString("keys");
            w.WriteBulkString(AclText.GetBytes(s.Keys));
            w.WriteBulkString("channels");
            w.WriteBulkString(AclText.GetBytes(s.Channels));
        }
    }

    private static void Cat(ServerContext ctx, ClientConnection c, CommandArgs argv)
    {
        if (argv.Count > 3)
        {
            c.ReplyError(CommandErrors.SubcommandSyntax(argv, "ACL"));
            return;
        }

        var w = c.BeginReply();
        if (argv.Count == 2)
        {
            w.WriteArrayHeader(AclCategoryNames.All.Count);
            foreach (var n in AclCategoryNames.All)
            {
                w.WriteBulkString(n);
            }

            c.CommitReply();
            return;
        }

        var name = AclText.FromBytes(argv[2]);
        if (!AclCategoryNames.TryParse(name, out var cat))
        {
            c.ReplyError($"ERR Unknown category '{(name.Length > 128 ? name[..128] : name)}'");
            return;
        }

        var commands = ctx.Commands.InCategory(cat);
        w.WriteArrayHeader(commands.Count);
        foreach (var cmd in commands)
        {
            w.WriteBulkString(cmd.FullName);
        }

        c.CommitReply();
    }

    private static void DryRun(ServerContext ctx, ClientConnection c, CommandArgs argv)
    {
        var username = AclText.FromBytes(argv[2]);
        var user = ctx.Acl.Current.Users.Find(username);
        if (user is null)
        {
            c.ReplyError($"ERR User '{username}' not found");
            return;
        }

        var run = argv.Skip(3);
        var cmd = ctx.Commands.Find(run[0]);
        if (cmd is not null && cmd.IsContainer && run.Count >= 2)
        {
            cmd = cmd.FindSubcommand(run[1]);
        }

        if (cmd is null)
        {
            c.ReplyError($"ERR Command '{AclText.FromBytes(AclText.CStringOf(run[0]))}' not found");
            return;
        }

        if (!cmd.ArityAccepts(run.Count))
        {
            c.ReplyError(CommandErrors.WrongArity(cmd));
            return;
        }

        var r = ScriptPolicy.Check(user, cmd, run, ctx.Settings.TrustScripts);
        if (r.IsAllowed)
        {
            c.ReplySimple("OK");
            return;
        }

        if (!r.IsAclDenial)
        {
            // Unresolvable keys or a SORT pattern: the error the command would reply (E1, E16).
            c.ReplyError(r.Error!);
            return;
        }

        var text = ScriptPolicy.IsScriptDenial(r, cmd, user, ctx.Settings.TrustScripts)
            ? ScriptPolicy.DenialText(user, cmd)["NOPERM ".Length..]
            : r.DryRunText(user, cmd, run);
        c.BeginReply().WriteBulkString(AclText.GetBytes(text));
        c.CommitReply();
    }

    private static void GenPass(ClientConnection c, CommandArgs argv)
    {
        if (argv.Count > 3)
        {
            c.ReplyError(CommandErrors.SubcommandSyntax(argv, "ACL"));
            return;
        }

        long bits = PasswordGenerator.DefaultBits;
        if (argv.Count == 3 && !TryParseLong(argv[2], out bits))
        {
            c.ReplyError(CommandErrors.NotAnInteger);
            return;
        }

        if (!PasswordGenerator.IsValidBits(bits))
        {
            c.ReplyError(PasswordGenerator.InvalidBitsError);
            return;
        }

        c.BeginReply().WriteBulkString(PasswordGenerator.Generate((int)bits));
        c.CommitReply();
    }

    private static void Log(ServerContext ctx, ClientConnection c, CommandArgs argv)
    {
        if (argv.Count > 3)
        {
            c.ReplyError(CommandErrors.SubcommandSyntax(argv, "ACL"));
            return;
        }

        long count = 10;
        if (argv.Count == 3)
        {
            if (argv.EqualsIgnoreCase(2, "RESET"u8))
            {
                ctx.Acl.Log.Reset();
                c.ReplySimple("OK");
                return;
            }

            if (!TryParseLong(argv[2], out count))
            {
                c.ReplyError(CommandErrors.NotAnInteger);
                return;
            }

            count = Math.Max(count, 0);
        }

        var entries = ctx.Acl.Log.Read(count);
        long now = ctx.NowMs;
        var w = c.BeginReply();
        w.WriteArrayHeader(entries.Count);
        foreach (var e in entries)
        {
            w.WriteMapHeader(10);
            w.WriteBulkString("count");
            w.WriteInteger(e.Count);
            w.WriteBulkString("reason");
            w.WriteBulkString(e.Reason);
            w.WriteBulkString("context");
            w.WriteBulkString(e.Context);
            w.WriteBulkString("object");
            w.WriteBulkString(AclText.GetBytes(e.Object));
            w.WriteBulkString("username");
            w.WriteBulkString(AclText.GetBytes(e.Username));
            w.WriteBulkString("age-seconds");
            w.WriteDouble((now - e.TimestampLastUpdated) / 1000.0);
            w.WriteBulkString("client-info");
            w.WriteBulkString(AclText.GetBytes(e.ClientInfo));
            w.WriteBulkString("entry-id");
            w.WriteInteger(e.EntryId);
            w.WriteBulkString("timestamp-created");
            w.WriteInteger(e.TimestampCreated);
            w.WriteBulkString("timestamp-last-updated");
            w.WriteInteger(e.TimestampLastUpdated);
        }

        c.CommitReply();
    }

    internal static bool TryParseLong(ReadOnlySpan<byte> s, out long value) =>
        RedisInteger.TryParse(s, out value);

    internal static string Format(long v) => v.ToString(CultureInfo.InvariantCulture);
}
