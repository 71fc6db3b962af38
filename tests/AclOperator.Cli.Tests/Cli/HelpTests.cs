using AclOperator.Cli.Tests.Support;

namespace AclOperator.Cli.Tests.Cli;

/// <summary>aclctl explains itself, and usage errors exit non-zero.</summary>
public sealed class HelpTests
{
    [Fact]
    public async Task Help_lists_the_commands()
    {
        var r = await AclctlRun.ProcessAsync(Path.GetTempPath(), null, "--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Usage:\n  aclctl [command] [options]", r.Out, StringComparison.Ordinal);
        foreach (var command in new[] { "  crds ", "  validate <paths> ", "  compile <paths> ", "  hash " })
        {
            Assert.Contains(command, r.Out, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("crds", "--check")]
    [InlineData("compile", "-o, --output <aclfile>")]
    [InlineData("validate", "<paths>")]
    [InlineData("hash", "without echo")]
    public async Task Each_command_has_help(string command, string expected)
    {
        var r = await AclctlRun.InProcessAsync(Path.GetTempPath(), command, "--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains(expected, r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Usage_errors_exit_1()
    {
        var r = await AclctlRun.InProcessAsync(Path.GetTempPath(), "bogus");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("Unrecognized command or argument 'bogus'.", r.Error, StringComparison.Ordinal);
        var missing = await AclctlRun.InProcessAsync(Path.GetTempPath(), "validate");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("Required argument 'paths' missing for command: 'validate'.", missing.Error, StringComparison.Ordinal);
    }
}
