using AclOperator.Api.Snapshots;
using k8s;
using k8s.Models;

namespace AclOperator.Operator.Tests.Snapshots;

/// <summary>
/// SnapshotReader (O6): a verified snapshot or a reason, never a partial one. A shard that does not match the manifest
/// or is missing is a torn read (retried, then Torn); an unknown format is Invalid; API errors are Unavailable.
/// </summary>
public sealed class SnapshotReaderTests
{
    private const string S = SnapshotHarness.Server;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(SnapshotHarness Harness, PublishOutcome Outcome)> PublishedAsync()
    {
        var h = await SnapshotHarness.StartAsync();
        var outcome = await h.Publisher().PublishAsync(SnapshotSamples.Users(SnapshotSamples.Table()), Ct);
        return (h, outcome);
    }

    [Fact]
    public async Task Nothing_published_is_NotPublished()
    {
        await using var h = await SnapshotHarness.StartAsync();
        var read = await h.Reader().ReadAsync(Ct);
        Assert.Equal(SnapshotReadStatus.NotPublished, read.Status);
        Assert.Null(read.Content);
        Assert.Equal("no ACL has been published for default/main yet (ConfigMap main-acl not found)", read.Error);
    }

    [Fact]
    public async Task Reads_exactly_the_published_entries_with_their_hashes()
    {
        var (h, outcome) = await PublishedAsync();
        await using var _ = h;
        var read = await h.Reader().ReadAsync(Ct);

        Assert.Equal(SnapshotReadStatus.Loaded, read.Status);
        Assert.Null(read.Error);
        var content = read.Content!;
        Assert.Equal(1, content.Revision);
        Assert.Equal((await h.ManifestMapAsync()).Metadata.ResourceVersion, content.ManifestResourceVersion);
        Assert.Equal(outcome.Entries.Count, content.UserCount);
        Assert.Equal(outcome.Entries.Values.OrderBy(e => e.Name, StringComparer.Ordinal), content.Entries.OrderBy(e => e.Name, StringComparer.Ordinal), EntryComparer.Instance);
        Assert.Equal(new[] { "bob-1", "bob-2", "bob-3" }.Select(p => AclOperator.Acl.Passwords.PasswordHasher.Hash(System.Text.Encoding.UTF8.GetBytes(p))),
            content.Entries.Single(e => e.Name == "bob").Hashes);
        Assert.Equal(Enumerable.Range(0, 4), content.Shards.Select(s => s.Index));
        Assert.All(content.Shards, s => Assert.All(s.Entries, e => Assert.Equal(s.Index, SnapshotNames.ShardOf(e.Name, 4))));
    }

    [Fact]
    public async Task A_second_read_fetches_only_the_shards_whose_checksums_changed()
    {
        var (h, _) = await PublishedAsync();
        await using var __ = h;
        var reader = h.Reader();
        var first = await reader.ReadAsync(Ct);
        var table = SnapshotSamples.Table();
        table.Put(SnapshotSamples.User("alice", "on", ">alice-secret", "~app:*", "+@all"));
        var publisher = h.Publisher();
        await publisher.PublishAsync(SnapshotSamples.Users(table), Ct);
        int k = SnapshotNames.ShardOf("alice", 4);
        int mark = await h.MarkAsync();

        var second = await reader.ReadAsync(Ct);

        Assert.Equal(2, second.Content!.Revision);
        Assert.Equal(["GET configmaps/main-acl 200", $"GET configmaps/main-acl-{k}-b 200", $"GET secrets/main-acl-hashes-{k}-b 200"],
            (await h.RequestsSinceAsync(mark)).Select(SnapshotHarness.Describe));
        for (int i = 0; i < 4; i++)
        {
            if (i == k)
            {
                Assert.NotSame(first.Content!.Shards[i], second.Content.Shards[i]);
            }
            else
            {
                Assert.Same(first.Content!.Shards[i], second.Content.Shards[i]);
            }
        }

        Assert.Equal("+@all", second.Content.Entries.Single(e => e.Name == "alice").Rules.Split(' ')[^1]);
    }

