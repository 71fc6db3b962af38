using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace AclOperator.Api.Snapshots;

/// <summary>
/// Writes one server's ACL with the snapshot protocol of O6: changed shards go to the spare slot of a double-buffered
/// pair (rules in ConfigMaps, hashes in Secrets), then the manifest flips in one write with a resourceVersion
/// precondition, which also fences a stale writer. Only shards whose entries changed are written (O14). State is read
/// back from the published snapshot on first use, never assumed (O8). Not thread-safe: one publisher per server, driven
/// by one reconcile at a time.
/// </summary>
public sealed class SnapshotPublisher
{
    private readonly IKubernetes _client;
    private readonly string _namespace;
    private readonly string _server;
    private readonly SnapshotReader _reader;
    private byte[]? _key;
    private ManifestDocument? _manifest;
    private string? _manifestResourceVersion;
    private List<SnapshotEntry>[] _shards = [];
    private bool[] _unverified = [];
    private bool _loaded;

    public SnapshotPublisher(IKubernetes client, string ns, string server)
    {
        _client = client;
        _namespace = ns;
        _server = server;
        _reader = new SnapshotReader(client, ns, server);
    }

    /// <summary>The owner every object written gets (the RedisAclServer, same namespace: O10).</summary>
    public V1OwnerReference? Owner { get; set; }

    /// <summary>The published revision (0 before the first publish).</summary>
    public long Revision => _manifest?.Revision ?? 0;

    /// <summary>Whether the published state has been read back (after <see cref="LoadAsync"/>).</summary>
    public bool IsLoaded => _loaded;

    /// <summary>
    /// Set by <see cref="LoadAsync"/> when the published snapshot did not verify and only part of it could be read back
    /// (why, never a hash); the next publish rewrites the shards that did not verify. Null otherwise.
    /// </summary>
    public string? Repairing { get; private set; }

    /// <summary>The published entries by username (after <see cref="LoadAsync"/>).</summary>
    public IReadOnlyDictionary<string, SnapshotEntry> Published =>
        _shards.SelectMany(s => s).ToDictionary(e => e.Name, StringComparer.Ordinal);

    /// <summary>The fingerprint <paramref name="user"/> would be published with (needs <see cref="LoadAsync"/>).</summary>
    public string Fingerprint(SnapshotUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return SnapshotCodec.Fingerprint(_key ?? throw new InvalidOperationException("LoadAsync first"), user.Name, user.Rules, user.Hashes);
    }

    /// <summary>Forgets everything read, so the next call reads the published snapshot again.</summary>
    public void Reset()
    {
        _loaded = false;
        _manifest = null;
        _manifestResourceVersion = null;
        _shards = [];
        _unverified = [];
        Repairing = null;
    }

    /// <summary>Ensures the key Secret exists (create-only, O3) and reads the published snapshot back.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        if (_loaded)
        {
            return;
        }

        _key = await EnsureKeyAsync(cancellationToken).ConfigureAwait(false);
        var read = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        switch (read.Status)
        {
            case SnapshotReadStatus.Loaded:
                _manifest = read.Content!.Manifest;
                _manifestResourceVersion = read.Content.ManifestResourceVersion;
                _shards = read.Content.Shards.Select(s => s.Entries.ToList()).ToArray();
                break;
            case SnapshotReadStatus.NotPublished:
                _manifest = null;
                _manifestResourceVersion = null;
                _shards = [];
                break;
            case SnapshotReadStatus.Torn when await _reader.SalvageAsync(cancellationToken).ConfigureAwait(false) is { } salvaged:
                // A shard stopped matching its manifest after the flip (no publish in flight tears for that long), so
                // waiting cannot help and every later publish - revocations included - would fail here. Publish over it:
                // the entries that verify stay last-good (O8), the shards that do not are rewritten into the spare slot.
                _manifest = salvaged.Manifest;
                _manifestResourceVersion = salvaged.ManifestResourceVersion;
                _shards = salvaged.Shards.Select(s => s?.Entries.ToList() ?? []).ToArray();
                _unverified = salvaged.Shards.Select(s => s is null).ToArray();
                Repairing = $"the published ACL revision {salvaged.Manifest.Revision.ToString(CultureInfo.InvariantCulture)} does not verify ({salvaged.Error})";
                break;
            default:
                throw new SnapshotConflictException($"cannot read the published ACL back: {read.Error}");
        }

