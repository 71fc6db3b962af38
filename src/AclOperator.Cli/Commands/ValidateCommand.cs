using System.CommandLine;
using AclOperator.Api.Compilation;

namespace AclOperator.Cli.Commands;

/// <summary>
/// <c>aclctl validate</c>: reads CR YAML files with the schema checks of the CRDs and compiles them with the operator's
/// compiler, printing every problem as <c>file:line: message</c> (Redis's own text for rule errors). Secrets that are
/// not among the files are assumed to exist: GitOps repositories rarely hold them.
/// </summary>
internal static class ValidateCommand
{
    public static Command Create(AclctlConsole console)
    {
        var paths = new Argument<string[]>("paths")
        {
            Description = "YAML files, or folders (their *.yaml and *.yml files).",
            Arity = ArgumentArity.OneOrMore,
        };
        var command = new Command("validate",
            "Check RedisAclServer, RedisAcl and RedisAclUser manifests as the API server and the operator would: unknown fields, " +
            "required values, enums, patterns and bounds, then the ACL rules with Redis's exact errors, username rules and " +
            "conflicts. Problems go to standard error as file:line: message; the exit status is 1 when there are any.")
        {
            paths,
        };
        command.SetAction(parse => Run(console, parse.GetValue(paths) ?? []));
        return command;
    }

    private static int Run(AclctlConsole console, string[] paths)
    {
        var inputs = ManifestInputs.Read(paths, console);
        if (inputs.Failures.Count > 0)
        {
            foreach (var f in inputs.Failures)
            {
                console.Error.WriteLine(f);
            }

            return AclctlApp.Failure;
        }

        var set = inputs.Set;
        var (errors, _) = set.Compile(new PlaceholderSecretResolver(set), AclCompiler.OptionsFor(set.Server));

        foreach (var e in errors)
        {
            console.Error.WriteLine(e);
        }

        if (errors.Count > 0)
        {
            console.Error.WriteLine($"{errors.Count} error(s) in {inputs.Files.Count} file(s)");
            return AclctlApp.InputErrors;
        }

        console.Out.WriteLine(
            $"{inputs.Files.Count} file(s) valid: {set.Users.Count} RedisAclUser(s), {set.Acls.Count} RedisAcl(s), {(set.Server is null ? 0 : 1)} RedisAclServer(s)");
        return 0;
    }
}
