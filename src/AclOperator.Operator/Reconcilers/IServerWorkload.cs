using AclOperator.Api.V1Alpha1;

namespace AclOperator.Operator.Reconcilers;

/// <summary>Renders and applies the objects a RedisAclServer owns (StatefulSet, Services, RBAC, PDB, NetworkPolicy).</summary>
public interface IServerWorkload
{
    /// <summary>The image the pods run: spec.image, else the one pinned in status, else the default (O13).</summary>
    string ResolveImage(RedisAclServer server);

    /// <summary>Applies the desired objects; returns the names created, updated or deleted (empty in steady state).</summary>
    Task<IReadOnlyList<string>> ApplyAsync(RedisAclServer server, CancellationToken cancellationToken);
}
