using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using AclOperator.Acl.Passwords;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace AclOperator.Api.Snapshots;

/// <summary>
/// Reads one server's published ACL with the snapshot protocol of O6: the manifest first, then each shard it names,
/// every checksum verified; a shard that is missing or does not match means the writer is mid-publish, so the
/// manifest is read again with backoff and a partial snapshot is never returned. Shards whose checksums did not change
/// since the last read are not fetched again (pods re-parse only changed shards).
/// </summary>
public sealed class SnapshotReader
{
    private readonly IKubernetes _client;
    private readonly string _namespace;
    private readonly string _server;
    private readonly ConcurrentDictionary<(string Rules, string Hashes), SnapshotShard> _shards = new();
    private byte[]? _key;

    /// <param name="client">An API client allowed to get the snapshot objects by name (O5).</param>
    /// <param name="ns">The server's namespace.</param>
    /// <param name="server">The RedisAclServer's name.</param>
    public SnapshotReader(IKubernetes client, string ns, string server)
    {
        _client = client;
        _namespace = ns;
        _server = server;
    }

    /// <summary>How often a torn read is retried (each after a doubling pause from <see cref="RetryDelay"/>).</summary>
    public int MaxAttempts { get; init; } = 8;

    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(25);

    /// <summary>Reads a complete verified snapshot.</summary>
    public async Task<SnapshotReadResult> ReadAsync(CancellationToken cancellationToken)
    {
        string? lastTear = null;
        var delay = RetryDelay;
        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            if (attempt > 0)
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
            }

