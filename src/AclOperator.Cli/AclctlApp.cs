using System.CommandLine;
using AclOperator.Cli.Commands;

namespace AclOperator.Cli;

/// <summary>The <c>aclctl</c> command line: <c>crds</c>, <c>validate</c>, <c>compile</c>, <c>hash</c>.</summary>
public static class AclctlApp
{
    /// <summary>Exit status of a run that found errors in its input (System.CommandLine also exits 1 on usage errors).</summary>
    public const int InputErrors = 1;

    /// <summary>Exit status of a run that could not read or write a file.</summary>
    public const int Failure = 2;

    public static RootCommand CreateRootCommand(AclctlConsole console)
    {
        var root = new RootCommand(
            "aclctl: offline tool for the Redis ACL operator's custom resources (RedisAclServer, RedisAcl, RedisAclUser).\n" +
            "Checks and compiles CR YAML exactly as the operator and the server's local mode do, hashes passwords, and " +
            "generates the CustomResourceDefinitions.");
        root.Add(CrdsCommand.Create(console));
        root.Add(ValidateCommand.Create(console));
        root.Add(CompileCommand.Create(console));
        root.Add(HashCommand.Create(console));
        return root;
    }

    public static Task<int> RunAsync(string[] args, AclctlConsole console, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(console);
        var root = CreateRootCommand(console);
        var parse = root.Parse(args);
        return parse.InvokeAsync(new InvocationConfiguration { Output = console.Out, Error = console.Error }, cancellationToken);
    }
}
