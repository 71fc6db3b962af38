using AclOperator.Api.Crds;
using AclOperator.Cli.Tests.Support;

namespace AclOperator.Cli.Tests.Cli;

/// <summary><c>aclctl crds</c>: writes the generated CRDs, removes stale ones, and <c>--check</c> only reports.</summary>
public sealed class CrdsCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Writes_every_output_folder_then_reports_them_up_to_date()
    {
        var r = await AclctlRun.InProcessAsync(_dir.Path, "crds", "-o", "a", "--output", "b/bases");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal(
            "wrote a/aclop.dev_redisacls.yaml\nwrote a/aclop.dev_redisaclservers.yaml\nwrote a/aclop.dev_redisaclusers.yaml\n" +
            "wrote b/bases/aclop.dev_redisacls.yaml\nwrote b/bases/aclop.dev_redisaclservers.yaml\nwrote b/bases/aclop.dev_redisaclusers.yaml\n" +
            "3 CRDs up to date in a, b/bases\n",
            r.Out);
        foreach (var (name, content) in CrdGenerator.GenerateFiles())
        {
            Assert.Equal(content, File.ReadAllText(Path.Combine(_dir.Path, "a", name)));
            Assert.Equal(content, File.ReadAllText(Path.Combine(_dir.Path, "b/bases", name)));
        }

        var again = await AclctlRun.InProcessAsync(_dir.Path, "crds", "-o", "a", "-o", "b/bases");
        Assert.Equal((0, "3 CRDs up to date in a, b/bases\n"), (again.ExitCode, again.Out));
    }

    [Fact]
    public async Task Check_names_stale_missing_and_extra_files_and_writes_nothing()
    {
        Assert.Equal(0, (await AclctlRun.InProcessAsync(_dir.Path, "crds", "-o", "out")).ExitCode);
        File.AppendAllText(Path.Combine(_dir.Path, "out/aclop.dev_redisaclusers.yaml"), "# edited by hand\n");
        File.Delete(Path.Combine(_dir.Path, "out/aclop.dev_redisacls.yaml"));
        File.WriteAllText(Path.Combine(_dir.Path, "out/aclop.dev_redisoldthings.yaml"), "old");
        var r = await AclctlRun.InProcessAsync(_dir.Path, "crds", "-o", "out", "--check");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal(
            ["out/aclop.dev_redisacls.yaml: missing", "out/aclop.dev_redisaclusers.yaml: out of date", "out/aclop.dev_redisoldthings.yaml: no longer generated",
             "3 CRD file(s) differ from the C# types: run `dotnet run --project src/AclOperator.Cli -- crds` from the repository root"],
            r.ErrorLines);
        Assert.False(File.Exists(Path.Combine(_dir.Path, "out/aclop.dev_redisacls.yaml")));

        var fix = await AclctlRun.InProcessAsync(_dir.Path, "crds", "-o", "out");
        Assert.Equal(0, fix.ExitCode);
        Assert.Contains("removed out/aclop.dev_redisoldthings.yaml\n", fix.Out, StringComparison.Ordinal);
        Assert.Equal(0, (await AclctlRun.InProcessAsync(_dir.Path, "crds", "-o", "out", "--check")).ExitCode);
    }

    [Fact]
    public async Task The_repository_is_up_to_date_by_default_outputs()
    {
        var r = await AclctlRun.InProcessAsync(Repository.Root, "crds", "--check");
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Equal("3 CRDs up to date in crds, config/crd/bases\n", r.Out);
    }
}
