using System.Text;
using AclOperator.Acl;
using AclOperator.Acl.Commands;
using AclOperator.Acl.Evaluation;

namespace AclOperator.Server.Commands;

/// <summary>Redis's exact texts for lookup and arity failures (server.c commandCheckExistence / commandCheckArity).</summary>
internal static class CommandErrors
{
    /// <summary><c>ERR unknown command '&lt;name≤128&gt;', with args beginning with: '&lt;a1&gt;' …</c> (C-string semantics).</summary>
    public static string UnknownCommand(CommandArgs argv)
    {
        var args = new StringBuilder();
        for (int i = 1; i < argv.Count && args.Length < 128; i++)
        {
            var a = CString(argv[i]);
            int max = 128 - args.Length;
            args.Append('\'').Append(a.Length > max ? a[..max] : a).Append("' ");
        }

        var name = CString(argv[0]);
        if (name.Length > 128)
        {
            name = name[..128];
        }

        return Sanitize($"ERR unknown command '{name}', with args beginning with: {args}");
    }

    /// <summary><c>ERR unknown subcommand '&lt;sub≤128&gt;'. Try &lt;CMD&gt; HELP.</c></summary>
    public static string UnknownSubcommand(RedisCommand container, ReadOnlySpan<byte> sub)
    {
        var s = CString(sub);
        if (s.Length > 128)
        {
            s = s[..128];
        }

        return Sanitize($"ERR unknown subcommand '{s}'. Try {container.Name.ToUpperInvariant()} HELP.");
    }

    public static string WrongArity(RedisCommand cmd) => $"ERR wrong number of arguments for '{cmd.FullName}' command";

    public static string ProtectedCommand(RedisCommand cmd)
    {
        bool debug = cmd.FullName == "debug";
        return $"ERR {(debug ? "DEBUG" : "MODULE")} command not allowed. If the {(debug ? "enable-debug-command" : "enable-module-command")} option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server.";
    }

    public const string NotAnInteger = "ERR value is not an integer or out of range";

    public const string SyntaxError = "ERR syntax error";

    /// <summary>An "unknown subcommand or wrong number of arguments" error for a subcommand with a bad inner count.</summary>
    public static string SubcommandSyntax(CommandArgs argv, string container) =>
        Sanitize($"ERR unknown subcommand or wrong number of arguments for '{CString(argv[1])}'. Try {container} HELP.");

    private static string CString(ReadOnlySpan<byte> b) => AclText.FromBytes(AclText.CStringOf(b));

    private static string Sanitize(string s) => s.Replace('\r', ' ').Replace('\n', ' ');
}
