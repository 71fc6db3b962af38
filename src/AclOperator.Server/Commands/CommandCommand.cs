using AclOperator.Acl.Commands;
using AclOperator.Acl.Evaluation;
using AclOperator.Server.Connections;
using AclOperator.Server.Hosting;

namespace AclOperator.Server.Commands;

/// <summary>
/// COMMAND, COMMAND COUNT / LIST / INFO / DOCS / GETKEYS / GETKEYSANDFLAGS / HELP, answered from the Redis 7.4
/// command table exactly as Redis 7.4.1 does (see <see cref="CommandInfoWriter"/>). GETKEYS uses the ACL's own key
/// extraction (E9).
/// </summary>
internal static class CommandCommand
{
    public static void Execute(ServerContext ctx, ClientConnection c, RedisCommand cmd, CommandArgs argv)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(c);
        var w = c.BeginReply();
        string? error = CommandInfoWriter.Render(ctx.Commands, cmd, argv, w);
        if (error is not null)
        {
            c.ReplyError(error);
            return;
        }

        c.CommitReply();
    }
}
