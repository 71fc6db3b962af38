using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace AclOperator.Operator.Runtime;

/// <summary>
/// Adds and removes finalizers (controllerutil.AddFinalizer/RemoveFinalizer + an optimistic-lock patch): a JSON merge
/// patch of <c>metadata.finalizers</c> that carries the object's resourceVersion, so the server refuses it (409) when
/// someone else changed the list meanwhile; then the object is read again and the edit reapplied, a bounded number of times.
/// </summary>
public sealed class FinalizerClient(KubernetesResourceClient client)
{
    private readonly KubernetesResourceClient _client = client ?? throw new ArgumentNullException(nameof(client));

    public int MaxAttempts { get; init; } = ConflictRetry.DefaultAttempts;

    /// <summary>Adds the finalizer unless present; returns the object as stored afterwards.</summary>
    public Task<T> AddAsync<T>(ApiResource resource, T obj, string finalizer, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        EditAsync(resource, obj, list =>
        {
            if (list.Contains(finalizer))
            {
                return false;
            }
            list.Add(finalizer);
            return true;
        }, cancellationToken);

    /// <summary>Removes the finalizer if present; returns the object as stored afterwards (or as last seen if it is gone).</summary>
    public Task<T> RemoveAsync<T>(ApiResource resource, T obj, string finalizer, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        EditAsync(resource, obj, list => list.Remove(finalizer), cancellationToken);

    private async Task<T> EditAsync<T>(ApiResource resource, T obj, Func<List<string>, bool> edit, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(obj);
        var current = obj;
        for (var attempt = 1; ; attempt++)
        {
            var list = current.Metadata.Finalizers?.ToList() ?? [];
            if (!edit(list))
            {
                return current;
            }
            var patch = new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["finalizers"] = JsonSerializer.SerializeToNode(list),
                    ["resourceVersion"] = current.Metadata.ResourceVersion,
                },
            };
            try
            {
                return await _client.PatchAsync<T>(resource, current.Metadata.NamespaceProperty, current.Metadata.Name, patch.ToJsonString(),
                    "application/merge-patch+json", null, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (KubernetesErrors.IsConflict(ex) && attempt < MaxAttempts)
            {
                await ConflictRetry.PauseAsync(cancellationToken).ConfigureAwait(false);
                current = await _client.GetAsync<T>(resource, current.Metadata.NamespaceProperty, current.Metadata.Name, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (KubernetesErrors.IsNotFound(ex))
            {
                return current;
            }
        }
    }
}
