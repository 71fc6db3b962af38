namespace AclOperator.Server.AclRuntime;

/// <summary>Enumerates the live connections (CLIENT LIST order).</summary>
public interface IAclClientRegistry
{
    IReadOnlyList<IAclClient> Snapshot();
}
