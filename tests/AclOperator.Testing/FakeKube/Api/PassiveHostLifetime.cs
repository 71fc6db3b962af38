using Microsoft.Extensions.Hosting;

namespace AclOperator.Testing.FakeKube.Api;

/// <summary>
/// Replaces the console lifetime a WebApplication registers by default, so an embedded fake never takes over the
/// test process's SIGTERM/Ctrl+C handling; the server stops when it is disposed.
/// </summary>
internal sealed class PassiveHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
