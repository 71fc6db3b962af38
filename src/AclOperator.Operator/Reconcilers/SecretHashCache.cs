using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using AclOperator.Acl.Passwords;
using AclOperator.Api.Compilation;
using AclOperator.Api.Snapshots;
using AclOperator.Api.V1Alpha1;
using AclOperator.Operator.Runtime;
using k8s;
using k8s.Models;

namespace AclOperator.Operator.Reconcilers;

/// <summary>
/// What the operator keeps of referenced Secrets (O3): for each key, the SHA-256 of its value (for <c>passwords</c>) or
/// the stored hash itself when it is one (for <c>passwordHashes</c>), tagged with the Secret's resourceVersion. The
/// metadata-only informer tells which Secrets exist and at which resourceVersion; a Secret is read with GET only when
/// its resourceVersion changed, hashed at once, and the buffer zeroed. Cleartext is never kept.
/// </summary>
public sealed class SecretHashCache
{
    private readonly IKubernetes _client;
    private readonly SharedInformer<PartialObjectMetadata> _metadata;
    private readonly ConcurrentDictionary<(string Ns, string Name), Entry> _entries = new();

    public SecretHashCache(IKubernetes client, SharedInformerFactory informers)
    {
        ArgumentNullException.ThrowIfNull(informers);
        _client = client;
        _metadata = informers.SecretMetadata();
    }

    /// <summary>The metadata informer (a source of the server controller).</summary>
    public SharedInformer<PartialObjectMetadata> Informer => _metadata;

    private sealed record KeyHashes(string Sha256, int Length, string? StoredHash);

    /// <summary>One Secret's key hashes; <c>Direct</c>: read by a GET while the metadata informer did not have it (yet).</summary>
    private sealed record Entry(string ResourceVersion, IReadOnlyList<V1OwnerReference> Owners, IReadOnlyDictionary<string, KeyHashes>? Keys, string? Error, bool Direct = false);

    /// <summary>Reads every listed Secret whose resourceVersion differs from the cached one.</summary>
    public async Task RefreshAsync(IEnumerable<(string Ns, string Name)> secrets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        var stale = new List<(string Ns, string Name, string? Rv)>();
        foreach (var key in secrets.Distinct())
        {
            var meta = _metadata.Cache.Get(key.Ns, key.Name);
            if (meta is null)
            {
                // Not in the informer is not "not found" yet: watches of different resources are not ordered, so a
                // reference can arrive before the Secret's own event (O8). A GET decides; only its 404 is authoritative.
                stale.Add((key.Ns, key.Name, null));
                continue;
            }

            var rv = meta.Metadata.ResourceVersion ?? "";
            if (!_entries.TryGetValue(key, out var e) || e.ResourceVersion != rv || e.Error is not null)
            {
                stale.Add((key.Ns, key.Name, rv));
            }
        }

        await Parallel.ForEachAsync(stale, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (s, ct) =>
        {
            try
            {
                var secret = await KubernetesReads.OrNullAsync(_client.CoreV1.ReadNamespacedSecretAsync(s.Name, s.Ns, cancellationToken: ct)).ConfigureAwait(false);
                if (secret is null)
                {
                    _entries.TryRemove((s.Ns, s.Name), out _);
                }
                else
                {
                    Store(secret, direct: s.Rv is null);
                }
            }
            catch (Exception e) when (e is k8s.Autorest.HttpOperationException or HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                _entries[(s.Ns, s.Name)] = new Entry(s.Rv ?? "", [], null, e.Message, Direct: s.Rv is null);
            }
        }).ConfigureAwait(false);
    }

    /// <summary>Records a Secret the operator just wrote or read: only hashes are kept; the data buffers are zeroed.</summary>
    public void Store(V1Secret secret) => Store(secret, direct: false);

    private void Store(V1Secret secret, bool direct)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var keys = new Dictionary<string, KeyHashes>(StringComparer.Ordinal);
        foreach (var (k, v) in secret.Data ?? new Dictionary<string, byte[]>())
        {
            var trimmed = v.AsSpan().Trim(" \t\r\n"u8);
            string? stored = PasswordHasher.IsValidHash(trimmed) ? Encoding.ASCII.GetString(trimmed) : null;
            keys[k] = new KeyHashes(PasswordHasher.Hash(v), v.Length, stored);
            CryptographicOperations.ZeroMemory(v);
        }

