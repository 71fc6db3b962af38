using Microsoft.Extensions.Hosting;

namespace AclOperator.Server.Admin;

/// <summary>
/// The admin web host starts and stops with the server only: unlike the default console lifetime it does not take
/// Ctrl+C or SIGTERM (Program handles them) and prints no "Application started" banner.
/// </summary>
internal sealed class AdminHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
