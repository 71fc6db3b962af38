using System.CommandLine;
using AclOperator.Api.Crds;

namespace AclOperator.Cli.Commands;

/// <summary>
/// <c>aclctl crds</c>: writes the CustomResourceDefinitions generated from the C# types into crds/ (the canonical copy)
/// and config/crd/bases/ (what config/crd's kustomization lists), or with <c>--check</c> only reports stale files.
/// </summary>
internal static class CrdsCommand
{
    /// <summary>Where the CRDs go unless <c>--output</c> says otherwise (relative to the working directory).</summary>
    public static IReadOnlyList<string> DefaultOutputs { get; } = ["crds", "config/crd/bases"];

    private const string GeneratedPrefix = "aclop.dev_";

    public static Command Create(AclctlConsole console)
    {
        var output = new Option<string[]>("--output", "-o")
        {
            Description = $"A folder to write the CRDs to; repeatable. Default: {string.Join(" and ", DefaultOutputs)} (run from the repository root).",
            HelpName = "dir",
            DefaultValueFactory = _ => [.. DefaultOutputs],
        };
        var check = new Option<bool>("--check")
        {
            Description = "Write nothing; exit 1 and name each file that differs from a fresh generation (for CI).",
        };
        var command = new Command("crds",
            "Generate the CustomResourceDefinitions (apiextensions.k8s.io/v1) of RedisAclServer, RedisAcl and RedisAclUser from " +
            "the C# types in src/AclOperator.Api: schemas with descriptions, defaults, bounds and CEL rules, the status " +
            "subresource, printer columns, short names and categories. Files are named <group>_<plural>.yaml as kubebuilder does.")
        {
            output,
            check,
        };
        command.SetAction(parse => Run(console, parse.GetValue(output) ?? [.. DefaultOutputs], parse.GetValue(check)));
        return command;
    }

    private static int Run(AclctlConsole console, string[] outputs, bool check)
    {
        var files = CrdGenerator.GenerateFiles();
        int stale = 0;
        try
        {
            foreach (var dir in outputs.Distinct(StringComparer.Ordinal))
            {
                var full = console.FullPath(dir);
                if (!check)
                {
                    Directory.CreateDirectory(full);
                }

                foreach (var (name, content) in files)
                {
                    var path = Path.Join(full, name);
                    var shown = Path.Join(dir, name);
                    string? existing = File.Exists(path) ? File.ReadAllText(path, CrdYamlWriter.FileEncoding) : null;
                    if (existing == content)
                    {
                        continue;
                    }

                    if (check)
                    {
                        console.Error.WriteLine(existing is null ? $"{shown}: missing" : $"{shown}: out of date");
                        stale++;
                        continue;
                    }

                    var tmp = path + ".tmp";
                    File.WriteAllText(tmp, content, CrdYamlWriter.FileEncoding);
                    File.Move(tmp, path, overwrite: true);
                    console.Out.WriteLine($"wrote {shown}");
                }

                foreach (var old in Directory.Exists(full) ? Directory.EnumerateFiles(full, GeneratedPrefix + "*.yaml") : [])
                {
                    var name = Path.GetFileName(old);
                    if (files.Any(f => f.Key == name))
                    {
                        continue;
                    }

                    if (check)
                    {
                        console.Error.WriteLine($"{Path.Join(dir, name)}: no longer generated");
                        stale++;
                    }
                    else
                    {
                        File.Delete(old);
                        console.Out.WriteLine($"removed {Path.Join(dir, name)}");
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            console.Error.WriteLine($"aclctl crds: {e.Message}");
            return AclctlApp.Failure;
        }

        if (stale > 0)
        {
            console.Error.WriteLine($"{stale} CRD file(s) differ from the C# types: run `dotnet run --project src/AclOperator.Cli -- crds` from the repository root");
            return AclctlApp.InputErrors;
        }

        console.Out.WriteLine($"{files.Count} CRDs up to date in {string.Join(", ", outputs)}");
        return 0;
    }
}
