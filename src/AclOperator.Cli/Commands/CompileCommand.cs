using System.CommandLine;
using AclOperator.Acl.AclFile;
using AclOperator.Api.Compilation;
using AclOperator.Api.Manifests;

namespace AclOperator.Cli.Commands;

/// <summary>
/// <c>aclctl compile</c>: the aclfile the server's local mode would load from the same folder. Passwords are resolved as
/// local mode resolves them and only their SHA-256 hashes are written; nothing is written when any object has an error.
/// </summary>
internal static class CompileCommand
{
    public static Command Create(AclctlConsole console)
    {
        var paths = new Argument<string[]>("paths")
        {
            Description = "A folder of manifests (its *.yaml and *.yml files), or YAML files.",
            Arity = ArgumentArity.OneOrMore,
        };
        var output = new Option<string?>("--output", "-o")
        {
            Description = "Write the aclfile here (atomically) instead of to standard output.",
            HelpName = "aclfile",
        };
        var command = new Command("compile",
            "Compile RedisAclServer, RedisAcl and RedisAclUser manifests into a Redis aclfile (one 'user' line per user, as ACL SAVE " +
            "writes it), exactly as `aclop-server --manifests <dir>` would load them. A secretKeyRef is resolved from a Secret " +
            "manifest among the files, else the file <dir>/secrets/<name>/<key>, else the environment variable " +
            "ACLOP_SECRET_<NAME>_<KEY>; passwords appear only as SHA-256 hashes. Problems go to standard error as file:line: message.")
        {
            paths,
            output,
        };
        command.SetAction(parse => Run(console, parse.GetValue(paths) ?? [], parse.GetValue(output)));
        return command;
    }

    private static int Run(AclctlConsole console, string[] paths, string? output)
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

        // secrets/<name>/<key> files live beside the manifests: in the folder named first (or the first file's folder).
        var first = console.FullPath(paths[0]);
        var folder = Directory.Exists(first) ? first : Path.GetDirectoryName(first) ?? console.CurrentDirectory;
        var (errors, compiled) = set.Compile(new LocalSecretResolver(set, folder, console.Environment), AclCompiler.OptionsFor(set.Server));

        if (errors.Count > 0 || compiled is null)
        {
            foreach (var e in errors)
            {
                console.Error.WriteLine(e);
            }

            console.Error.WriteLine($"{errors.Count} error(s); no aclfile written");
            return AclctlApp.InputErrors;
        }

        var bytes = AclFileWriter.Render(compiled.Table);
        if (output is null)
        {
            // Names and patterns are byte-strings; those from YAML are UTF-8.
            console.Out.Write(System.Text.Encoding.UTF8.GetString(bytes));
            console.Out.Flush();
            return 0;
        }

        var path = console.FullPath(output);
        var tmp = $"{path}.tmp-{Environment.ProcessId}";
        try
        {
            File.WriteAllBytes(tmp, bytes);
            File.Move(tmp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            console.Error.WriteLine($"{output}: {(e is UnauthorizedAccessException ? "Permission denied" : e.Message)}");
            return AclctlApp.Failure;
        }

        console.Error.WriteLine($"wrote {compiled.Table.Count} user(s) to {output}");
        return 0;
    }
}
