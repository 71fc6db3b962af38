using System.Diagnostics;
using System.Text;

namespace AclOperator.Cli.Tests.Support;

/// <summary>The outcome of one aclctl run.</summary>
internal sealed record AclctlResult(int ExitCode, string Out, string Error)
{
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>Runs aclctl in process (its streams captured) or as the real executable.</summary>
internal static class AclctlRun
{
    public static async Task<AclctlResult> InProcessWithInputAsync(string workingDirectory, string? stdin, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        using var input = new MemoryStream(Encoding.UTF8.GetBytes(stdin ?? ""));
        var console = new AclctlConsole(input, output, error, IsInputRedirected: true,
            name => environment is not null && environment.TryGetValue(name, out var v) ? v : null, workingDirectory);
        int code = await AclctlApp.RunAsync(args, console, TestContext.Current.CancellationToken);
        return new AclctlResult(code, output.ToString(), error.ToString());
    }

    public static Task<AclctlResult> InProcessAsync(string workingDirectory, params string[] args) =>
        InProcessWithInputAsync(workingDirectory, null, null, args);

    /// <summary>The built aclctl executable (beside the test assembly), as a user runs it.</summary>
    public static async Task<AclctlResult> ProcessAsync(string workingDirectory, string? stdin, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "aclctl.dll");
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("aclctl did not start");
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return new AclctlResult(process.ExitCode, await stdout, await stderr);
    }
}
