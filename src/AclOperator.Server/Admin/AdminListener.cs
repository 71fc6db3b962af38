using System.Net;
using AclOperator.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AclOperator.Server.Admin;

/// <summary>
/// The admin HTTP port (<c>admin-port</c>, <c>admin-bind</c>): Kestrel with four endpoints and nothing else — no
/// configuration files or environment variables, no console lifetime, and its log lines only through the server's
/// logger factory (which keeps foreign categories at warnings).
/// </summary>
internal sealed class AdminListener : IAsyncDisposable
{
    private readonly WebApplication _app;

    private AdminListener(WebApplication app, IPEndPoint endPoint)
    {
        _app = app;
        EndPoint = endPoint;
    }

    /// <summary>The bound address; port 0 resolves to the real port.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>Binds <paramref name="bind"/>:<paramref name="port"/> and serves; throws <see cref="StartupException"/> when it cannot.</summary>
    public static async Task<AdminListener> StartAsync(ServerContext ctx, string bind, int port, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var address = ParseBind(bind) ?? throw new StartupException($"Invalid admin-bind address '{bind}'");

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "aclop-server-admin" });
        builder.Services.AddSingleton(ctx.LoggerFactory);
        builder.Services.AddSingleton<IHostLifetime>(new AdminHostLifetime());
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.Services.AddRoutingCore();
        builder.WebHost.UseKestrelCore().ConfigureKestrel(o =>
        {
            o.AddServerHeader = false;
            o.Limits.MaxConcurrentConnections = 64;
            o.Limits.MaxRequestBodySize = 0;
            o.Listen(address, port);
        });

        var app = builder.Build();
        AdminEndpoints.Map(app, ctx);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new StartupException($"Could not create the admin HTTP listener on {FormatEndPoint(address, port)}: {e.InnerException?.Message ?? e.Message}");
        }

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new AdminListener(app, new IPEndPoint(address, new Uri(bound).Port));
    }

    /// <summary>An IP address, <c>localhost</c> (IPv4 loopback) or <c>*</c> (every IPv4 address); null otherwise.</summary>
    internal static IPAddress? ParseBind(string bind) => bind switch
    {
        "*" => IPAddress.Any,
        "localhost" => IPAddress.Loopback,
        _ => IPAddress.TryParse(bind, out var ip) ? ip : null,
    };

    private static string FormatEndPoint(IPAddress address, int port) =>
        new IPEndPoint(address, port).ToString();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
