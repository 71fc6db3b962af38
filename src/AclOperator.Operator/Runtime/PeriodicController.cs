using Microsoft.Extensions.Logging;

namespace AclOperator.Operator.Runtime;

/// <summary>
/// A leader-only task that runs a pass over cached state every <see cref="Period"/> instead of reconciling keys: waits
/// for the informers it <see cref="Reads"/>, then passes until stopped or aborted (a lost lease). A failed pass is
/// logged and the next one tries again.
/// </summary>
public abstract partial class PeriodicController : IController
{
    private readonly ILogger _logger;
    private CancellationTokenSource? _abort;

    protected PeriodicController(TimeProvider time, ILogger logger)
    {
        Time = time;
        _logger = logger;
    }

    public abstract string Name { get; }

    protected TimeProvider Time { get; }

    /// <summary>Time between the end of a pass and the start of the next.</summary>
    protected abstract TimeSpan Period { get; }

    /// <summary>False: the controller does nothing (turned off by configuration).</summary>
    protected virtual bool Enabled => true;

    /// <summary>The informers whose caches a pass reads.</summary>
    protected abstract IEnumerable<ISharedInformer> Reads { get; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return;
        }

        using var abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _abort = abort;
        OnLeading();
        try
        {
            await Task.WhenAll(Reads.Select(i => i.WaitForSyncAsync(abort.Token))).ConfigureAwait(false);
            while (!abort.IsCancellationRequested)
            {
                try
                {
                    await PassAsync(abort.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (abort.IsCancellationRequested)
                {
                    break;
                }
#pragma warning disable CA1031 // One failed pass (an API error) is logged; the next pass tries again.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    LogPassFailed(_logger, Name, e.Message);
                }

                await Task.Delay(Period, Time, abort.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            // Stopped or aborted.
        }
    }

    public void Abort() => _abort?.Cancel();

    /// <summary>Called when this replica starts leading, before the first pass.</summary>
    protected virtual void OnLeading()
    {
    }

    /// <summary>One pass.</summary>
    protected abstract Task PassAsync(CancellationToken cancellationToken);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A pass of {Controller} failed: {Reason}")]
    private static partial void LogPassFailed(ILogger logger, string controller, string reason);
}
