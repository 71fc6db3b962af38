using System.Net;
using System.Text.Json;
using AclOperator.Api.Snapshots;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace AclOperator.Server.AclRuntime.Kubernetes;

/// <summary>
/// The runtime users Secret <c>&lt;server&gt;-acl-runtime</c> (O9): read, and changed by compare-and-swap — GET, modify the
/// <see cref="RuntimeUsersDocument"/>, PUT with the resourceVersion read, and on 409 start again from a fresh GET — so
/// concurrent writers on several replicas never lose each other's users. Only that one Secret is ever written.
/// </summary>
internal sealed class RuntimeUsersStore
{
    private const int MaxAttempts = 10;

    private readonly IKubernetes _client;
    private readonly KubernetesSourceOptions _options;

    public RuntimeUsersStore(IKubernetes client, KubernetesSourceOptions options)
    {
        _client = client;
        _options = options;
    }

    /// <summary><c>namespace/name</c> of the Secret, for messages.</summary>
    public string Description => $"{_options.Namespace}/{_options.RuntimeSecretName}";

    /// <summary>The stored users and the Secret's resourceVersion (null when the Secret does not exist: no users).</summary>
    public async Task<(RuntimeUsersDocument Users, string? ResourceVersion)> ReadAsync(CancellationToken cancellationToken)
    {
        var secret = await GetAsync(cancellationToken).ConfigureAwait(false);
        return (Decode(secret), secret?.Metadata?.ResourceVersion);
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the stored users and writes them back with the resourceVersion read.
    /// <paramref name="change"/> runs once per attempt on a fresh copy and returns whether it changed anything (no write
    /// then) or throws <see cref="RuntimeUsersChangeException"/> to refuse. Returns what is stored now.
    /// </summary>
    public async Task<(RuntimeUsersDocument Users, string? ResourceVersion)> UpdateAsync(Func<RuntimeUsersDocument, bool> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        for (int attempt = 1; ; attempt++)
        {
            var secret = await GetAsync(cancellationToken).ConfigureAwait(false);
            var users = Decode(secret);
            if (!change(users))
            {
                return (users, secret?.Metadata?.ResourceVersion);
            }

            users.Users.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
            var encoded = SnapshotCodec.EncodeRuntimeUsers(users);
            try
            {
                V1Secret stored;
                if (secret is null)
                {
                    stored = await _client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
                    {
                        Metadata = new V1ObjectMeta
                        {
                            Name = _options.RuntimeSecretName,
                            NamespaceProperty = _options.Namespace,
                            Labels = SnapshotNames.Labels(_options.Server, "runtime"),
                        },
                        Type = "Opaque",
                        Data = new Dictionary<string, byte[]> { [SnapshotNames.RuntimeUsersKey] = encoded },
                    }, _options.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    // The object as read, resourceVersion included: a concurrent writer makes this a 409.
                    secret.Data ??= new Dictionary<string, byte[]>();
                    secret.Data[SnapshotNames.RuntimeUsersKey] = encoded;
                    stored = await _client.CoreV1.ReplaceNamespacedSecretAsync(secret, _options.RuntimeSecretName, _options.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
                }

                return (users, stored.Metadata?.ResourceVersion);
            }
            catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.Conflict && attempt < MaxAttempts)
            {
                // Another replica wrote first (or created the Secret): read again and redo the change on its result.
            }
        }
    }

    private Task<V1Secret?> GetAsync(CancellationToken ct) =>
        KubernetesReads.OrNullAsync(_client.CoreV1.ReadNamespacedSecretAsync(_options.RuntimeSecretName, _options.Namespace, cancellationToken: ct));

    private RuntimeUsersDocument Decode(V1Secret? secret)
    {
        if (secret?.Data is not { } data || !data.TryGetValue(SnapshotNames.RuntimeUsersKey, out var bytes))
        {
            return new RuntimeUsersDocument();
        }

        try
        {
            var users = SnapshotCodec.DecodeRuntimeUsers(bytes);
            users.Users ??= [];
            return users;
        }
        catch (JsonException e)
        {
            // Never overwritten: a malformed document may still hold users someone wants back.
            throw new InvalidDataException($"Secret {Description} holds malformed runtime users ({e.Message}); fix or empty its '{SnapshotNames.RuntimeUsersKey}' key", e);
        }
    }
}