        foreach (var (k, v) in secret.StringData ?? new Dictionary<string, string>())
        {
            var bytes = Encoding.UTF8.GetBytes(v);
            keys[k] = new KeyHashes(PasswordHasher.Hash(bytes), bytes.Length, PasswordHasher.IsValidHash(v.AsSpan().Trim()) ? v.Trim() : null);
            CryptographicOperations.ZeroMemory(bytes);
        }

        _entries[(secret.Metadata.NamespaceProperty, secret.Metadata.Name)] =
            new Entry(secret.Metadata.ResourceVersion ?? "", secret.Metadata.OwnerReferences?.ToList() ?? [], keys, null, direct);
    }

    /// <summary>Whether a Secret exists (per the synced metadata informer).</summary>
    public bool Exists(string ns, string name) => _metadata.Cache.Get(ns, name) is not null;

    /// <summary>The owner references of a Secret (from the metadata informer).</summary>
    public IReadOnlyList<V1OwnerReference> OwnersOf(string ns, string name) =>
        _metadata.Cache.Get(ns, name)?.Metadata.OwnerReferences?.ToList() ?? [];

    /// <summary>A password shorter than 16 bytes (O4 WeakPassword), or null when unknown.</summary>
    public bool? IsWeak(string ns, SecretKeyRef reference) =>
        Lookup(ns, reference, out var h) == SecretLookupStatus.Found ? h!.Length < 16 : null;

    /// <summary>A resolver over the cache for one compile; <paramref name="serverNamespace"/> is used for a null namespace.</summary>
    public ISecretResolver Resolver(string serverNamespace, Func<string, SecretKeyRef, SecretLookup?>? overrides = null) =>
        new CacheResolver(this, serverNamespace, overrides);

    private SecretLookupStatus Lookup(string ns, SecretKeyRef reference, out KeyHashes? hashes)
    {
        hashes = null;
        if (!_metadata.HasSynced)
        {
            return SecretLookupStatus.Unavailable;
        }

        var meta = _metadata.Cache.Get(ns, reference.Name);
        _entries.TryGetValue((ns, reference.Name), out var entry);
        if (meta is null)
        {
            // Authoritative only when a GET found nothing either (RefreshAsync then holds no entry for it).
            if (entry is not { Direct: true })
            {
                return SecretLookupStatus.NotFound;
            }
        }
        else if (entry is null || entry.ResourceVersion != (meta.Metadata.ResourceVersion ?? ""))
        {
            return SecretLookupStatus.Unavailable;
        }

        if (entry.Keys is null)
        {
            return SecretLookupStatus.Unavailable;
        }

        if (!entry.Keys.TryGetValue(reference.Key, out hashes))
        {
            return SecretLookupStatus.NotFound;
        }

        return SecretLookupStatus.Found;
    }

    private sealed class CacheResolver(SecretHashCache cache, string serverNamespace, Func<string, SecretKeyRef, SecretLookup?>? overrides) : ISecretResolver
    {
        public SecretLookup Resolve(string? objectNamespace, SecretKeyRef reference)
        {
            var ns = objectNamespace ?? serverNamespace;
            if (overrides?.Invoke(ns, reference) is { } o)
            {
                return o;
            }

            return cache.Lookup(ns, reference, out var h) switch
            {
                SecretLookupStatus.Found => SecretLookup.Found(h!.StoredHash is { } s ? Encoding.ASCII.GetBytes(s) : []),
                SecretLookupStatus.NotFound => SecretLookup.NotFound(),
                _ => SecretLookup.Unavailable(cache.ErrorOf(ns, reference.Name)),
            };
        }

        public SecretLookup ResolvePasswordHash(string? objectNamespace, SecretKeyRef reference)
        {
            var ns = objectNamespace ?? serverNamespace;
            if (overrides?.Invoke(ns, reference) is { } o)
            {
                return o;
            }

            return cache.Lookup(ns, reference, out var h) switch
            {
                SecretLookupStatus.Found => SecretLookup.Found(Encoding.ASCII.GetBytes(h!.Sha256)),
                SecretLookupStatus.NotFound => SecretLookup.NotFound(),
                _ => SecretLookup.Unavailable(cache.ErrorOf(ns, reference.Name)),
            };
        }
    }

    private string? ErrorOf(string ns, string name) => _entries.TryGetValue((ns, name), out var e) ? e.Error : null;
}
