using System.Diagnostics;
using System.Text;

namespace AclOperator.Testing.FakeKube;

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
