using System.Diagnostics;
using System.Text;

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

/// <summary>The outcome of one kubectl run.</summary>
public sealed record KubectlResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

/// <summary>A running kubectl whose standard output is read line by line; killed on dispose.</summary>
public sealed class KubectlProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    internal KubectlProcess(Process process)
    {
        _process = process;
        _process.StandardInput.Close();
        _process.ErrorDataReceived += (_, e) =>
        {
            lock (_stderr)
            {
                _stderr.AppendLine(e.Data);
            }
        };
        _process.BeginErrorReadLine();
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>The next line of output, or null at end of output.</summary>
    public async Task<string?> ReadLineAsync(CancellationToken cancellationToken) =>
        await _process.StandardOutput.ReadLineAsync(cancellationToken).ConfigureAwait(false);

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}
