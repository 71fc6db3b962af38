using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AclOperator.Operator.Runtime;

/// <summary>/readyz: ready once every informer has its first list in the cache (O8: nothing is published before).</summary>
public sealed class InformersSyncedHealthCheck(SharedInformerFactory informers, ControllerManager manager) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!manager.InformersStarted)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("informers not started yet"));
        }
        var all = informers.Informers;
        var waiting = all.Where(i => !i.HasSynced).Select(i => i.Name).ToList();
        return Task.FromResult(waiting.Count == 0
            ? HealthCheckResult.Healthy($"{all.Count} informers synced")
            : HealthCheckResult.Unhealthy("not synced: " + string.Join(", ", waiting)));
    }
}
