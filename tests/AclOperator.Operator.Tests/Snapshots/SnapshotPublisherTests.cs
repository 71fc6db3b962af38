using System.Security.Cryptography;
using AclOperator.Acl.Users;
using AclOperator.Api.Snapshots;
using k8s;
using k8s.Models;

namespace AclOperator.Operator.Tests.Snapshots;

/// <summary>
/// SnapshotPublisher against the fake API server: the objects of O6 exactly as pods read them, no hash outside Secrets
/// (O4), only changed shards rewritten into the spare slot (O14), read back after a restart (O8), and fenced by the
/// manifest's resourceVersion (API conventions, "Concurrency Control and Consistency": an update with a stale
/// resourceVersion is 409 Conflict).
/// </summary>
public sealed class SnapshotPublisherTests
{
    private const string S = SnapshotHarness.Server;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task First_publish_creates_key_manifest_and_four_shard_pairs_in_slot_a()
    {
        await using var h = await SnapshotHarness.StartAsync();
        var table = SnapshotSamples.Table();
        var users = SnapshotSamples.Users(table);
        int mark = await h.MarkAsync();

        var outcome = await h.Publisher().PublishAsync(users, Ct);

        Assert.Equal(1, outcome.Revision);
        Assert.True(outcome.Changed);
        Assert.Equal(8, outcome.ShardsWritten);
        Assert.Equal(users.Select(u => u.Name).Order(StringComparer.Ordinal), outcome.ChangedUsers.Order(StringComparer.Ordinal));

        // The key: 32 random bytes, created once, never updated.
        var keySecret = await h.SecretAsync(SnapshotNames.HashesKeySecret(S));
        Assert.Equal("Opaque", keySecret.Type);
        Assert.Equal([SnapshotNames.HmacKeyKey], keySecret.Data.Keys);
        var key = keySecret.Data[SnapshotNames.HmacKeyKey];
        Assert.Equal(32, key.Length);
        AssertLabels(keySecret.Metadata, "key");

        // The manifest.
        var manifestMap = await h.ManifestMapAsync();
        AssertLabels(manifestMap.Metadata, "manifest");
        Assert.Null(manifestMap.BinaryData);
        Assert.Equal(["formatVersion", "manifest.json", "revision"], manifestMap.Data.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("1", manifestMap.Data["formatVersion"]);
        Assert.Equal("1", manifestMap.Data["revision"]);
        var manifest = SnapshotCodec.DecodeManifest(manifestMap.Data["manifest.json"]);
        Assert.Equal(1, manifest.FormatVersion);
        Assert.Equal(1, manifest.Revision);
        Assert.Equal(4, manifest.ShardCount);
        Assert.Equal(users.Count, manifest.Users);
        Assert.False(manifest.RuntimeAcl);
        Assert.Equal(Enumerable.Range(0, 4).Select(i => $"main-acl-{i}-a"), manifest.Rules.Select(r => r.Name));
        Assert.Equal(Enumerable.Range(0, 4).Select(i => $"main-acl-hashes-{i}-a"), manifest.Hashes.Select(r => r.Name));

        var seen = new List<string>();
        for (int i = 0; i < 4; i++)
        {
            var rulesMap = await h.ConfigMapAsync(manifest.Rules[i].Name);
            AssertLabels(rulesMap.Metadata, "rules");
            Assert.Null(rulesMap.Data);
            Assert.Equal([SnapshotNames.ShardKey], rulesMap.BinaryData.Keys);
            var rulesBytes = rulesMap.BinaryData[SnapshotNames.ShardKey];
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(rulesBytes)), manifest.Rules[i].Checksum);

            var hashSecret = await h.SecretAsync(manifest.Hashes[i].Name);
            AssertLabels(hashSecret.Metadata, "hashes");
            Assert.Equal("Opaque", hashSecret.Type);
            Assert.Equal([SnapshotNames.ShardKey], hashSecret.Data.Keys);
            var hashBytes = hashSecret.Data[SnapshotNames.ShardKey];
            Assert.Equal(Convert.ToHexStringLower(HMACSHA256.HashData(key, hashBytes)), manifest.Hashes[i].Checksum);

            var rules = SnapshotCodec.DecodeRulesShard(rulesBytes);
            var hashes = SnapshotCodec.DecodeHashShard(hashBytes);
            Assert.Equal((1L, i), (rules.Revision, rules.Index));
            Assert.Equal((1L, i), (hashes.Revision, hashes.Index));
            var expected = users.Where(u => SnapshotNames.ShardOf(u.Name, 4) == i).OrderBy(u => u.Name, StringComparer.Ordinal).ToList();
            Assert.Equal(expected.Select(u => (u.Name, u.Rules, 1L, SnapshotCodec.Fingerprint(key, u.Name, u.Rules, u.Hashes))),
                rules.Users.Select(u => (u.Name, u.Rules, u.Since, u.Fp)));
            Assert.Equal(expected.Where(u => u.Hashes.Count > 0).Select(u => (u.Name, string.Join(',', u.Hashes))),
                hashes.Users.Select(u => (u.Name, string.Join(',', u.Hashes))));
            seen.AddRange(rules.Users.Select(u => u.Name));
        }