            try
            {
                var result = await ReadOnceAsync(cancellationToken).ConfigureAwait(false);
                if (result.Status != SnapshotReadStatus.Torn)
                {
                    return result;
                }

                lastTear = result.Error;
            }
            catch (Exception e) when (KubernetesErrorText.IsApiFailure(e) && !cancellationToken.IsCancellationRequested)
            {
                return SnapshotReadResult.Failed(SnapshotReadStatus.Unavailable, KubernetesErrorText.Describe(e));
            }
        }

        return SnapshotReadResult.Failed(SnapshotReadStatus.Torn,
            $"the ACL snapshot of {_namespace}/{_server} kept changing while it was read ({lastTear}); keeping the current ACL");
    }

    /// <summary>The per-server HMAC key (read once, again when a hash shard does not verify).</summary>
    public async Task<byte[]?> GetKeyAsync(bool refresh, CancellationToken cancellationToken)
    {
        if (_key is not null && !refresh)
        {
            return _key;
        }

        var secret = await KubernetesReads.OrNullAsync(_client.CoreV1.ReadNamespacedSecretAsync(SnapshotNames.HashesKeySecret(_server), _namespace, cancellationToken: cancellationToken)).ConfigureAwait(false);
        _key = secret?.Data is { } d && d.TryGetValue(SnapshotNames.HmacKeyKey, out var k) && k.Length >= 16 ? k : null;
        return _key;
    }

    /// <summary>
    /// For the writer, after <see cref="ReadAsync"/> stayed <see cref="SnapshotReadStatus.Torn"/> (a shard changed or went
    /// missing after its manifest was written, so re-reading cannot help): one read of the manifest and of every shard
    /// it names, keeping the shards that verify. Null when there is no usable manifest or key (nothing to salvage).
    /// </summary>
    public async Task<SalvagedSnapshot?> SalvageAsync(CancellationToken cancellationToken)
    {
        var manifestMap = await KubernetesReads.OrNullAsync(_client.CoreV1.ReadNamespacedConfigMapAsync(SnapshotNames.Manifest(_server), _namespace, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (manifestMap?.Data is not { } data || !data.TryGetValue(SnapshotNames.ManifestKey, out var json) ||
            !data.TryGetValue(SnapshotNames.FormatVersionKey, out var format) || format != SnapshotNames.FormatVersion)
        {
            return null;
        }

        ManifestDocument manifest;
        try
        {
            manifest = SnapshotCodec.DecodeManifest(json);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }

        var key = await GetKeyAsync(refresh: true, cancellationToken).ConfigureAwait(false);
        if (key is null || manifest.Rules.Count != manifest.ShardCount || manifest.Hashes.Count != manifest.ShardCount)
        {
            return null;
        }

        var shards = new SnapshotShard?[manifest.ShardCount];
        string? error = null;
        for (int i = 0; i < manifest.ShardCount; i++)
        {
            var (shard, tear, malformed) = await ReadShardAsync(i, manifest.Rules[i], manifest.Hashes[i], key, cancellationToken).ConfigureAwait(false);
            shards[i] = shard;
            error ??= tear ?? malformed;
        }

        return new SalvagedSnapshot(manifest, manifestMap.Metadata?.ResourceVersion ?? "", shards, error ?? "every shard verifies now");
    }

    private async Task<SnapshotReadResult> ReadOnceAsync(CancellationToken ct)
    {
        var manifestMap = await KubernetesReads.OrNullAsync(_client.CoreV1.ReadNamespacedConfigMapAsync(SnapshotNames.Manifest(_server), _namespace, cancellationToken: ct)).ConfigureAwait(false);
        if (manifestMap is null)
        {
            return SnapshotReadResult.Failed(SnapshotReadStatus.NotPublished, $"no ACL has been published for {_namespace}/{_server} yet (ConfigMap {SnapshotNames.Manifest(_server)} not found)");
        }

        if (manifestMap.Data is not { } data ||
            !data.TryGetValue(SnapshotNames.FormatVersionKey, out var format) ||
            !data.TryGetValue(SnapshotNames.ManifestKey, out var json))
        {
            return SnapshotReadResult.Failed(SnapshotReadStatus.Invalid, $"ConfigMap {SnapshotNames.Manifest(_server)} is not an ACL manifest");
        }

        if (format != SnapshotNames.FormatVersion)
        {
            return SnapshotReadResult.Failed(SnapshotReadStatus.Invalid, $"ConfigMap {SnapshotNames.Manifest(_server)} has formatVersion {format}; this server reads {SnapshotNames.FormatVersion} (upgrade the server image)");
        }

        ManifestDocument manifest;
        try
        {
            manifest = SnapshotCodec.DecodeManifest(json);
        }
        catch (System.Text.Json.JsonException e)
        {
            return SnapshotReadResult.Failed(SnapshotReadStatus.Invalid, $"ConfigMap {SnapshotNames.Manifest(_server)} has a malformed manifest: {e.Message}");
        }

        if (manifest.Rules.Count != manifest.ShardCount || manifest.Hashes.Count != manifest.ShardCount)
        {
            return SnapshotReadResult.Failed(SnapshotReadStatus.Invalid, $"ConfigMap {SnapshotNames.Manifest(_server)} lists {manifest.Rules.Count} rules and {manifest.Hashes.Count} hash shards for shardCount {manifest.ShardCount}");
        }

        var key = await GetKeyAsync(refresh: false, ct).ConfigureAwait(false);
        if (key is null)
        {
            return SnapshotReadResult.Failed(SnapshotReadStatus.Torn, $"Secret {SnapshotNames.HashesKeySecret(_server)} is missing");
        }

        var shards = new SnapshotShard[manifest.ShardCount];
        for (int i = 0; i < manifest.ShardCount; i++)
        {
            var rulesRef = manifest.Rules[i];
            var hashesRef = manifest.Hashes[i];
            if (_shards.TryGetValue((rulesRef.Checksum, hashesRef.Checksum), out var cached) && cached.Index == i)
            {
                shards[i] = cached;
                continue;
            }

            var (shard, tear, malformed) = await ReadShardAsync(i, rulesRef, hashesRef, key, ct).ConfigureAwait(false);
            if (malformed is not null)
            {
                // The bytes are the ones the manifest names, so re-reading cannot help: the writer produced them.
                return SnapshotReadResult.Failed(SnapshotReadStatus.Invalid, malformed);
            }

            if (shard is null)
            {
                if (tear is not null && tear.StartsWith("HMAC", StringComparison.Ordinal))
                {
                    // The key Secret may have been recreated: read it again before retrying.
                    key = await GetKeyAsync(refresh: true, ct).ConfigureAwait(false) ?? key;
                }

                return SnapshotReadResult.Failed(SnapshotReadStatus.Torn, tear ?? "shard unreadable");
            }

            shards[i] = shard;
        }

        // Keep only what the current manifest names, so the cache never grows past one snapshot.
        var live = shards.Select(s => (s.Rules.Checksum, s.Hashes.Checksum)).ToHashSet();
        foreach (var k in _shards.Keys)
        {
            if (!live.Contains(k))
            {
                _shards.TryRemove(k, out _);
            }
        }

        foreach (var s in shards)
        {
            _shards[(s.Rules.Checksum, s.Hashes.Checksum)] = s;
        }

        return SnapshotReadResult.Loaded(new SnapshotContent(manifest.Revision, manifest, shards, manifestMap.Metadata?.ResourceVersion ?? ""));
    }

    /// <returns>The verified shard; or why not: <c>Tear</c> (missing or not matching the manifest: retry) or <c>Malformed</c> (verified but unreadable).</returns>
    private async Task<(SnapshotShard? Shard, string? Tear, string? Malformed)> ReadShardAsync(int index, ShardReference rulesRef, ShardReference hashesRef, byte[] key, CancellationToken ct)
    {
        var rulesMap = await KubernetesReads.OrNullAsync(_client.CoreV1.ReadNamespacedConfigMapAsync(rulesRef.Name, _namespace, cancellationToken: ct)).ConfigureAwait(false);
        if (rulesMap?.BinaryData is not { } bin || !bin.TryGetValue(SnapshotNames.ShardKey, out var rulesBytes))
        {
            return (null, $"ConfigMap {rulesRef.Name} is missing", null);
        }

        if (!FixedTimeEqualsHex(SnapshotCodec.Sha256(rulesBytes), rulesRef.Checksum))
        {
            return (null, $"ConfigMap {rulesRef.Name} does not match the manifest", null);
        }

        var hashSecret = await KubernetesReads.OrNullAsync(_client.CoreV1.ReadNamespacedSecretAsync(hashesRef.Name, _namespace, cancellationToken: ct)).ConfigureAwait(false);
        if (hashSecret?.Data is not { } hd || !hd.TryGetValue(SnapshotNames.ShardKey, out var hashBytes))
        {
            return (null, $"Secret {hashesRef.Name} is missing", null);
        }

        if (!FixedTimeEqualsHex(SnapshotCodec.Hmac(key, hashBytes), hashesRef.Checksum))
        {
            return (null, $"HMAC of Secret {hashesRef.Name} does not match the manifest", null);
        }

        RulesShardDocument rules;
        HashShardDocument hashes;
        try
        {
            rules = SnapshotCodec.DecodeRulesShard(rulesBytes);
            hashes = SnapshotCodec.DecodeHashShard(hashBytes);
        }
        catch (Exception e) when (e is InvalidDataException or System.Text.Json.JsonException)
        {
            return (null, null, $"shard {index.ToString(CultureInfo.InvariantCulture)} is malformed: {e.Message}");
        }

        var byName = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var u in hashes.Users)
        {
            if (!byName.TryAdd(u.Name, u.Hashes))
            {
                return (null, null, $"shard {index.ToString(CultureInfo.InvariantCulture)} is malformed: Secret {hashesRef.Name} lists a user twice");
            }
        }

        var entries = rules.Users
            .Select(u => new SnapshotEntry(u.Name, u.Rules, byName.GetValueOrDefault(u.Name) ?? [], u.Since, u.Fp) { Source = u.Src })
            .ToList();
        return (new SnapshotShard(index, rulesRef, hashesRef, entries), null, null);
    }

    private static bool FixedTimeEqualsHex(string a, string b) => PasswordHasher.FixedTimeEquals(a, b);
}
