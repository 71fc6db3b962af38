using AclOperator.Acl;
using AclOperator.Acl.Passwords;
using AclOperator.Acl.Rendering;
using AclOperator.Acl.Users;
using AclOperator.Api.Snapshots;
using Xunit;

namespace AclOperator.Api.Tests.Snapshots;

/// <summary>The table a pod builds from a verified snapshot plus the runtime users (O1, O6, O7, O9).</summary>
public sealed class SnapshotTableBuilderTests
{
    private static readonly string BobHash = PasswordHasher.Hash("bobpw"u8);

    private static SnapshotContent Snapshot(params SnapshotEntry[] entries) => new(
        7,
        new ManifestDocument { Revision = 7, ShardCount = 1 },
        [new SnapshotShard(0, new ShardReference { Name = "main-acl-0-a", Checksum = "r0" }, new ShardReference { Name = "main-acl-hashes-0-a", Checksum = "h0" }, entries)],
        "42");

    private static SnapshotEntry Entry(string name, string rules, params string[] hashes) => new(name, rules, hashes, 7, "fp");

    private static string Line(AclUserTable table, string name) => AclUserRenderer.AclListLine(table.Find(name)!);

    [Fact]
    public void A_snapshot_without_a_default_user_gets_a_disabled_one_never_the_open_stock_default()
    {
        var (table, error) = new SnapshotTableBuilder().Build(Snapshot(Entry("alice", "on ~app:* +get")), [], AclOptions.Default);

        Assert.Null(error);
        Assert.False(table!.Default.Enabled);
        Assert.False(table.Default.NoPass);
        Assert.Equal("user default off sanitize-payload resetchannels -@all", Line(table, "default"));
        Assert.Equal("user alice on sanitize-payload ~app:* resetchannels -@all +get", Line(table, "alice"));
    }

    [Fact]
    public void Managed_users_and_the_default_user_beat_runtime_users_of_the_same_name()
    {
        RuntimeUser[] runtime =
        [
            new() { Name = "default", Rules = "on nopass ~* &* +@all" },
            new() { Name = "alice", Rules = "on nopass ~* +@all" },
            new() { Name = "bob", Rules = "on ~bob:* +get", Hashes = [BobHash] },
        ];
        var (table, error) = new SnapshotTableBuilder().Build(Snapshot(Entry("alice", "on ~app:* +get")), runtime, AclOptions.Default);

        Assert.Null(error);
        Assert.Equal("user default off sanitize-payload resetchannels -@all", Line(table!, "default"));
        Assert.Equal("user alice on sanitize-payload ~app:* resetchannels -@all +get", Line(table!, "alice"));
        Assert.Equal($"user bob on sanitize-payload #{BobHash} ~bob:* resetchannels -@all +get", Line(table!, "bob"));
    }

    [Fact]
    public void Unchanged_shards_are_not_parsed_again_for_equal_options()
    {
        var builder = new SnapshotTableBuilder();
        var snapshot = Snapshot(Entry("default", "on nopass ~* &* +@all"), Entry("alice", "on ~app:* +get"));
        var first = builder.Build(snapshot, [], AclOptions.Default with { PubsubDefaultAllChannels = false }).Table!;

        // A fresh but equal options record, as AclManager passes on every load.
        var second = builder.Build(snapshot, [], AclOptions.Default with { PubsubDefaultAllChannels = false }).Table!;
        Assert.Same(first.Find("alice"), second.Find("alice"));

        var other = builder.Build(snapshot, [], AclOptions.Default with { PubsubDefaultAllChannels = true }).Table!;
        Assert.NotSame(first.Find("alice"), other.Find("alice"));
    }

    [Fact]
    public void A_bad_entry_fails_the_whole_build_with_Redis_error()
    {
        var (table, error) = new SnapshotTableBuilder().Build(Snapshot(Entry("alice", "on +@nosuch")), [], AclOptions.Default);

        Assert.Null(table);
        Assert.Equal("shard 0:1: Error in applying operation '+@nosuch': Unknown command or category name in ACL. WARNING: ACL errors detected, no change to the previously active ACL rules was performed", error);
    }
}
