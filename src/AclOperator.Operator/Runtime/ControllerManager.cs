using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AclOperator.Operator.Runtime;

/// <summary>
/// The hosted service that runs the runtime (controller-runtime's Manager): builds the registered controllers (which
/// creates their informers), starts every informer on every replica, waits for leadership, then starts the controllers.
/// On a graceful stop the controllers drain their queues; on a lost lease they are aborted at once.
/// </summary>
public sealed partial class ControllerManager : BackgroundService
{
    private readonly SharedInformerFactory _informers;
    private readonly IEnumerable<IController> _controllerFactory;
    private readonly ILeadership _leadership;
    private readonly ILogger _logger;
    private IReadOnlyList<IController> _controllers = [];

    public ControllerManager(SharedInformerFactory informers, IEnumerable<IController> controllers, ILeadership leadership, ILogger<ControllerManager> logger)
    {
        _informers = informers;
        _controllerFactory = controllers;
        _leadership = leadership;
        _logger = logger;
    }

    /// <summary>The controllers, once the manager has started.</summary>
    public IReadOnlyList<IController> Controllers => _controllers;

    /// <summary>True once the informers were started (readiness then waits for them to sync).</summary>
    public bool InformersStarted { get; private set; }

    /// <summary>Controllers running (this replica leads and they have started).</summary>
    public bool ControllersRunning { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _controllers = [.. _controllerFactory];
        using var informerStop = new CancellationTokenSource();
        await _informers.Start(informerStop.Token).ConfigureAwait(false);
        InformersStarted = true;
        try
        {
            try
            {
                await _leadership.WhenLeadingAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            using var abortOnLoss = _leadership.Lost.Register(() =>
            {
                foreach (var controller in _controllers)
                {
                    controller.Abort();
                }
            });
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, _leadership.Lost);
            LogStarting(_logger, _controllers.Count);
            ControllersRunning = true;
            await Task.WhenAll(_controllers.Select(c => c.RunAsync(stop.Token))).ConfigureAwait(false);
            ControllersRunning = false;
        }
        finally
        {
            await informerStop.CancelAsync().ConfigureAwait(false);
            await _informers.WhenStoppedAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Leading: starting {Count} controllers")]
    private static partial void LogStarting(ILogger logger, int count);
}
