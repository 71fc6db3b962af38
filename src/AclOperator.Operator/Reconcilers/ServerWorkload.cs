using AclOperator.Api.V1Alpha1;
using AclOperator.Operator.Servers;
using Microsoft.Extensions.Options;

namespace AclOperator.Operator.Reconcilers;

/// <summary><see cref="IServerWorkload"/> over the renderer and the server-side-apply applier.</summary>
public sealed class ServerWorkload(ServerWorkloadApplier applier, IOptions<ServerReconcilerOptions> options) : IServerWorkload
{
    private readonly ServerWorkloadOptions _options = new()
    {
        DefaultImage = options.Value.DefaultImage,
        OperatorNamespace = options.Value.OperatorNamespace,
    };

    public string ResolveImage(RedisAclServer server) => ServerWorkloadRenderer.ResolveImage(server, _options);

    public async Task<IReadOnlyList<string>> ApplyAsync(RedisAclServer server, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        var rendered = ServerWorkloadRenderer.Render(server, _options);
        var outcome = await applier.ApplyAsync(server, rendered, cancellationToken).ConfigureAwait(false);
        return outcome.Created.Select(x => $"created {x.Kind} {x.Name}")
            .Concat(outcome.Updated.Select(x => $"updated {x.Kind} {x.Name}"))
            .Concat(outcome.Deleted.Select(x => $"deleted {x.Kind} {x.Name}"))
            .Concat(outcome.Replaced.Select(x => $"replaced {x.Kind} {x.Name}"))
            .ToList();
    }
}
