using System.Buffers;
using System.Text;
using System.Text.Json;
using AclOperator.Server.Commands;
using AclOperator.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Prometheus;

namespace AclOperator.Server.Admin;

/// <summary>
/// The admin port's endpoints: <c>/healthz</c> (the process serves), <c>/readyz</c> (an ACL is loaded and the backend
/// is healthy), <c>/status</c> (JSON: what this pod enforces, O12) and <c>/metrics</c> (Prometheus text).
/// </summary>
internal static class AdminEndpoints
{
    private const string TextContentType = "text/plain; charset=utf-8";

    public static void Map(IEndpointRouteBuilder routes, ServerContext ctx)
    {
        routes.MapGet("/healthz", (RequestDelegate)(c => WriteTextAsync(c, StatusCodes.Status200OK, "ok")));
        routes.MapGet("/readyz", (RequestDelegate)(c =>
        {
            var reason = NotReadyReason(ctx);
            return reason is null
                ? WriteTextAsync(c, StatusCodes.Status200OK, "ok")
                : WriteTextAsync(c, StatusCodes.Status503ServiceUnavailable, reason);
        }));
        routes.MapGet("/status", (RequestDelegate)(c => WriteStatusAsync(c, ctx)));
        routes.MapGet("/metrics", (RequestDelegate)(c => WriteMetricsAsync(c, ctx.Metrics.Registry)));
    }

    /// <summary>Null when ready; otherwise the one-line reason /readyz answers with 503.</summary>
    internal static string? NotReadyReason(ServerContext ctx)
    {
        if (!ctx.Acl.IsLoaded)
        {
            return "ACL not loaded";
        }

        return ctx.Backend.IsHealthy ? null : $"backend {ctx.Backend.Name} is not healthy";
    }

    /// <summary>
    /// <c>{revision, aclSource, users, backend {name, healthy}, connectedClients, uptimeSeconds, version}</c>. No user
    /// names and nothing derived from password hashes (O4).
    /// </summary>
    internal static byte[] StatusJson(ServerContext ctx)
    {
        var snapshot = ctx.Acl.Current;
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("revision", snapshot.Revision);
            // Without a source the users come from the configuration (requirepass, user directives).
            w.WriteString("aclSource", ctx.Acl.Source?.Description ?? "config");
            w.WriteNumber("users", snapshot.Users.Count);
            w.WriteStartObject("backend");
            w.WriteString("name", ctx.Backend.Name);
            w.WriteBoolean("healthy", ctx.Backend.IsHealthy);
            w.WriteEndObject();
            w.WriteNumber("connectedClients", ctx.Clients.Count);
            w.WriteNumber("uptimeSeconds", (long)(ctx.Time.GetUtcNow() - ctx.StartedAt).TotalSeconds);
            w.WriteString("version", ServerInfo.ProductVersion);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static async Task WriteStatusAsync(HttpContext c, ServerContext ctx)
    {
        var json = StatusJson(ctx);
        c.Response.StatusCode = StatusCodes.Status200OK;
        c.Response.ContentType = "application/json; charset=utf-8";
        c.Response.ContentLength = json.Length;
        await c.Response.Body.WriteAsync(json, c.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WriteMetricsAsync(HttpContext c, CollectorRegistry registry)
    {
        c.Response.StatusCode = StatusCodes.Status200OK;
        c.Response.ContentType = PrometheusConstants.TextContentTypeWithVersionAndEncoding;
        await registry.CollectAndExportAsTextAsync(c.Response.Body, c.RequestAborted).ConfigureAwait(false);
    }

    private static async Task WriteTextAsync(HttpContext c, int status, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        c.Response.StatusCode = status;
        c.Response.ContentType = TextContentType;
        c.Response.ContentLength = bytes.Length;
        await c.Response.Body.WriteAsync(bytes, c.RequestAborted).ConfigureAwait(false);
    }
}
