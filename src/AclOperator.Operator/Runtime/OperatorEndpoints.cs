using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Prometheus;

namespace AclOperator.Operator.Runtime;

/// <summary>
/// The probe and metrics endpoints of controller-runtime's manager: <c>/healthz</c> (liveness: the process serves),
/// <c>/readyz</c> (every informer synced) and <c>/metrics</c> (Prometheus text of <see cref="OperatorMetrics"/>).
/// </summary>
public static class OperatorEndpoints
{
    public static IEndpointRouteBuilder MapOperatorEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        endpoints.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
        endpoints.MapGet("/metrics", async (HttpContext c) =>
        {
            var metrics = c.RequestServices.GetRequiredService<OperatorMetrics>();
            c.Response.ContentType = PrometheusConstants.TextContentTypeWithVersionAndEncoding;
            await metrics.ExportAsync(c.Response.Body, c.RequestAborted).ConfigureAwait(false);
        });
        return endpoints;
    }
}
