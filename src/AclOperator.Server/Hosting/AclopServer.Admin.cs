using System.Net;
using AclOperator.Server.Admin;
using AclOperator.Server.Configuration;
using Microsoft.Extensions.Logging;

namespace AclOperator.Server.Hosting;

/// <summary>The admin HTTP port: started once the ACL is loaded and the client listener runs, stopped first on shutdown.</summary>
internal sealed partial class AclopServer
{
    private AdminListener? _admin;

    /// <summary>The admin HTTP endpoint; null when <c>admin-port</c> is 0 (off).</summary>
    public IPEndPoint? AdminEndPoint => _admin?.EndPoint;

    /// <summary>
    /// Starts the admin listener when <c>admin-port</c> is set, or on a free port when tests ask for one
    /// (<paramref name="allowEphemeralAdminPort"/>: <c>admin-port 0</c> means off otherwise). On failure the client
    /// listener and the backend are released before the error propagates.
    /// </summary>
    private async Task StartAdminAsync(ServerConfig config, bool allowEphemeralAdminPort, CancellationToken cancellationToken)
    {
        if (config.AdminPort == 0 && !allowEphemeralAdminPort)
        {
            return;
        }

        try
        {
            _admin = await AdminListener.StartAsync(Context, config.AdminBind, config.AdminPort, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await _listener.DisposeAsync().ConfigureAwait(false);
            await Context.Backend.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        LogAdminListening(_logger, _admin.EndPoint);
    }

    private async ValueTask StopAdminAsync()
    {
        if (_admin is not null)
        {
            await _admin.DisposeAsync().ConfigureAwait(false);
            _admin = null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Admin HTTP listener on {EndPoint} (/healthz /readyz /status /metrics)")]
    private static partial void LogAdminListening(ILogger logger, IPEndPoint endPoint);
}
