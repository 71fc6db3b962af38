using AclOperator.Acl;
using AclOperator.Acl.Commands;
using AclOperator.Acl.Evaluation;
using AclOperator.Server.Connections;
using AclOperator.Server.Hosting;

namespace AclOperator.Server.Commands;

/// <summary>CONFIG GET/SET/RESETSTAT/REWRITE on the server's own directives; never forwarded (E2).</summary>
internal static class ConfigCommand
{
    private static readonly string[] Help =
    [
        "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
        "RESETSTAT",
        "    Reset statistics reported by the INFO command.",
        "REWRITE",
        "    Rewrite the configuration file.",
        "HELP",
        "    Print this help.",
    ];

    public static void Execute(ServerContext ctx, ClientConnection c, RedisCommand cmd, CommandArgs argv)
    {
        var config = ctx.Config;
        switch (cmd.Name)
        {
            case "get":
            {
                var patterns = new List<string>();
                for (int i = 2; i < argv.Count; i++)
                {
                    patterns.Add(AclText.FromBytes(argv[i]));
                }

                var pairs = config?.Get(patterns) ?? [];
                var w = c.BeginReply();
                w.WriteMapHeader(pairs.Count);
                foreach (var (name, value) in pairs)
                {
                    w.WriteBulkString(name);
                    w.WriteBulkString(value);
                }

                c.CommitReply();
                return;
            }

            case "set":
            {
                if ((argv.Count - 2) % 2 != 0)
                {
                    c.ReplyError(CommandErrors.WrongArity(cmd));
                    return;
                }

                var pairs = new List<(string, string)>();
                for (int i = 2; i + 1 < argv.Count; i += 2)
                {
                    pairs.Add((AclText.FromBytes(argv[i]), AclText.FromBytes(argv[i + 1])));
                }

                // RuntimeConfig reports Redis's full texts, ERR prefix included.
                c.ReplyOkOrError(config is null ? "ERR CONFIG SET is not available" : config.Set(pairs), addErrPrefix: false);
                return;
            }

            case "resetstat":
                ctx.Stats.Reset();
                ctx.Acl.Stats.Reset();
                config?.ResetStats();
                c.ReplySimple("OK");
                return;
            case "rewrite":
            {
                c.ReplyOkOrError(config is null ? "ERR The server is running without a config file" : config.Rewrite(), addErrPrefix: false);
                return;
            }

            case "help":
                c.ReplyHelp(Help);
                return;

            default:
                c.ReplyError(CommandErrors.UnknownSubcommand(cmd.Parent!, argv[1]));
                return;
        }
    }
}
