using System.Text;

namespace AclOperator.Server.Backend.Upstream;

/// <summary>
/// Stands in for a session that could not be opened (upstream down, or in backoff after a failed connect): every
/// request gets the error, and the connection tries a new session for its next command, since nothing was lost.
/// </summary>
internal sealed class UnavailableBackendSession(IBackendReplySink sink, string reason) : IBackendSession
{
    private readonly byte[] _error = Encoding.UTF8.GetBytes("-ERR upstream server unavailable: " + reason.ReplaceLineEndings(" ") + "\r\n");

    public bool IsClosed => true;

    public bool CanReopen => true;

    public void Execute(ReadOnlySpan<byte> requests)
    {
        for (int i = RequestFrames.Count(requests); i > 0; i--)
        {
            sink.OnBatchReply(_error);
        }
    }

    public Task ExecuteBlockingAsync(ReadOnlyMemory<byte> request, CancellationToken cancellationToken)
    {
        sink.OnReply(_error);
        return Task.CompletedTask;
    }

    public bool Unblock(bool withError) => false;

    public void Dispose()
    {
    }
}
