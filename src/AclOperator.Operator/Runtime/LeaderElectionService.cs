using k8s;
using k8s.LeaderElection;
using k8s.LeaderElection.ResourceLock;
using k8s.Models;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AclOperator.Operator.Runtime;

/// <summary>
/// Runs KubernetesClient's <see cref="LeaderElector"/> on a <see cref="LeaseLock"/> (O16). Only the leader starts
/// controllers; informers run on every replica so a new leader starts with a synced cache (fast handover). A lost lease
/// (renewal failed past the renew deadline) cancels <see cref="Lost"/>, which aborts reconciles at once, and stops
/// the application: the process exits (non-zero, see Program) and restarts as a follower, as controller-runtime does.
/// On a graceful stop the leader releases the Lease (empty holder, one-second duration, client-go's ReleaseOnCancel),
/// so a standby takes over within its retry period instead of waiting for the lease to expire. Registered before the
/// controller manager, so the host stops it after the controllers drained.
/// </summary>
public sealed partial class LeaderElectionService : BackgroundService, ILeadership
{
    private readonly IKubernetes _client;
    private readonly LeaderElectionOptions _options;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly OperatorMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _leading = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _lost = new();
    private volatile bool _isLeader;

    public LeaderElectionService(IKubernetes client, IOptions<LeaderElectionOptions> options, IHostApplicationLifetime lifetime, OperatorMetrics metrics,
        ILogger<LeaderElectionService> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _client = client;
        _options = options.Value;
        _lifetime = lifetime;
        _metrics = metrics;
        _logger = logger;
        Identity = _options.Identity.Length > 0 ? _options.Identity : Environment.MachineName + "_" + Guid.NewGuid().ToString("N")[..8];
    }

    public string Identity { get; }

    public bool IsLeader => _isLeader;

    public CancellationToken Lost => _lost.Token;

    /// <summary>True once this replica lost a lease it held; the process should exit non-zero.</summary>
    public bool LostLease => _lost.IsCancellationRequested;

    public Task WhenLeadingAsync(CancellationToken cancellationToken) => _leading.Task.WaitAsync(cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var status = _metrics.LeaderElectionStatus.WithLabels(_options.LeaseName);
        if (!_options.Enabled)
        {
            _isLeader = true;
            status.Set(1);
            _leading.TrySetResult();
            return;
        }
        status.Set(0);
        var leaseLock = new LeaseLock(_client, _options.LeaseNamespace, _options.LeaseName, Identity);
        using var elector = new LeaderElector(new LeaderElectionConfig(leaseLock)
        {
            LeaseDuration = _options.LeaseDuration,
            RenewDeadline = _options.RenewDeadline,
            RetryPeriod = _options.RetryPeriod,
        });
        elector.OnStartedLeading += () =>
        {
            _isLeader = true;
            status.Set(1);
            LogLeading(_logger, Identity, _options.LeaseNamespace, _options.LeaseName);
            _leading.TrySetResult();
        };
        elector.OnStoppedLeading += () =>
        {
            var wasLeader = _isLeader;
            _isLeader = false;
            status.Set(0);
            if (wasLeader && !stoppingToken.IsCancellationRequested)
            {
                LogLost(_logger, Identity, _options.LeaseNamespace, _options.LeaseName);
                _lost.Cancel();
                _lifetime.StopApplication();
            }
        };
        elector.OnNewLeader += leader => LogNewLeader(_logger, leader ?? "");
        while (!stoppingToken.IsCancellationRequested && !_lost.IsCancellationRequested)
        {
            try
            {
                // Returns only after this replica led and lost the lease (handled by OnStoppedLeading above).
                await elector.RunUntilLeadershipLostAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // The elector lets transport errors of a candidate escape; a follower keeps trying.
            catch (Exception ex) when (!_isLeader)
#pragma warning restore CA1031
            {
                LogCandidateError(_logger, ex.Message);
                try
                {
                    await Task.Delay(_options.RetryPeriod, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        if (stoppingToken.IsCancellationRequested && _options.ReleaseOnCancel && _leading.Task.IsCompleted && !_lost.IsCancellationRequested)
        {
            await ReleaseAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Empties the holder (client-go's release: holderIdentity "", leaseDurationSeconds 1). KubernetesClient's elector
    /// treats a null holder as "no lease" and tries to create one, so the empty string matters.
    /// </summary>
    private async Task ReleaseAsync()
    {
        using var timeout = new CancellationTokenSource(_options.RenewDeadline);
        try
        {
            var lease = await _client.CoordinationV1.ReadNamespacedLeaseAsync(_options.LeaseName, _options.LeaseNamespace, cancellationToken: timeout.Token).ConfigureAwait(false);
            if (lease.Spec?.HolderIdentity != Identity)
            {
                return;
            }
            var now = DateTime.UtcNow;
            lease.Spec = new V1LeaseSpec
            {
                HolderIdentity = "",
                LeaseDurationSeconds = 1,
                AcquireTime = now,
                RenewTime = now,
                LeaseTransitions = lease.Spec.LeaseTransitions,
            };
            await _client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, _options.LeaseName, _options.LeaseNamespace, cancellationToken: timeout.Token).ConfigureAwait(false);
            LogReleased(_logger, Identity, _options.LeaseNamespace, _options.LeaseName);
        }
#pragma warning disable CA1031 // Releasing is an optimisation: if it fails the lease simply expires.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogReleaseFailed(_logger, _options.LeaseNamespace, _options.LeaseName, ex.Message);
        }
        finally
        {
            _isLeader = false;
            _metrics.LeaderElectionStatus.WithLabels(_options.LeaseName).Set(0);
        }
    }

    public override void Dispose()
    {
        _lost.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} became the leader ({Namespace}/{Lease})")]
    private static partial void LogLeading(ILogger logger, string identity, string @namespace, string lease);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Identity} lost the lease {Namespace}/{Lease}; stopping")]
    private static partial void LogLost(ILogger logger, string identity, string @namespace, string lease);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Leader election attempt failed; retrying: {Error}")]
    private static partial void LogCandidateError(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Current leader: {Leader}")]
    private static partial void LogNewLeader(ILogger logger, string leader);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Identity} released the lease {Namespace}/{Lease}")]
    private static partial void LogReleased(ILogger logger, string identity, string @namespace, string lease);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release the lease {Namespace}/{Lease}: {Error}")]
    private static partial void LogReleaseFailed(ILogger logger, string @namespace, string lease, string error);
}