    [Fact]
    public async Task A_slot_overwritten_with_other_content_is_Torn_after_retries_and_never_partial()
    {
        var (h, _) = await PublishedAsync();
        await using var __ = h;
        var manifest = await h.ManifestAsync();
        var target = await h.ConfigMapAsync(manifest.Rules[2].Name);
        var other = SnapshotCodec.DecodeRulesShard(target.BinaryData[SnapshotNames.ShardKey]);
        other.Users.Add(new RulesShardUser { Name = "mallory", Rules = "on nopass ~* &* +@all", Since = 1 });
        target.BinaryData[SnapshotNames.ShardKey] = SnapshotCodec.EncodeRulesShard(other);
        await h.Client.CoreV1.ReplaceNamespacedConfigMapAsync(target, target.Metadata.Name, SnapshotHarness.Ns, cancellationToken: Ct);
        int mark = await h.MarkAsync();

        var read = await h.Reader(maxAttempts: 3).ReadAsync(Ct);

        Assert.Equal(SnapshotReadStatus.Torn, read.Status);
        Assert.Null(read.Content);
        Assert.Equal("the ACL snapshot of default/main kept changing while it was read (ConfigMap main-acl-2-a does not match the manifest); keeping the current ACL", read.Error);
        Assert.Equal(3, (await h.RequestsSinceAsync(mark)).Count(r => r.Name == "main-acl"));
    }

    [Fact]
    public async Task A_hash_shard_with_another_HMAC_is_Torn_and_the_key_is_read_again()
    {
        var (h, _) = await PublishedAsync();
        await using var __ = h;
        var manifest = await h.ManifestAsync();
        var target = await h.SecretAsync(manifest.Hashes[1].Name);
        var doc = SnapshotCodec.DecodeHashShard(target.Data[SnapshotNames.ShardKey]);
        doc.Users.Add(new HashShardUser { Name = "mallory", Hashes = [new string('0', 64)] });
        target.Data[SnapshotNames.ShardKey] = SnapshotCodec.EncodeHashShard(doc);
        await h.Client.CoreV1.ReplaceNamespacedSecretAsync(target, target.Metadata.Name, SnapshotHarness.Ns, cancellationToken: Ct);
        int mark = await h.MarkAsync();

        var read = await h.Reader(maxAttempts: 2).ReadAsync(Ct);

        Assert.Equal(SnapshotReadStatus.Torn, read.Status);
        Assert.Null(read.Content);
        Assert.Equal("the ACL snapshot of default/main kept changing while it was read (HMAC of Secret main-acl-hashes-1-a does not match the manifest); keeping the current ACL", read.Error);
        Assert.Equal(3, (await h.RequestsSinceAsync(mark)).Count(r => r.Name == "main-acl-hashes"));
    }

    [Fact]
    public async Task A_deleted_shard_is_Torn()
    {
        var (h, _) = await PublishedAsync();
        await using var __ = h;
        var manifest = await h.ManifestAsync();
        await h.Client.CoreV1.DeleteNamespacedSecretAsync(manifest.Hashes[3].Name, SnapshotHarness.Ns, cancellationToken: Ct);

        var read = await h.Reader().ReadAsync(Ct);

        Assert.Equal(SnapshotReadStatus.Torn, read.Status);
        Assert.Null(read.Content);
        Assert.Equal("the ACL snapshot of default/main kept changing while it was read (Secret main-acl-hashes-3-a is missing); keeping the current ACL", read.Error);
    }

    [Fact]
    public async Task A_deleted_key_Secret_is_Torn()
    {
        var (h, _) = await PublishedAsync();
        await using var __ = h;
        await h.Client.CoreV1.DeleteNamespacedSecretAsync(SnapshotNames.HashesKeySecret(S), SnapshotHarness.Ns, cancellationToken: Ct);

        var read = await h.Reader().ReadAsync(Ct);

        Assert.Equal(SnapshotReadStatus.Torn, read.Status);
        Assert.Equal("the ACL snapshot of default/main kept changing while it was read (Secret main-acl-hashes is missing); keeping the current ACL", read.Error);
    }

    [Fact]
    public async Task A_torn_read_that_heals_during_the_retries_is_Loaded()
    {
        var (h, outcome) = await PublishedAsync();
        await using var __ = h;
        // The first shard GET answers 404, as if the writer had not created the slot yet.
        h.Fake.Faults.FailNext(1, 404, verb: "get", resource: "secrets");
        int mark = await h.MarkAsync();

        var read = await h.Reader().ReadAsync(Ct);

        Assert.Equal(SnapshotReadStatus.Loaded, read.Status);
        Assert.Equal(outcome.Entries.Values.OrderBy(e => e.Name, StringComparer.Ordinal), read.Content!.Entries.OrderBy(e => e.Name, StringComparer.Ordinal), EntryComparer.Instance);
        Assert.Equal(2, (await h.RequestsSinceAsync(mark)).Count(r => r.Name == "main-acl"));
    }

