using System.Globalization;
using AclOperator.Acl;
using AclOperator.Acl.Passwords;
using AclOperator.Api.Snapshots;

namespace AclOperator.Operator.Tests.Snapshots;

/// <summary>10,000 users: shards stay under the 256 KiB of O6 by doubling the shard count, and read back identically.</summary>
public sealed class SnapshotScaleTests
{
    private const int MaxShardBytes = 256 * 1024;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ten_thousand_users_publish_in_shards_under_256_KiB_and_read_back_identically()
    {
        await using var h = await SnapshotHarness.StartAsync();
        // Three random hashes per user: incompressible enough that four shards would exceed the soft limit.
        var users = new List<SnapshotUser>(10_001) { SnapshotUser.From(SnapshotSamples.User("default", "off", "resetchannels", "-@all")) };
        for (int i = 0; i < 10_000; i++)
        {
            string name = "user-" + i.ToString("D5", CultureInfo.InvariantCulture);
            var hashes = Enumerable.Range(0, 3).Select(j => PasswordHasher.Hash(System.Text.Encoding.ASCII.GetBytes($"{name}/{j}/{Guid.NewGuid()}"))).ToArray();
            users.Add(new SnapshotUser(name, $"on sanitize-payload ~{name}:* resetchannels -@all +@read +set", hashes));
        }

        var publisher = h.Publisher();
        var outcome = await publisher.PublishAsync(users, Ct);

        var manifest = await h.ManifestAsync();
        Assert.Equal(8, manifest.ShardCount);
        Assert.Equal(10_001, manifest.Users);
        Assert.Equal(1, outcome.Revision);
        Assert.Equal(16, outcome.ShardsWritten);
        for (int i = 0; i < manifest.ShardCount; i++)
        {
            var rules = await h.RulesBytesAsync(manifest.Rules[i].Name);
            var hashes = await h.HashBytesAsync(manifest.Hashes[i].Name);
            Assert.InRange(rules.Length, 1, MaxShardBytes);
            Assert.InRange(hashes.Length, 1, MaxShardBytes);

            // The assignment is ShardOf for the published count; doubling splits each shard of the smaller count in two.
            var names = SnapshotCodec.DecodeRulesShard(rules).Users.Select(u => u.Name).ToList();
            Assert.All(names, n => Assert.Equal(i, SnapshotNames.ShardOf(n, 8)));
            Assert.All(names, n => Assert.Equal(i % 4, SnapshotNames.ShardOf(n, 4)));
        }

        var read = await h.Reader().ReadAsync(Ct);
        Assert.Equal(SnapshotReadStatus.Loaded, read.Status);
        Assert.Equal(
            users.OrderBy(u => u.Name, StringComparer.Ordinal).Select(u => (u.Name, u.Rules, string.Join(',', u.Hashes), 1L)),
            read.Content!.Entries.OrderBy(e => e.Name, StringComparer.Ordinal).Select(e => (e.Name, e.Rules, string.Join(',', e.Hashes), e.Since)));

        var (table, error) = new SnapshotTableBuilder().Build(read.Content, [], AclOptions.Default);
        Assert.Null(error);
        Assert.Equal(10_001, table!.Count);
        Assert.Equal(users.OrderBy(u => u.Name, StringComparer.Ordinal).Select(u => SnapshotCodec.RulesWithoutHashes(table.Find(u.Name)!)),
            users.OrderBy(u => u.Name, StringComparer.Ordinal).Select(u => u.Rules));

        // Same users again: nothing written; one edit: one shard pair and the manifest.
        int mark = await h.MarkAsync();
        Assert.False((await publisher.PublishAsync(users, Ct)).Changed);
        Assert.DoesNotContain(await h.RequestsSinceAsync(mark), SnapshotHarness.IsWrite);
        users[5000] = users[5000] with { Rules = "off sanitize-payload resetchannels -@all" };
        var edited = await publisher.PublishAsync(users, Ct);
        Assert.Equal((2L, 2), (edited.Revision, edited.ShardsWritten));
        Assert.Equal([users[5000].Name], edited.ChangedUsers);
        Assert.Equal(3, (await h.RequestsSinceAsync(mark)).Count(r => SnapshotHarness.IsWrite(r) && r.StatusCode < 400));
    }