        _loaded = true;
    }

    /// <summary>Creates the empty runtime users Secret (O9) unless it exists; a foreign one is a conflict.</summary>
    public async Task EnsureRuntimeSecretAsync(CancellationToken cancellationToken)
    {
        var name = SnapshotNames.RuntimeSecret(_server);
        var existing = await GetSecretAsync(name, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            CheckOwned(existing.Metadata, "Secret " + name);
            return;
        }

        var secret = new V1Secret
        {
            Metadata = Meta(name, "runtime"),
            Type = "Opaque",
            Data = new Dictionary<string, byte[]> { [SnapshotNames.RuntimeUsersKey] = SnapshotCodec.EncodeRuntimeUsers(new RuntimeUsersDocument()) },
        };
        await CreateIgnoringExistsAsync(() => _client.CoreV1.CreateNamespacedSecretAsync(secret, _namespace, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// Publishes exactly <paramref name="users"/> (the default user included). Writes nothing when the published
    /// snapshot already holds them. Throws <see cref="SnapshotConflictException"/> when the manifest moved under us.
    /// </summary>
    public async Task<PublishOutcome> PublishAsync(IReadOnlyCollection<SnapshotUser> users, CancellationToken cancellationToken) =>
        await PublishAsync(users, runtimeAcl: false, cancellationToken).ConfigureAwait(false);

    /// <summary>As <see cref="PublishAsync(IReadOnlyCollection{SnapshotUser}, CancellationToken)"/>, with the runtime ACL policy the pods apply (O9).</summary>
    public Task<PublishOutcome> PublishAsync(IReadOnlyCollection<SnapshotUser> users, bool runtimeAcl, CancellationToken cancellationToken) =>
        PublishAsync(users, runtimeAcl, null, cancellationToken);

    /// <summary>
    /// As <see cref="PublishAsync(IReadOnlyCollection{SnapshotUser}, bool, CancellationToken)"/>, with the tenant ceilings the
    /// pods check runtime users against (O2); a change of them alone publishes a new revision.
    /// </summary>
    public async Task<PublishOutcome> PublishAsync(IReadOnlyCollection<SnapshotUser> users, bool runtimeAcl, IReadOnlyList<TenantCeiling>? tenants, CancellationToken cancellationToken)
    {
        var tenantList = tenants is { Count: > 0 } ? tenants.ToList() : null;
        ArgumentNullException.ThrowIfNull(users);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var u in users)
        {
            // Every pod would refuse the whole snapshot (aclfile "Duplicate user"), so refuse it before writing anything.
            if (!names.Add(u.Name))
            {
                throw new ArgumentException($"user '{u.Name}' is listed more than once", nameof(users));
            }
        }

        await LoadAsync(cancellationToken).ConfigureAwait(false);
        var key = _key!;
        var old = Published;
        long revision = Revision + 1;
        var entries = new List<SnapshotEntry>(users.Count);
        var changed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var u in users)
        {
            var fp = SnapshotCodec.Fingerprint(key, u.Name, u.Rules, u.Hashes);
            var previous = old.GetValueOrDefault(u.Name);
            bool same = previous is not null && PasswordHashesEqual(previous.Fingerprint, fp);
            entries.Add(new SnapshotEntry(u.Name, u.Rules, u.Hashes, same ? previous!.Since : revision, fp) { Source = u.Source });
            if (!same)
            {
                changed.Add(u.Name);
            }
        }

        var desired = entries.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        changed.UnionWith(old.Keys.Where(n => !desired.Contains(n)));

        int shardCount = _manifest?.ShardCount ?? SnapshotNames.InitialShards;
        while (true)
        {
            var grouped = Group(entries, shardCount);
            var encoded = new (byte[] Rules, byte[] Hashes)?[shardCount];
            bool sameLayout = _manifest is not null && shardCount == _manifest.ShardCount;
            bool anyChange = !sameLayout || _manifest!.RuntimeAcl != runtimeAcl ||
                !(_manifest.Tenants ?? []).SequenceEqual(tenantList ?? []);
            bool tooBig = false;
            for (int i = 0; i < shardCount; i++)
            {
                if (sameLayout && SameEntries(grouped[i], _shards[i]) && !(i < _unverified.Length && _unverified[i]))
                {
                    continue;
                }

                anyChange = true;
                var e = Encode(grouped[i], i, revision);
                encoded[i] = e;
                tooBig |= e.Rules.Length > SnapshotNames.ShardSoftLimitBytes || e.Hashes.Length > SnapshotNames.ShardSoftLimitBytes;
            }

            if (tooBig && shardCount < SnapshotNames.MaxShards)
            {
                shardCount *= 2;
                continue;
            }

            if (!anyChange)
            {
                return new PublishOutcome(Revision, false, 0, old, []);
            }

            return await WriteAsync(grouped, encoded, shardCount, revision, key, changed, runtimeAcl, tenantList, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<PublishOutcome> WriteAsync(List<SnapshotEntry>[] grouped, (byte[] Rules, byte[] Hashes)?[] encoded, int shardCount,
        long revision, byte[] key, HashSet<string> changed, bool runtimeAcl, List<TenantCeiling>? tenants, CancellationToken ct)
    {
        // Fence first: a publisher whose view is stale (another writer published since it read the manifest) would
        // otherwise write into what it thinks is the spare slot - the slot the current manifest names - and tear the
        // live snapshot before its manifest precondition fails. Unchanged shards are never rewritten, so such a tear
        // would last until that shard changes again.
        await FenceAsync(revision, ct).ConfigureAwait(false);
        bool resharded = _manifest is null || _manifest.ShardCount != shardCount;
        var manifest = new ManifestDocument { Revision = revision, ShardCount = shardCount, Users = grouped.Sum(g => g.Count), RuntimeAcl = runtimeAcl, Tenants = tenants };
        var writes = new List<(string Rules, string Hashes, (byte[] Rules, byte[] Hashes) Content)>();
        for (int i = 0; i < shardCount; i++)
        {
            var oldRules = !resharded ? _manifest!.Rules[i] : null;
            var oldHashes = !resharded ? _manifest!.Hashes[i] : null;
            var e = encoded[i];
            if (e is null && oldRules is not null && oldHashes is not null)
            {
                manifest.Rules.Add(oldRules);
                manifest.Hashes.Add(oldHashes);
                continue;
            }

            e ??= Encode(grouped[i], i, revision);

            // The spare slot: never the one the current manifest names, so readers of the current revision stay intact.
            char current = _manifest is not null && i < _manifest.Rules.Count ? _manifest.Rules[i].Name[^1] : 'b';
            char slot = current == 'a' ? 'b' : 'a';
            var rulesName = SnapshotNames.RulesShard(_server, i, slot);
            var hashesName = SnapshotNames.HashShard(_server, i, slot);
            writes.Add((rulesName, hashesName, e.Value));
            manifest.Rules.Add(new ShardReference { Name = rulesName, Checksum = SnapshotCodec.Sha256(e.Value.Rules) });
            manifest.Hashes.Add(new ShardReference { Name = hashesName, Checksum = SnapshotCodec.Hmac(key, e.Value.Hashes) });
        }

        // Shards are independent of each other (only the manifest must come last), so they are written concurrently:
        // one after the other, a publish that touches every shard cost a round trip per object.
        await Parallel.ForEachAsync(writes, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (w, token) =>
        {
            await UpsertConfigMapAsync(new V1ConfigMap
            {
                Metadata = Meta(w.Rules, "rules"),
                BinaryData = new Dictionary<string, byte[]> { [SnapshotNames.ShardKey] = w.Content.Rules },
            }, token).ConfigureAwait(false);
            await UpsertSecretAsync(new V1Secret
            {
                Metadata = Meta(w.Hashes, "hashes"),
                Type = "Opaque",
                Data = new Dictionary<string, byte[]> { [SnapshotNames.ShardKey] = w.Content.Hashes },
            }, token).ConfigureAwait(false);
        }).ConfigureAwait(false);
        int written = writes.Count * 2;

        var map = new V1ConfigMap
        {
            Metadata = Meta(SnapshotNames.Manifest(_server), "manifest"),
            Data = new Dictionary<string, string>
            {
                [SnapshotNames.FormatVersionKey] = SnapshotNames.FormatVersion,
                [SnapshotNames.RevisionKey] = revision.ToString(CultureInfo.InvariantCulture),
                [SnapshotNames.ManifestKey] = SnapshotCodec.EncodeManifest(manifest),
            },
        };
        V1ConfigMap stored;
        try
        {
            if (_manifestResourceVersion is null)
            {
                stored = await _client.CoreV1.CreateNamespacedConfigMapAsync(map, _namespace, cancellationToken: ct).ConfigureAwait(false);
            }
            else
            {
                map.Metadata.ResourceVersion = _manifestResourceVersion;
                stored = await _client.CoreV1.ReplaceNamespacedConfigMapAsync(map, map.Metadata.Name, _namespace, cancellationToken: ct).ConfigureAwait(false);
            }
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.Conflict)
        {
            Reset();
            throw new SnapshotConflictException($"ConfigMap {map.Metadata.Name} changed while revision {revision} was being published; re-reading", e);
        }

        _manifest = manifest;
        _manifestResourceVersion = stored.Metadata.ResourceVersion;
        _shards = grouped;
        _unverified = [];
        Repairing = null;
        return new PublishOutcome(revision, true, written, Published, changed);
    }

    /// <summary>Throws <see cref="SnapshotConflictException"/> unless the manifest is still the one this publisher read or wrote.</summary>
    private async Task FenceAsync(long revision, CancellationToken ct)
    {
        var name = SnapshotNames.Manifest(_server);
        // A quorum LIST by name (resourceVersion ""): as fresh as a GET, and metadata is all that is needed.
        var list = await _client.CoreV1.ListNamespacedConfigMapAsync(_namespace, fieldSelector: "metadata.name=" + name, cancellationToken: ct).ConfigureAwait(false);
        string? current = list.Items.Count == 0 ? null : list.Items[0].Metadata.ResourceVersion;

        if (current != _manifestResourceVersion)
        {
            Reset();
            throw new SnapshotConflictException($"ConfigMap {name} changed after this publisher read it; revision {revision} was not written, re-reading");
        }
    }

    private static List<SnapshotEntry>[] Group(List<SnapshotEntry> entries, int shardCount)
    {
        var groups = new List<SnapshotEntry>[shardCount];
        for (int i = 0; i < shardCount; i++)
        {
            groups[i] = [];
        }

        foreach (var e in entries)
        {
            groups[SnapshotNames.ShardOf(e.Name, shardCount)].Add(e);
        }

        foreach (var g in groups)
        {
            g.Sort((x, y) => string.CompareOrdinal(x.Name, y.Name));
        }

        return groups;
    }

    private static bool SameEntries(List<SnapshotEntry> a, List<SnapshotEntry> b) =>
        a.Count == b.Count && a.Zip(b).All(p => p.First.Name == p.Second.Name && p.First.Fingerprint == p.Second.Fingerprint && p.First.Since == p.Second.Since && p.First.Source == p.Second.Source);

    private static (byte[] Rules, byte[] Hashes) Encode(List<SnapshotEntry> entries, int index, long revision) =>
        (SnapshotCodec.EncodeRulesShard(new RulesShardDocument
        {
            Revision = revision,
            Index = index,
            Users = entries.Select(e => new RulesShardUser { Name = e.Name, Rules = e.Rules, Since = e.Since, Fp = e.Fingerprint, Src = e.Source }).ToList(),
        }),
        SnapshotCodec.EncodeHashShard(new HashShardDocument
        {
            Revision = revision,
            Index = index,
            Users = entries.Where(e => e.Hashes.Count > 0).Select(e => new HashShardUser { Name = e.Name, Hashes = e.Hashes.ToList() }).ToList(),
        }));

    private static bool PasswordHashesEqual(string a, string b) => Acl.Passwords.PasswordHasher.FixedTimeEquals(a, b);

    private async Task<byte[]> EnsureKeyAsync(CancellationToken ct)
    {
        var name = SnapshotNames.HashesKeySecret(_server);
        for (int attempt = 0; attempt < 3; attempt++)
        {
            var existing = await GetSecretAsync(name, ct).ConfigureAwait(false);
            if (existing is not null)
            {
                CheckOwned(existing.Metadata, "Secret " + name);
                if (existing.Data?.TryGetValue(SnapshotNames.HmacKeyKey, out var k) == true && k.Length >= 16)
                {
                    return k;
                }

                throw new SnapshotConflictException($"Secret {name} has no {SnapshotNames.HmacKeyKey}");
            }

            var secret = new V1Secret
            {
                Metadata = Meta(name, "key"),
                Type = "Opaque",
                Data = new Dictionary<string, byte[]> { [SnapshotNames.HmacKeyKey] = RandomNumberGenerator.GetBytes(32) },
            };
            try
            {
                var created = await _client.CoreV1.CreateNamespacedSecretAsync(secret, _namespace, cancellationToken: ct).ConfigureAwait(false);
                return created.Data![SnapshotNames.HmacKeyKey];
            }
            catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.Conflict)
            {
                // Created concurrently: read it.
            }
        }

        throw new SnapshotConflictException($"Secret {name} could not be created or read");
    }

    /// <summary>O3: never adopt or overwrite an object without our ownerReference.</summary>
    private void CheckOwned(V1ObjectMeta meta, string what)
    {
        if (Owner is null)
        {
            return;
        }

        if (meta.OwnerReferences?.Any(r => r.Uid == Owner.Uid) != true)
        {
            throw new SnapshotConflictException($"{what} exists and is not owned by {Owner.Kind} {_server}; it is never adopted or overwritten (delete or rename it)");
        }
    }

    private V1ObjectMeta Meta(string name, string kind) => new()
    {
        Name = name,
        NamespaceProperty = _namespace,
        Labels = SnapshotNames.Labels(_server, kind),
        OwnerReferences = Owner is null ? null : [Owner],
    };

    private async Task UpsertConfigMapAsync(V1ConfigMap map, CancellationToken ct)
    {
        try
        {
            await _client.CoreV1.ReplaceNamespacedConfigMapAsync(map, map.Metadata.Name, _namespace, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            await CreateIgnoringExistsAsync(() => _client.CoreV1.CreateNamespacedConfigMapAsync(map, _namespace, cancellationToken: ct)).ConfigureAwait(false);
        }
    }

    private async Task UpsertSecretAsync(V1Secret secret, CancellationToken ct)
    {
        if (Owner is not null && await GetSecretAsync(secret.Metadata.Name, ct).ConfigureAwait(false) is { } existing)
        {
            // O3: a Secret in one of our slots that is not ours is never adopted or overwritten.
            CheckOwned(existing.Metadata, "Secret " + secret.Metadata.Name);
        }

        try
        {
            await _client.CoreV1.ReplaceNamespacedSecretAsync(secret, secret.Metadata.Name, _namespace, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            await CreateIgnoringExistsAsync(() => _client.CoreV1.CreateNamespacedSecretAsync(secret, _namespace, cancellationToken: ct)).ConfigureAwait(false);
        }
    }

    private static async Task CreateIgnoringExistsAsync<T>(Func<Task<T>> create)
    {
        try
        {
            await create().ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.Conflict)
        {
            // Created between our read and write; the next publish overwrites a slot anyway.
        }
    }

    private Task<V1Secret?> GetSecretAsync(string name, CancellationToken ct) =>
        KubernetesReads.OrNullAsync(_client.CoreV1.ReadNamespacedSecretAsync(name, _namespace, cancellationToken: ct));
}