    [Fact]
    public async Task An_unknown_format_version_is_Invalid_without_retries()
    {
        var (h, _) = await PublishedAsync();
        await using var __ = h;
        var map = await h.ManifestMapAsync();
        map.Data["formatVersion"] = "2";
        await h.Client.CoreV1.ReplaceNamespacedConfigMapAsync(map, map.Metadata.Name, SnapshotHarness.Ns, cancellationToken: Ct);
        int mark = await h.MarkAsync();

        var read = await h.Reader().ReadAsync(Ct);

        Assert.Equal(SnapshotReadStatus.Invalid, read.Status);
        Assert.Null(read.Content);
        Assert.Equal("ConfigMap main-acl has formatVersion 2; this server reads 1 (upgrade the server image)", read.Error);
        Assert.Equal(["GET configmaps/main-acl 200"], (await h.RequestsSinceAsync(mark)).Select(SnapshotHarness.Describe));

        // The publisher does not overwrite a manifest it cannot read (a newer operator's).
        await Assert.ThrowsAsync<SnapshotConflictException>(() => h.Publisher().PublishAsync(SnapshotSamples.Users(SnapshotSamples.Table()), Ct));
        Assert.Equal("2", (await h.ManifestMapAsync()).Data["formatVersion"]);
    }

    [Fact]
    public async Task A_malformed_manifest_is_Invalid()
    {
        var (h, _) = await PublishedAsync();
        await using var __ = h;
        var map = await h.ManifestMapAsync();
        var manifest = SnapshotCodec.DecodeManifest(map.Data["manifest.json"]);
        manifest.Hashes.RemoveAt(3);
        map.Data["manifest.json"] = SnapshotCodec.EncodeManifest(manifest);
        await h.Client.CoreV1.ReplaceNamespacedConfigMapAsync(map, map.Metadata.Name, SnapshotHarness.Ns, cancellationToken: Ct);
        var read = await h.Reader().ReadAsync(Ct);
        Assert.Equal(SnapshotReadStatus.Invalid, read.Status);
        Assert.Equal("ConfigMap main-acl lists 4 rules and 3 hash shards for shardCount 4", read.Error);

        map = await h.ManifestMapAsync();
        map.Data["manifest.json"] = "{\"formatVersion\":1,";
        await h.Client.CoreV1.ReplaceNamespacedConfigMapAsync(map, map.Metadata.Name, SnapshotHarness.Ns, cancellationToken: Ct);
        read = await h.Reader().ReadAsync(Ct);
        Assert.Equal(SnapshotReadStatus.Invalid, read.Status);
        Assert.StartsWith("ConfigMap main-acl has a malformed manifest: ", read.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_shard_that_matches_its_checksum_but_is_not_a_shard_is_Invalid_without_retries()
    {
        var (h, _) = await PublishedAsync();
        await using var __ = h;
        // A writer bug, not a tear: the manifest names a shard whose checksum matches but which is not gzip JSON.
        byte[] garbage = "not a gzip stream"u8.ToArray();
        var manifestMap = await h.ManifestMapAsync();
        var manifest = SnapshotCodec.DecodeManifest(manifestMap.Data["manifest.json"]);
        var target = await h.ConfigMapAsync(manifest.Rules[0].Name);
        target.BinaryData[SnapshotNames.ShardKey] = garbage;
        await h.Client.CoreV1.ReplaceNamespacedConfigMapAsync(target, target.Metadata.Name, SnapshotHarness.Ns, cancellationToken: Ct);
        manifest.Rules[0].Checksum = SnapshotCodec.Sha256(garbage);
        manifestMap.Data["manifest.json"] = SnapshotCodec.EncodeManifest(manifest);
        await h.Client.CoreV1.ReplaceNamespacedConfigMapAsync(manifestMap, manifestMap.Metadata.Name, SnapshotHarness.Ns, cancellationToken: Ct);
        int mark = await h.MarkAsync();

        var read = await h.Reader().ReadAsync(Ct);

        Assert.Equal(SnapshotReadStatus.Invalid, read.Status);
        Assert.Null(read.Content);
        Assert.StartsWith("shard 0 is malformed: ", read.Error, StringComparison.Ordinal);
        Assert.Equal(1, (await h.RequestsSinceAsync(mark)).Count(r => r.Name == "main-acl"));
    }

    [Fact]
    public async Task A_verified_hash_shard_listing_a_user_twice_is_Invalid()
    {
        var (h, _) = await PublishedAsync();
        await using var __ = h;
        var manifestMap = await h.ManifestMapAsync();
        var manifest = SnapshotCodec.DecodeManifest(manifestMap.Data["manifest.json"]);
        var target = await h.SecretAsync(manifest.Hashes[0].Name);
        var doc = SnapshotCodec.DecodeHashShard(target.Data[SnapshotNames.ShardKey]);
        doc.Users.Add(new HashShardUser { Name = doc.Users[0].Name, Hashes = [new string('0', 64)] });
        target.Data[SnapshotNames.ShardKey] = SnapshotCodec.EncodeHashShard(doc);
        await h.Client.CoreV1.ReplaceNamespacedSecretAsync(target, target.Metadata.Name, SnapshotHarness.Ns, cancellationToken: Ct);
        manifest.Hashes[0].Checksum = SnapshotCodec.Hmac(await h.KeyAsync(), target.Data[SnapshotNames.ShardKey]);
        manifestMap.Data["manifest.json"] = SnapshotCodec.EncodeManifest(manifest);
        await h.Client.CoreV1.ReplaceNamespacedConfigMapAsync(manifestMap, manifestMap.Metadata.Name, SnapshotHarness.Ns, cancellationToken: Ct);

        var read = await h.Reader().ReadAsync(Ct);

        Assert.Equal(SnapshotReadStatus.Invalid, read.Status);
        Assert.Null(read.Content);
        Assert.Equal("shard 0 is malformed: Secret main-acl-hashes-0-a lists a user twice", read.Error);
    }

    [Fact]
    public async Task API_errors_are_Unavailable_with_the_status()
    {
        var (h, _) = await PublishedAsync();
        await using var __ = h;
        h.Fake.Faults.FailNext(1, 503, verb: "get", resource: "configmaps");
        var read = await h.Reader().ReadAsync(Ct);
        Assert.Equal(SnapshotReadStatus.Unavailable, read.Status);
        Assert.Null(read.Content);
        Assert.StartsWith("Kubernetes API error 503 ServiceUnavailable: ", read.Error, StringComparison.Ordinal);

        // On a shard or the key too, and a later read succeeds.
        h.Fake.Faults.FailNext(1, 503, verb: "get", resource: "secrets");
        read = await h.Reader().ReadAsync(Ct);
        Assert.Equal(SnapshotReadStatus.Unavailable, read.Status);
        Assert.Equal(SnapshotReadStatus.Loaded, (await h.Reader().ReadAsync(Ct)).Status);

        // The publisher does not publish over what it could not read.
        var publisher = h.Publisher();
        h.Fake.Faults.FailNext(1, 503, verb: "get", resource: "configmaps");
        var ex = await Assert.ThrowsAsync<SnapshotConflictException>(() => publisher.PublishAsync(SnapshotSamples.Users(SnapshotSamples.Table()), Ct));
        Assert.StartsWith("cannot read the published ACL back: Kubernetes API error 503 ServiceUnavailable: ", ex.Message, StringComparison.Ordinal);
        Assert.False((await publisher.PublishAsync(SnapshotSamples.Users(SnapshotSamples.Table()), Ct)).Changed);
    }

    [Fact]
    public async Task An_unreachable_API_is_Unavailable()
    {
        var (h, _) = await PublishedAsync();
        var config = h.Fake.CreateClientConfiguration();
        await h.DisposeAsync();
        using var client = new k8s.Kubernetes(config);
        var read = await new SnapshotReader(client, SnapshotHarness.Ns, S).ReadAsync(Ct);
        Assert.Equal(SnapshotReadStatus.Unavailable, read.Status);
        Assert.StartsWith("Kubernetes API unreachable: ", read.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reader_never_mixes_revisions_while_a_publisher_keeps_publishing()
    {
        var (h, _) = await PublishedAsync();
        await using var __ = h;
        var publisher = h.Publisher();
        var table = SnapshotSamples.Table();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var published = new System.Collections.Concurrent.ConcurrentDictionary<long, Dictionary<string, SnapshotEntry>>();
        var writer = Task.Run(async () =>
        {
            for (int i = 0; i < 40; i++)
            {
                // Every user changes every time, so every shard of every revision differs.
                foreach (var u in table.Users.ToList())
                {
                    table.Put(SnapshotSamples.User(u.Name, "on", "nopass", "~k" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":*", "+get"));
                }

                var o = await publisher.PublishAsync(SnapshotSamples.Users(table), stop.Token);
                published[o.Revision] = o.Entries.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
            }
        }, Ct);

        var reader = h.Reader(maxAttempts: 50);
        while (!writer.IsCompleted)
        {
            var read = await reader.ReadAsync(Ct);
            if (read.Status != SnapshotReadStatus.Loaded)
            {
                Assert.Equal(SnapshotReadStatus.Torn, read.Status);
                continue;
            }

            var revision = read.Content!.Revision;
            // Every entry of a loaded snapshot belongs to that one revision.
            Assert.All(read.Content.Entries, e => Assert.Equal(revision, e.Since));
        }

        await writer;
        var last = await reader.ReadAsync(Ct);
        Assert.Equal(published.Keys.Max(), last.Content!.Revision);
        Assert.Equal(published[last.Content.Revision].Values.OrderBy(e => e.Name, StringComparer.Ordinal), last.Content.Entries.OrderBy(e => e.Name, StringComparer.Ordinal), EntryComparer.Instance);
    }
}