    [Fact]
    public async Task Growing_past_the_soft_limit_later_doubles_the_shards_without_touching_the_live_slots()
    {
        await using var h = await SnapshotHarness.StartAsync();
        var table = SnapshotSamples.Table();
        var users = SnapshotSamples.Users(table);
        var publisher = h.Publisher();
        var first = await publisher.PublishAsync(users, Ct);
        var before = await h.ManifestAsync();
        Assert.Equal(4, before.ShardCount);

        // 4,000 users with eight random hashes each: about 1 MiB of compressed hashes.
        for (int i = 0; i < 4000; i++)
        {
            string name = "bulk-" + i.ToString("D4", CultureInfo.InvariantCulture);
            var hashes = Enumerable.Range(0, 8).Select(_ => PasswordHasher.Hash(Guid.NewGuid().ToByteArray())).ToArray();
            users.Add(new SnapshotUser(name, "on sanitize-payload resetchannels -@all +ping", hashes));
        }

        var grown = await publisher.PublishAsync(users, Ct);

        var manifest = await h.ManifestAsync();
        Assert.Equal(8, manifest.ShardCount);
        Assert.Equal(16, grown.ShardsWritten);
        Assert.Equal(4000, grown.ChangedUsers.Count);
        // Shards 0-3 go to the slot the old manifest did not name; 4-7 are new.
        Assert.Equal(new[] { "b", "b", "b", "b", "a", "a", "a", "a" }.Select((slot, i) => $"main-acl-{i}-{slot}"), manifest.Rules.Select(r => r.Name));
        Assert.Equal(new[] { "b", "b", "b", "b", "a", "a", "a", "a" }.Select((slot, i) => $"main-acl-hashes-{i}-{slot}"), manifest.Hashes.Select(r => r.Name));
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(before.Rules[i].Checksum, SnapshotCodec.Sha256(await h.RulesBytesAsync(before.Rules[i].Name)));
        }

        foreach (var r in manifest.Hashes)
        {
            Assert.InRange((await h.HashBytesAsync(r.Name)).Length, 1, MaxShardBytes);
        }

        // The users of revision 1 keep their Since: resharding is not a change of their entries.
        Assert.All(first.Entries.Keys, n => Assert.Equal(1, grown.Entries[n].Since));
        var read = await h.Reader().ReadAsync(Ct);
        Assert.Equal(SnapshotReadStatus.Loaded, read.Status);
        Assert.Equal(grown.Entries.Values.OrderBy(e => e.Name, StringComparer.Ordinal), read.Content!.Entries.OrderBy(e => e.Name, StringComparer.Ordinal), EntryComparer.Instance);
        var (built, error) = new SnapshotTableBuilder().Build(read.Content, [], AclOptions.Default);
        Assert.Null(error);
        Assert.Equal(table.ListLines(), table.Users.Select(u => AclOperator.Acl.Rendering.AclUserRenderer.AclListLine(built!.Find(u.Name)!)));
        Assert.Equal(4000 + table.Count, built!.Count);
    }

    [Fact]
    public void ShardOf_is_stable_and_doubling_only_splits_shards()
    {
        // Pinned values: the assignment is part of the published format (first 4 bytes of SHA-256 of the name, big endian).
        Assert.Equal(
            (int)(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(System.Security.Cryptography.SHA256.HashData("alice"u8)) % 4),
            SnapshotNames.ShardOf("alice", 4));
        Assert.Equal(
            (int)(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(System.Security.Cryptography.SHA256.HashData("jürgen"u8)) % 64),
            SnapshotNames.ShardOf(SnapshotSamples.Juergen, 64));
        for (int i = 0; i < 2000; i++)
        {
            string name = "u" + i.ToString(CultureInfo.InvariantCulture);
            for (int count = 4; count < SnapshotNames.MaxShards; count *= 2)
            {
                Assert.Equal(SnapshotNames.ShardOf(name, count), SnapshotNames.ShardOf(name, count * 2) % count);
                Assert.Equal(SnapshotNames.ShardOf(name, count), SnapshotNames.ShardOf(name, count));
            }
        }
    }
}