        Assert.Equal(users.Select(u => u.Name).Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));

        // Nothing in slot b; the writes were exactly: the key (create-only), 8 shard objects, the manifest.
        for (int i = 0; i < 4; i++)
        {
            Assert.False(await h.ExistsAsync("ConfigMap", $"main-acl-{i}-b"));
            Assert.False(await h.ExistsAsync("Secret", $"main-acl-hashes-{i}-b"));
        }

        // The key first, the manifest last; the shards between them are written concurrently, so in any order.
        var writes = (await h.RequestsSinceAsync(mark)).Where(SnapshotHarness.IsWrite).ToList();
        var succeeded = writes.Where(w => w.StatusCode < 400).Select(SnapshotHarness.Describe).ToList();
        Assert.Equal("POST secrets/ 201", succeeded[0]);
        Assert.Equal("POST configmaps/ 201", succeeded[^1]);
        Assert.Equal(
            Enumerable.Range(0, 4).SelectMany(i => new[] { "POST configmaps/ 201", "POST secrets/ 201" }).Order(StringComparer.Ordinal),
            succeeded[1..^1].Order(StringComparer.Ordinal));
        Assert.All(writes.Where(w => w.StatusCode >= 400), w => Assert.Equal("PUT", w.Method));
        Assert.Equal(
            Enumerable.Range(0, 4).SelectMany(i => new[] { $"PUT configmaps/main-acl-{i}-a 404", $"PUT secrets/main-acl-hashes-{i}-a 404" }).Order(StringComparer.Ordinal),
            writes.Where(w => w.StatusCode >= 400).Select(SnapshotHarness.Describe).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task No_password_hash_appears_in_any_ConfigMap_and_hash_shards_carry_only_an_HMAC()
    {
        await using var h = await SnapshotHarness.StartAsync();
        var table = SnapshotSamples.Table();
        var hashes = SnapshotSamples.Hashes(table);
        Assert.Equal(9, hashes.Count);
        var publisher = h.Publisher();
        await publisher.PublishAsync(SnapshotSamples.Users(table), Ct);

        // A second revision, so both slots of a shard exist.
        table.Put(SnapshotSamples.User("alice", "on", ">alice-secret", ">alice-new", "~app:*", "+@read"));
        hashes.Add(table.Find("alice")!.PasswordHashes[1]);
        await publisher.PublishAsync(SnapshotSamples.Users(table), Ct);

        var maps = await h.ConfigMapsAsync();
        Assert.Equal(6, maps.Count(m => m.Metadata.Name.StartsWith("main-acl", StringComparison.Ordinal)));
        foreach (var map in maps)
        {
            var texts = (map.Data?.Values ?? []).ToList();
            foreach (var bytes in map.BinaryData?.Values ?? [])
            {
                texts.Add(SnapshotSamples.Latin1(bytes));
                texts.Add(SnapshotSamples.Latin1(SnapshotHarness.Gunzip(bytes)));
            }

            texts.AddRange((map.Metadata.Annotations ?? new Dictionary<string, string>()).Values);
            foreach (var hash in hashes)
            {
                Assert.DoesNotContain(texts, t => t.Contains(hash, StringComparison.OrdinalIgnoreCase));
            }
        }

        // The hashes are in the Secrets (the scan above would be vacuous otherwise) ...
        var secretText = string.Concat((await h.SecretsAsync())
            .Where(s => s.Metadata.Name.StartsWith("main-acl-hashes-", StringComparison.Ordinal))
            .Select(s => SnapshotSamples.Latin1(SnapshotHarness.Gunzip(s.Data[SnapshotNames.ShardKey]))));
        Assert.All(hashes, hash => Assert.Contains(hash, secretText, StringComparison.Ordinal));

        // ... and the manifest fingerprints hash shards with the HMAC only, never a plain digest.
        var manifest = await h.ManifestAsync();
        var key = await h.KeyAsync();
        foreach (var r in manifest.Hashes)
        {
            var bytes = await h.HashBytesAsync(r.Name);
            Assert.Equal(SnapshotCodec.Hmac(key, bytes), r.Checksum);
            Assert.NotEqual(SnapshotCodec.Sha256(bytes), r.Checksum);
        }
    }

    [Fact]
    public async Task Tenant_ceilings_are_in_the_manifest_and_a_change_of_them_alone_is_a_new_revision()
    {
        await using var h = await SnapshotHarness.StartAsync();
        var users = SnapshotSamples.Users(SnapshotSamples.Table());
        TenantCeiling[] tenants = [new() { Namespace = "team-a", Prefix = "teama_", Ceiling = ["+@read", "~app:*"] }];
        var publisher = h.Publisher();
        Assert.Equal(1, (await publisher.PublishAsync(users, runtimeAcl: true, tenants, Ct)).Revision);

        // The same again (an equal list, not the same instance): nothing written.
        var same = await publisher.PublishAsync(users, runtimeAcl: true, [new TenantCeiling { Namespace = "team-a", Prefix = "teama_", Ceiling = ["+@read", "~app:*"] }], Ct);
        Assert.False(same.Changed);

        // Only the ceiling changes: a new revision whose manifest carries it, and no shard is rewritten.
        var changed = await publisher.PublishAsync(users, runtimeAcl: true, [tenants[0] with { Ceiling = ["+@read", "+@write", "~app:*"] }], Ct);
        Assert.Equal((2L, true, 0), (changed.Revision, changed.Changed, changed.ShardsWritten));
        var read = await h.Reader().ReadAsync(Ct);
        var manifestTenant = Assert.Single(read.Content!.Manifest.Tenants!);
        Assert.Equal(new TenantCeiling { Namespace = "team-a", Prefix = "teama_", Ceiling = ["+@read", "+@write", "~app:*"] }, manifestTenant);
    }

    [Fact]
    public async Task Publishing_the_same_users_again_writes_nothing()
    {
        await using var h = await SnapshotHarness.StartAsync();
        var table = SnapshotSamples.Table();
        var publisher = h.Publisher();
        var first = await publisher.PublishAsync(SnapshotSamples.Users(table), Ct);
        int mark = await h.MarkAsync();
        long resourceVersion = h.Fake.ResourceVersion;

        var again = await publisher.PublishAsync(SnapshotSamples.Users(SnapshotSamples.Table()), Ct);

        Assert.False(again.Changed);
        Assert.Equal(1, again.Revision);
        Assert.Equal(0, again.ShardsWritten);
        Assert.Empty(again.ChangedUsers);
        Assert.Equal(first.Entries.Values.OrderBy(e => e.Name, StringComparer.Ordinal), again.Entries.Values.OrderBy(e => e.Name, StringComparer.Ordinal), EntryComparer.Instance);
        Assert.DoesNotContain(await h.RequestsSinceAsync(mark), SnapshotHarness.IsWrite);
        Assert.Equal(resourceVersion, h.Fake.ResourceVersion);
    }

    [Fact]
    public async Task Editing_one_user_rewrites_its_two_shards_into_the_spare_slot_and_the_manifest()
    {
        await using var h = await SnapshotHarness.StartAsync();
        var table = SnapshotSamples.Table();
        var publisher = h.Publisher();
        await publisher.PublishAsync(SnapshotSamples.Users(table), Ct);
        var before = await h.ManifestAsync();
        int k = SnapshotNames.ShardOf("alice", 4);

        for (long revision = 2; revision <= 3; revision++)
        {
            // Revision 2 writes slot b, revision 3 flips back to slot a.
            char slot = revision == 2 ? 'b' : 'a';
            int mark = await h.MarkAsync();
            table.Put(SnapshotSamples.User("alice", "on", ">alice-secret", "~app:*", "+@read", revision == 2 ? "+@write" : "+@string"));

            var outcome = await publisher.PublishAsync(SnapshotSamples.Users(table), Ct);

            Assert.True(outcome.Changed);
            Assert.Equal(revision, outcome.Revision);
            Assert.Equal(2, outcome.ShardsWritten);
            Assert.Equal(["alice"], outcome.ChangedUsers);
            Assert.All(outcome.Entries.Values, e => Assert.Equal(e.Name == "alice" ? revision : 1, e.Since));

            var writes = (await h.RequestsSinceAsync(mark)).Where(SnapshotHarness.IsWrite).Select(SnapshotHarness.Describe).ToList();
            Assert.Equal(revision == 2
                ? [$"PUT configmaps/main-acl-{k}-b 404", "POST configmaps/ 201", $"PUT secrets/main-acl-hashes-{k}-b 404", "POST secrets/ 201", "PUT configmaps/main-acl 200"]
                : [$"PUT configmaps/main-acl-{k}-a 200", $"PUT secrets/main-acl-hashes-{k}-a 200", "PUT configmaps/main-acl 200"],
                writes);

            var manifestMap = await h.ManifestMapAsync();
            Assert.Equal(revision.ToString(System.Globalization.CultureInfo.InvariantCulture), manifestMap.Data["revision"]);
            var manifest = SnapshotCodec.DecodeManifest(manifestMap.Data["manifest.json"]);
            Assert.Equal(revision, manifest.Revision);
            for (int i = 0; i < 4; i++)
            {
                if (i == k)
                {
                    Assert.Equal($"main-acl-{i}-{slot}", manifest.Rules[i].Name);
                    Assert.Equal($"main-acl-hashes-{i}-{slot}", manifest.Hashes[i].Name);
                    Assert.NotEqual(before.Rules[i].Checksum, manifest.Rules[i].Checksum);
                    var shard = SnapshotCodec.DecodeRulesShard(await h.RulesBytesAsync(manifest.Rules[i].Name));
                    Assert.Equal(revision, shard.Revision);
                    Assert.Equal(revision, shard.Users.Single(u => u.Name == "alice").Since);
                    Assert.All(shard.Users.Where(u => u.Name != "alice"), u => Assert.Equal(1, u.Since));
                }
                else
                {
                    // Untouched shards: same object, same bytes as revision 1.
                    Assert.Equal(before.Rules[i].Name, manifest.Rules[i].Name);
                    Assert.Equal(before.Rules[i].Checksum, manifest.Rules[i].Checksum);
                    Assert.Equal(before.Hashes[i].Name, manifest.Hashes[i].Name);
                    Assert.Equal(before.Hashes[i].Checksum, manifest.Hashes[i].Checksum);
                }
            }

            var read = await h.Reader().ReadAsync(Ct);
            Assert.Equal(SnapshotReadStatus.Loaded, read.Status);
            Assert.Equal(outcome.Entries.Values.OrderBy(e => e.Name, StringComparer.Ordinal), read.Content!.Entries.OrderBy(e => e.Name, StringComparer.Ordinal), EntryComparer.Instance);
        }
    }

    [Fact]
    public async Task Removing_a_user_rewrites_only_its_shard_and_reports_it_changed()
    {
        await using var h = await SnapshotHarness.StartAsync();
        var table = SnapshotSamples.Table();
        var publisher = h.Publisher();
        await publisher.PublishAsync(SnapshotSamples.Users(table), Ct);
        int mark = await h.MarkAsync();
        Assert.Equal(1, table.DeleteUsers(["dave"], out _));
        int k = SnapshotNames.ShardOf("dave", 4);

        var outcome = await publisher.PublishAsync(SnapshotSamples.Users(table), Ct);

        Assert.Equal((2L, true, 2), (outcome.Revision, outcome.Changed, outcome.ShardsWritten));
        Assert.Equal(["dave"], outcome.ChangedUsers);
        Assert.DoesNotContain("dave", outcome.Entries.Keys);
        var writes = (await h.RequestsSinceAsync(mark)).Where(w => SnapshotHarness.IsWrite(w) && w.StatusCode < 400).Select(SnapshotHarness.Describe);
        Assert.Equal(["POST configmaps/ 201", "POST secrets/ 201", "PUT configmaps/main-acl 200"], writes);
        var manifest = await h.ManifestAsync();
        Assert.Equal(table.Count, manifest.Users);
        Assert.Equal($"main-acl-{k}-b", manifest.Rules[k].Name);
        var read = await h.Reader().ReadAsync(Ct);
        Assert.Equal(table.Users.Select(u => u.Name), read.Content!.Entries.Select(e => e.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_change_of_the_runtime_ACL_policy_rewrites_only_the_manifest()
    {
        await using var h = await SnapshotHarness.StartAsync();
        var users = SnapshotSamples.Users(SnapshotSamples.Table());
        var publisher = h.Publisher();
        await publisher.PublishAsync(users, Ct);
        var before = await h.ManifestAsync();
        int mark = await h.MarkAsync();

        var outcome = await publisher.PublishAsync(users, runtimeAcl: true, Ct);

        Assert.Equal((2L, true, 0), (outcome.Revision, outcome.Changed, outcome.ShardsWritten));
        Assert.Empty(outcome.ChangedUsers);
        Assert.Equal(["PUT configmaps/main-acl 200"], (await h.RequestsSinceAsync(mark)).Where(SnapshotHarness.IsWrite).Select(SnapshotHarness.Describe));
        var after = await h.ManifestAsync();
        Assert.True(after.RuntimeAcl);
        Assert.Equal(before.Rules.Select(r => (r.Name, r.Checksum)), after.Rules.Select(r => (r.Name, r.Checksum)));
        Assert.Equal(before.Hashes.Select(r => (r.Name, r.Checksum)), after.Hashes.Select(r => (r.Name, r.Checksum)));
        Assert.False((await publisher.PublishAsync(users, runtimeAcl: true, Ct)).Changed);
    }

    [Fact]
    public async Task A_restarted_publisher_reads_the_published_entries_back_and_writes_nothing_for_the_same_users()
    {
        await using var h = await SnapshotHarness.StartAsync();
        var table = SnapshotSamples.Table();
        var first = h.Publisher();
        await first.PublishAsync(SnapshotSamples.Users(table), Ct);
        table.Put(SnapshotSamples.User("bob", "on", ">bob-1", "~bob:*", "+get"));
        var published = await first.PublishAsync(SnapshotSamples.Users(table), Ct);
        Assert.Equal(2, published.Revision);

        // A new operator process: new client, new publisher, nothing in memory.
        using var client = h.Fake.CreateClient();
        var restarted = new SnapshotPublisher(client, SnapshotHarness.Ns, S);
        Assert.False(restarted.IsLoaded);
        Assert.Equal(0, restarted.Revision);
        await restarted.LoadAsync(Ct);

        Assert.True(restarted.IsLoaded);
        Assert.Equal(2, restarted.Revision);
        Assert.Equal(published.Entries.Values.OrderBy(e => e.Name, StringComparer.Ordinal), restarted.Published.Values.OrderBy(e => e.Name, StringComparer.Ordinal), EntryComparer.Instance);
        Assert.Equal(2, restarted.Published["bob"].Since);
        Assert.Equal(1, restarted.Published["alice"].Since);
        Assert.All(SnapshotSamples.Users(table), u => Assert.Equal(published.Entries[u.Name].Fingerprint, restarted.Fingerprint(u)));

        int mark = await h.MarkAsync();
        long resourceVersion = h.Fake.ResourceVersion;
        var again = await restarted.PublishAsync(SnapshotSamples.Users(table), Ct);
        Assert.False(again.Changed);
        Assert.Equal(2, again.Revision);
        Assert.DoesNotContain(await h.RequestsSinceAsync(mark), SnapshotHarness.IsWrite);
        Assert.Equal(resourceVersion, h.Fake.ResourceVersion);

        // The revision continues from what was read back.
        table.Put(SnapshotSamples.User("carol", "on", "nopass", "~*", "+@read"));
        var next = await restarted.PublishAsync(SnapshotSamples.Users(table), Ct);
        Assert.Equal(3, next.Revision);
        Assert.Equal(["carol"], next.ChangedUsers);
        Assert.Equal(3, next.Entries["carol"].Since);
        Assert.Equal(2, next.Entries["bob"].Since);
    }

    [Fact]
    public async Task A_publisher_that_reads_back_a_snapshot_that_stays_torn_keeps_what_verifies_and_publishes_over_it()
    {
        await using var h = await SnapshotHarness.StartAsync();
        var table = SnapshotSamples.Table();
        table.Put(SnapshotSamples.User("bob", "on", ">bob-1", "~bob:*", "+get"));
        var users = SnapshotSamples.Users(table);
        var first = await h.Publisher().PublishAsync(users, Ct);

        // bob's rules shard changes after the manifest was written (not by a publish): every read stays torn.
        var manifest = await h.ManifestAsync();
        int index = SnapshotNames.ShardOf("bob", manifest.ShardCount);
        var tornName = manifest.Rules[index].Name;
        var map = await h.ConfigMapAsync(tornName);
        map.BinaryData[SnapshotNames.ShardKey] = SnapshotCodec.EncodeRulesShard(new RulesShardDocument { Revision = 1, Index = index });
        await h.Client.CoreV1.ReplaceNamespacedConfigMapAsync(map, tornName, SnapshotHarness.Ns, cancellationToken: Ct);
        Assert.Equal(SnapshotReadStatus.Torn, (await h.Reader().ReadAsync(Ct)).Status);

        var restarted = h.Publisher();
        await restarted.LoadAsync(Ct);
        Assert.Equal($"the published ACL revision 1 does not verify (ConfigMap {tornName} does not match the manifest)", restarted.Repairing);
        var lost = first.Entries.Values.Where(e => SnapshotNames.ShardOf(e.Name, manifest.ShardCount) == index).Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("bob", lost);
        Assert.Equal(first.Entries.Keys.Where(n => !lost.Contains(n)).Order(StringComparer.Ordinal), restarted.Published.Keys.Order(StringComparer.Ordinal));

        // The same users again: only the shard that did not verify is rewritten (into the spare slot), and the result verifies.
        var repaired = await restarted.PublishAsync(users, Ct);
        Assert.Equal(2, repaired.Revision);
        Assert.Equal(lost.Order(StringComparer.Ordinal), repaired.ChangedUsers.Order(StringComparer.Ordinal));
        Assert.Equal(2, repaired.ShardsWritten);
        Assert.Null(restarted.Repairing);
        var after = await h.ManifestAsync();
        Assert.NotEqual(tornName, after.Rules[index].Name);
        Assert.Equal(manifest.Rules.Where((_, i) => i != index).Select(r => r.Name), after.Rules.Where((_, i) => i != index).Select(r => r.Name));
        var read = await h.Reader().ReadAsync(Ct);
        Assert.Equal(SnapshotReadStatus.Loaded, read.Status);
        Assert.Equal(users.Select(u => u.Name).Order(StringComparer.Ordinal), read.Content!.Entries.Select(e => e.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_stale_publisher_is_fenced_and_never_tears_the_snapshot_the_other_published()
    {
        await using var h = await SnapshotHarness.StartAsync();
        var table = SnapshotSamples.Table();
        var stale = h.Publisher();
        await stale.PublishAsync(SnapshotSamples.Users(table), Ct);

        // Another publisher (the new leader) publishes revision 2 with a change to alice.
        var leader = h.Publisher();
        var leaderTable = SnapshotSamples.Table();
        leaderTable.Put(SnapshotSamples.User("alice", "on", ">alice-secret", "~app:*", "+@all"));
        var leaderOutcome = await leader.PublishAsync(SnapshotSamples.Users(leaderTable), Ct);
        Assert.Equal(2, leaderOutcome.Revision);
        var leaderManifest = await h.ManifestAsync();
        int mark = await h.MarkAsync();

        // The stale one still believes revision 1 is current; its own edit of alice lands in the same shard.
        table.Put(SnapshotSamples.User("alice", "off", "~app:*", "+@read"));
        var conflict = await Assert.ThrowsAsync<SnapshotConflictException>(() => stale.PublishAsync(SnapshotSamples.Users(table), Ct));
        Assert.Contains("ConfigMap main-acl changed", conflict.Message, StringComparison.Ordinal);
        Assert.False(stale.IsLoaded);

        // Fenced before any write: the leader's revision is intact and reads completely.
        Assert.DoesNotContain(await h.RequestsSinceAsync(mark), w => SnapshotHarness.IsWrite(w) && w.StatusCode < 400);
        Assert.Equal(leaderManifest.Rules.Select(r => (r.Name, r.Checksum)), (await h.ManifestAsync()).Rules.Select(r => (r.Name, r.Checksum)));
        var read = await h.Reader().ReadAsync(Ct);
        Assert.Equal(SnapshotReadStatus.Loaded, read.Status);
        Assert.Equal(2, read.Content!.Revision);
        Assert.Equal(leaderOutcome.Entries.Values.OrderBy(e => e.Name, StringComparer.Ordinal), read.Content.Entries.OrderBy(e => e.Name, StringComparer.Ordinal), EntryComparer.Instance);

        // After Reset the stale publisher re-reads and continues the revision (never goes back).
        stale.Reset();
        var retried = await stale.PublishAsync(SnapshotSamples.Users(table), Ct);
        Assert.Equal(3, retried.Revision);
        Assert.Equal(["alice"], retried.ChangedUsers);
        Assert.Equal(3, retried.Entries["alice"].Since);
        Assert.Equal(1, retried.Entries["bob"].Since);
        Assert.Equal("3", (await h.ManifestMapAsync()).Data["revision"]);

        // And now the former leader is the stale one: its next change is fenced too. (A publish with nothing to change
        // writes nothing and so checks nothing: a stale publisher is expected to stop once its lease is lost, O16.)
        leaderTable.Put(SnapshotSamples.User("bob", "off"));
        await Assert.ThrowsAsync<SnapshotConflictException>(() => leader.PublishAsync(SnapshotSamples.Users(leaderTable), Ct));
        Assert.Equal(3, (await h.ManifestAsync()).Revision);
        Assert.Equal(SnapshotReadStatus.Loaded, (await h.Reader().ReadAsync(Ct)).Status);
    }

    [Fact]
    public async Task Two_first_publishers_do_not_tear_each_other()
    {
        await using var h = await SnapshotHarness.StartAsync();
        var late = h.Publisher();
        await late.LoadAsync(Ct);
        Assert.Equal(0, late.Revision);
        var early = await h.Publisher().PublishAsync(SnapshotSamples.Users(SnapshotSamples.Table()), Ct);
        int mark = await h.MarkAsync();
        var other = SnapshotSamples.Table();
        other.Put(SnapshotSamples.User("alice", "off"));

        // The late one saw no manifest; now there is one, and it names the slots the late one would write.
        await Assert.ThrowsAsync<SnapshotConflictException>(() => late.PublishAsync(SnapshotSamples.Users(other), Ct));

        Assert.DoesNotContain(await h.RequestsSinceAsync(mark), w => SnapshotHarness.IsWrite(w) && w.StatusCode < 400);
        var read = await h.Reader().ReadAsync(Ct);
        Assert.Equal(SnapshotReadStatus.Loaded, read.Status);
        Assert.Equal(early.Entries.Values.OrderBy(e => e.Name, StringComparer.Ordinal), read.Content!.Entries.OrderBy(e => e.Name, StringComparer.Ordinal), EntryComparer.Instance);
        var retried = await late.PublishAsync(SnapshotSamples.Users(other), Ct);
        Assert.Equal(2, retried.Revision);
        Assert.Equal(["alice"], retried.ChangedUsers);
    }

    [Fact]
    public async Task The_manifest_write_is_conditional_on_the_resourceVersion_read_back()
    {
        await using var h = await SnapshotHarness.StartAsync();
        var table = SnapshotSamples.Table();
        // Just before this publisher's manifest PUT goes out, someone else changes the manifest.
        using var interceptor = new InterceptingHandler
        {
            Match = r => r.Method == HttpMethod.Put && r.RequestUri!.AbsolutePath.EndsWith("/configmaps/main-acl", StringComparison.Ordinal),
            Before = async () =>
            {
                var map = await h.ManifestMapAsync();
                map.Metadata.Annotations = new Dictionary<string, string> { ["example.com/touched"] = "yes" };
                await h.Client.CoreV1.ReplaceNamespacedConfigMapAsync(map, map.Metadata.Name, SnapshotHarness.Ns, cancellationToken: Ct);
            },
        };
        using var client = new k8s.Kubernetes(h.Fake.CreateClientConfiguration(), interceptor);
        var publisher = new SnapshotPublisher(client, SnapshotHarness.Ns, S);
        await publisher.PublishAsync(SnapshotSamples.Users(table), Ct);
        int mark = await h.MarkAsync();
        table.Put(SnapshotSamples.User("zed", "on", "nopass", "+ping"));

        var ex = await Assert.ThrowsAsync<SnapshotConflictException>(() => publisher.PublishAsync(SnapshotSamples.Users(table), Ct));

        Assert.Equal("ConfigMap main-acl changed while revision 2 was being published; re-reading", ex.Message);
        var puts = (await h.RequestsSinceAsync(mark)).Where(r => r.Method == "PUT" && r.Name == "main-acl").Select(r => r.StatusCode);
        Assert.Equal([200, 409], puts);
        Assert.Equal(1, (await h.ManifestAsync()).Revision);

        var retried = await publisher.PublishAsync(SnapshotSamples.Users(table), Ct);
        Assert.Equal(2, retried.Revision);
        Assert.Equal(["zed"], retried.ChangedUsers);
    }

    [Fact]
    public async Task A_key_Secret_without_the_servers_ownerReference_is_a_conflict_and_never_overwritten()
    {
        await using var h = await SnapshotHarness.StartAsync();
        var foreign = await h.Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = SnapshotNames.HashesKeySecret(S) },
            Data = new Dictionary<string, byte[]> { [SnapshotNames.HmacKeyKey] = new byte[32] },
        }, SnapshotHarness.Ns, cancellationToken: Ct);
        int mark = await h.MarkAsync();
        var owner = new V1OwnerReference { ApiVersion = "aclop.dev/v1alpha1", Kind = "RedisAclServer", Name = S, Uid = "5a6c1d0e-0000-4000-8000-000000000001", Controller = true };

        var ex = await Assert.ThrowsAsync<SnapshotConflictException>(() => h.Publisher(owner).PublishAsync(SnapshotSamples.Users(SnapshotSamples.Table()), Ct));

        Assert.Equal("Secret main-acl-hashes exists and is not owned by RedisAclServer main; it is never adopted or overwritten (delete or rename it)", ex.Message);
        Assert.DoesNotContain(await h.RequestsSinceAsync(mark), SnapshotHarness.IsWrite);
        var after = await h.SecretAsync(SnapshotNames.HashesKeySecret(S));
        Assert.Equal(foreign.Metadata.ResourceVersion, after.Metadata.ResourceVersion);
        Assert.Null(after.Metadata.OwnerReferences);
        Assert.False(await h.ExistsAsync("ConfigMap", SnapshotNames.Manifest(S)));
    }

    [Fact]
    public async Task Objects_written_for_an_owner_carry_its_reference_and_a_new_publisher_accepts_them()
    {
        await using var h = await SnapshotHarness.StartAsync();
        var server = await h.Cluster.CreateAsync(new AclOperator.Api.V1Alpha1.RedisAclServer { Metadata = new V1ObjectMeta { Name = S, NamespaceProperty = SnapshotHarness.Ns } });
        var owner = new V1OwnerReference { ApiVersion = "aclop.dev/v1alpha1", Kind = "RedisAclServer", Name = S, Uid = server.Metadata.Uid, Controller = true, BlockOwnerDeletion = true };
        var users = SnapshotSamples.Users(SnapshotSamples.Table());
        await h.Publisher(owner).PublishAsync(users, Ct);
        await h.Publisher(owner).EnsureRuntimeSecretAsync(Ct);

        var manifest = await h.ManifestAsync();
        var names = manifest.Rules.Select(r => ("ConfigMap", r.Name)).Concat(manifest.Hashes.Select(r => ("Secret", r.Name)))
            .Append(("ConfigMap", SnapshotNames.Manifest(S))).Append(("Secret", SnapshotNames.HashesKeySecret(S))).Append(("Secret", SnapshotNames.RuntimeSecret(S)));
        foreach (var (kind, name) in names)
        {
            var meta = kind == "ConfigMap" ? (await h.ConfigMapAsync(name)).Metadata : (await h.SecretAsync(name)).Metadata;
            Assert.Equal([server.Metadata.Uid], meta.OwnerReferences.Select(r => r.Uid));
        }

        // A restarted operator with the same owner accepts its own objects and has nothing to write.
        var again = await h.Publisher(owner).PublishAsync(users, Ct);
        Assert.False(again.Changed);

        // Another owner (a different server object with the same name) is refused.
        var other = new V1OwnerReference { ApiVersion = owner.ApiVersion, Kind = owner.Kind, Name = S, Uid = "5a6c1d0e-0000-4000-8000-000000000002" };
        await Assert.ThrowsAsync<SnapshotConflictException>(() => h.Publisher(other).PublishAsync(users, Ct));
        await Assert.ThrowsAsync<SnapshotConflictException>(() => h.Publisher(other).EnsureRuntimeSecretAsync(Ct));
    }

    [Fact]
    public async Task The_runtime_Secret_is_created_empty_once()
    {
        await using var h = await SnapshotHarness.StartAsync();
        var publisher = h.Publisher();
        await publisher.EnsureRuntimeSecretAsync(Ct);
        var secret = await h.SecretAsync(SnapshotNames.RuntimeSecret(S));
        AssertLabels(secret.Metadata, "runtime");
        Assert.Equal("{\"users\":[]}", System.Text.Encoding.UTF8.GetString(secret.Data[SnapshotNames.RuntimeUsersKey]));
        Assert.Empty(SnapshotCodec.DecodeRuntimeUsers(secret.Data[SnapshotNames.RuntimeUsersKey]).Users);

        // Pods own its content from now on: a second call never writes.
        var updated = await h.Client.CoreV1.ReplaceNamespacedSecretAsync(new V1Secret
        {
            Metadata = secret.Metadata,
            Data = new Dictionary<string, byte[]> { [SnapshotNames.RuntimeUsersKey] = SnapshotCodec.EncodeRuntimeUsers(new RuntimeUsersDocument { Users = [new RuntimeUser { Name = "rt", Rules = "on nopass +ping" }] }) },
        }, secret.Metadata.Name, SnapshotHarness.Ns, cancellationToken: Ct);
        await publisher.EnsureRuntimeSecretAsync(Ct);
        Assert.Equal(updated.Metadata.ResourceVersion, (await h.SecretAsync(SnapshotNames.RuntimeSecret(S))).Metadata.ResourceVersion);
    }

    [Fact]
    public async Task A_key_Secret_without_a_usable_key_is_a_conflict()
    {
        await using var h = await SnapshotHarness.StartAsync();
        await h.Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = SnapshotNames.HashesKeySecret(S) },
            Data = new Dictionary<string, byte[]> { [SnapshotNames.HmacKeyKey] = new byte[8] },
        }, SnapshotHarness.Ns, cancellationToken: Ct);

        var ex = await Assert.ThrowsAsync<SnapshotConflictException>(() => h.Publisher().PublishAsync(SnapshotSamples.Users(SnapshotSamples.Table()), Ct));
        Assert.Equal("Secret main-acl-hashes has no hmacKey", ex.Message);
        Assert.False(await h.ExistsAsync("ConfigMap", SnapshotNames.Manifest(S)));
    }

    [Fact]
    public async Task A_hash_shard_slot_holding_a_foreign_Secret_is_a_conflict_and_never_overwritten()
    {
        await using var h = await SnapshotHarness.StartAsync();
        var server = await h.Cluster.CreateAsync(new AclOperator.Api.V1Alpha1.RedisAclServer { Metadata = new V1ObjectMeta { Name = S, NamespaceProperty = SnapshotHarness.Ns } });
        var owner = new V1OwnerReference { ApiVersion = "aclop.dev/v1alpha1", Kind = "RedisAclServer", Name = S, Uid = server.Metadata.Uid, Controller = true };
        var foreign = await h.Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = SnapshotNames.HashShard(S, 2, 'a') },
            StringData = new Dictionary<string, string> { ["password"] = "someone else's" },
        }, SnapshotHarness.Ns, cancellationToken: Ct);

        var ex = await Assert.ThrowsAsync<SnapshotConflictException>(() => h.Publisher(owner).PublishAsync(SnapshotSamples.Users(SnapshotSamples.Table()), Ct));

        Assert.Equal("Secret main-acl-hashes-2-a exists and is not owned by RedisAclServer main; it is never adopted or overwritten (delete or rename it)", ex.Message);
        var after = await h.SecretAsync(foreign.Metadata.Name);
        Assert.Equal(foreign.Metadata.ResourceVersion, after.Metadata.ResourceVersion);
        Assert.Equal(["password"], after.Data.Keys);
        Assert.False(await h.ExistsAsync("ConfigMap", SnapshotNames.Manifest(S)));
    }

    [Fact]
    public async Task A_user_listed_twice_is_refused_before_anything_is_written()
    {
        await using var h = await SnapshotHarness.StartAsync();
        var users = SnapshotSamples.Users(SnapshotSamples.Table());
        users.Add(SnapshotUser.From(SnapshotSamples.User("alice", "on", "nopass", "+@all")));
        int mark = await h.MarkAsync();

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => h.Publisher().PublishAsync(users, Ct));

        Assert.Equal("user 'alice' is listed more than once (Parameter 'users')", ex.Message);
        Assert.DoesNotContain(await h.RequestsSinceAsync(mark), SnapshotHarness.IsWrite);
    }

    private static void AssertLabels(V1ObjectMeta meta, string kind) =>
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["app.kubernetes.io/name"] = "aclop-server",
                ["app.kubernetes.io/instance"] = S,
                ["app.kubernetes.io/managed-by"] = "aclop-operator",
                ["aclop.dev/server"] = S,
                ["aclop.dev/snapshot"] = kind,
            }.OrderBy(p => p.Key, StringComparer.Ordinal),
            meta.Labels.OrderBy(p => p.Key, StringComparer.Ordinal));
}
