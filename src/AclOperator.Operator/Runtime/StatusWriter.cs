using k8s;
using k8s.Models;

namespace AclOperator.Operator.Runtime;

/// <summary>
/// Writes the status subresource with conflict retry: the mutation is applied to a copy of the object; if the status
/// did not change nothing is written (O12: writes only on semantic change); otherwise a PUT of <c>/status</c> with the
/// object's resourceVersion. On 409 Conflict the object is read again and the same mutation applied to the fresh copy
/// (retry.RetryOnConflict), up to <see cref="MaxAttempts"/> times. The mutation must therefore be a function of the
/// object it is given, not of the state it was first computed from.
/// </summary>
public sealed class StatusWriter(KubernetesResourceClient client)
{
    private readonly KubernetesResourceClient _client = client ?? throw new ArgumentNullException(nameof(client));

    public int MaxAttempts { get; init; } = ConflictRetry.DefaultAttempts;

    public Task<T> UpdateStatusAsync<T>(T obj, Action<T> mutate, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta> =>
        UpdateStatusAsync(ApiResource.For<T>(), obj, mutate, cancellationToken);

    /// <summary>Returns the object as stored after the write (or the unchanged input when nothing had to be written).</summary>
    public async Task<T> UpdateStatusAsync<T>(ApiResource resource, T obj, Action<T> mutate, CancellationToken cancellationToken)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(obj);
        ArgumentNullException.ThrowIfNull(mutate);
        var current = obj;
        for (var attempt = 1; ; attempt++)
        {
            var before = KubernetesJson.Serialize(current);
            var desired = KubernetesJson.Deserialize<T>(before);
            mutate(desired);
            if (string.Equals(before, KubernetesJson.Serialize(desired), StringComparison.Ordinal))
            {
                return current;
            }
            try
            {
                return await _client.ReplaceAsync(resource, desired.Metadata.NamespaceProperty, desired.Metadata.Name, desired, "status", cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (KubernetesErrors.IsConflict(ex) && attempt < MaxAttempts)
            {
                await ConflictRetry.PauseAsync(cancellationToken).ConfigureAwait(false);
                current = await _client.GetAsync<T>(resource, obj.Metadata.NamespaceProperty, obj.Metadata.Name, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
