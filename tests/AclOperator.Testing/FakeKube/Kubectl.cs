using System.Diagnostics;

namespace AclOperator.Testing.FakeKube;

/// <summary>Runs the real kubectl against a <see cref="FakeKubeServer"/> with a private kubeconfig, HOME and cache.</summary>
public sealed class Kubectl : IDisposable
{
    private readonly string _dir;
    private readonly string _kubeconfig;

    public Kubectl(FakeKubeServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        _dir = Directory.CreateTempSubdirectory("fakekube-kubectl-").FullName;
        _kubeconfig = server.WriteKubeconfig(Path.Combine(_dir, "kubeconfig"));
    }

    /// <summary>The directory for files tests write (manifests).</summary>
    public string WorkDirectory => _dir;

    /// <summary>The path of kubectl on PATH, or null when it is not installed.</summary>
    public static string? Executable { get; } = FindExecutable();

    private static string? FindExecutable()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(dir, "kubectl");
            if (dir.Length > 0 && File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    private ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(Executable ?? "kubectl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.Environment["KUBECONFIG"] = _kubeconfig;
        psi.Environment["HOME"] = _dir;
        psi.Environment["KUBECACHEDIR"] = Path.Combine(_dir, "cache");
        psi.ArgumentList.Add("--cache-dir");
        psi.ArgumentList.Add(Path.Combine(_dir, "cache"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        return psi;
    }

    /// <summary>Writes a manifest into the work directory and returns its path.</summary>
    public string WriteFile(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>Runs kubectl to completion (killed after the timeout, default 60 s).</summary>
    public async Task<KubectlResult> RunAsync(IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null)
    {
        using var process = Process.Start(StartInfo(args)) ?? throw new InvalidOperationException("kubectl did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin).ConfigureAwait(false);
        }
        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().ConfigureAwait(false);
        }
        return new KubectlResult(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    /// <summary>Runs kubectl with the given arguments.</summary>
    public Task<KubectlResult> RunAsync(params string[] args) => RunAsync((IEnumerable<string>)args);

    /// <summary>Starts a long-running kubectl (get -w) whose output lines are read as they come.</summary>
    public KubectlProcess Start(params string[] args) => new(Process.Start(StartInfo(args)) ?? throw new InvalidOperationException("kubectl did not start"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
