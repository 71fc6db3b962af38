using AclOperator.Server.Backend;

namespace AclOperator.Server.Tests.Admin;

/// <summary>A backend double whose health the test sets; it runs no commands (admin tests send none).</summary>
internal sealed class FakeBackend : IBackend
{
    private volatile bool _healthy = true;

    public string Name => "fake";

    public IReadOnlySet<string> SupportedCommands { get; } = new HashSet<string>(StringComparer.Ordinal);

    public bool IsHealthy
    {
        get => _healthy;
        set => _healthy = value;
    }

    public IBackendSession OpenSession(IBackendReplySink sink) =>
        throw new NotSupportedException("the fake backend runs no commands");

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
