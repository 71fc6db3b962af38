using AclOperator.Acl;
using AclOperator.Acl.Rendering;
using AclOperator.Acl.Users;
using AclOperator.Api.Snapshots;

namespace AclOperator.Operator.Tests.Snapshots;

/// <summary>
/// SnapshotTableBuilder: the table a pod swaps in equals, line for line in ACL LIST, the table the operator published;
/// an invalid entry fails the whole load with the text Redis's ACL LOAD gives for an aclfile (acl.c ACLLoadFromFile).
/// </summary>
public sealed class SnapshotTableBuilderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<SnapshotContent> PublishAndReadAsync(SnapshotHarness h, IReadOnlyCollection<SnapshotUser> users, SnapshotPublisher? publisher = null)
    {
        await (publisher ?? h.Publisher()).PublishAsync(users, Ct);
        var read = await h.Reader().ReadAsync(Ct);
        Assert.Equal(SnapshotReadStatus.Loaded, read.Status);
        return read.Content!;
    }

    [Fact]
    public async Task The_built_table_lists_exactly_what_the_source_table_lists()
    {
        await using var h = await SnapshotHarness.StartAsync();
        var source = SnapshotSamples.Table();
        var content = await PublishAndReadAsync(h, SnapshotSamples.Users(source));

        var (table, error) = new SnapshotTableBuilder().Build(content, [], AclOptions.Default);

        Assert.Null(error);
        Assert.Equal(source.Users.Select(AclUserRenderer.AclListLine), table!.Users.Select(AclUserRenderer.AclListLine));
        Assert.Equal(source.ListLines(), table.ListLines());

        // The cases the sample is there for, spelled out.
        var lines = table.ListLines();
        Assert.Contains("user bob on sanitize-payload " + string.Concat(source.Find("bob")!.PasswordHashes.Select(x => "#" + x + " "))
            + "~bob:* resetchannels &bob:* -@all +get +set (~x:* resetchannels -@all +set) (%R~y:* %W~z:* resetchannels -@all +@read -keys)", lines);
        Assert.Contains("user carol off nopass sanitize-payload ~* &* +@all", lines);
        Assert.Contains("user dave off sanitize-payload #" + source.Find("dave")!.PasswordHashes[0] + " resetchannels -@all", lines);
        Assert.Contains(lines, l => l.StartsWith("user " + SnapshotSamples.Juergen + " on sanitize-payload #", StringComparison.Ordinal));
        Assert.Contains("user " + SnapshotSamples.RawBytes + " on nopass skip-sanitize-payload %R~* resetchannels -@all +ping", lines);
        Assert.True(table.Find("erin")!.CheckPassword("erin-explicit"u8));
        Assert.True(table.Find(SnapshotSamples.Juergen)!.CheckPassword(System.Text.Encoding.UTF8.GetBytes("jürgen-secret")));
        Assert.False(table.Find("default")!.NoPass);
    }

    [Fact]
    public async Task Unchanged_shards_are_not_parsed_again()
    {
        await using var h = await SnapshotHarness.StartAsync();
        var source = SnapshotSamples.Table();
        var publisher = h.Publisher();
        var builder = new SnapshotTableBuilder();
        var (first, _) = builder.Build(await PublishAndReadAsync(h, SnapshotSamples.Users(source), publisher), [], AclOptions.Default);
        source.Put(SnapshotSamples.User("alice", "on", ">alice-secret", "~app:*", "+@all"));
        var (second, error) = builder.Build(await PublishAndReadAsync(h, SnapshotSamples.Users(source), publisher), [], AclOptions.Default);

        Assert.Null(error);
        Assert.Equal(source.ListLines(), second!.ListLines());
        int k = SnapshotNames.ShardOf("alice", 4);
        foreach (var u in source.Users)
        {
            if (SnapshotNames.ShardOf(u.Name, 4) == k)
            {
                Assert.NotSame(first!.Find(u.Name), second.Find(u.Name));
            }
            else
            {
                Assert.Same(first!.Find(u.Name), second.Find(u.Name));
            }
        }
    }

    [Fact]
    public async Task An_invalid_entry_fails_the_whole_load_with_the_aclfile_error()
    {
        await using var h = await SnapshotHarness.StartAsync();
        var users = SnapshotSamples.Users(SnapshotSamples.Table());
        // Entries the operator's compiler would never produce, but a pod must not trust that.
        users.Add(new SnapshotUser("mallory", "on nopass ~* +nosuchcommand", []));
        var content = await PublishAndReadAsync(h, users);
        var shard = content.Shards.Single(s => s.Entries.Any(e => e.Name == "mallory"));
        int line = shard.Entries.ToList().FindIndex(e => e.Name == "mallory") + 1;
        var builder = new SnapshotTableBuilder();

        var (table, error) = builder.Build(content, [], AclOptions.Default);

        Assert.Null(table);
        Assert.Equal($"shard {shard.Index}:{line}: Error in applying operation '+nosuchcommand': Unknown command or category name in ACL. "
            + "WARNING: ACL errors detected, no change to the previously active ACL rules was performed", error);

        // An unmatched selector parenthesis: the aclfile reader's own fragment.
        var withMore = users.Where(u => u.Name != "mallory").Append(new SnapshotUser("mallory", "on ~* +@all (~x +get", [])).ToList();
        content = await PublishAndReadAsync(h, withMore, h.Publisher());
        shard = content.Shards.Single(s => s.Entries.Any(e => e.Name == "mallory"));
        line = shard.Entries.ToList().FindIndex(e => e.Name == "mallory") + 1;
        (table, error) = builder.Build(content, [], AclOptions.Default);
        Assert.Null(table);
        Assert.Equal($"shard {shard.Index}:{line}: Unmatched parenthesis in selector definition."
            + "WARNING: ACL errors detected, no change to the previously active ACL rules was performed", error);
    }

    [Fact]
    public async Task A_bad_password_hash_fails_the_load()
    {
        await using var h = await SnapshotHarness.StartAsync();
        var users = SnapshotSamples.Users(SnapshotSamples.Table());
        users.Add(new SnapshotUser("mallory", "on ~* +@all", [new string('A', 64)]));
        var content = await PublishAndReadAsync(h, users);
        var shard = content.Shards.Single(s => s.Entries.Any(e => e.Name == "mallory"));
        int line = shard.Entries.ToList().FindIndex(e => e.Name == "mallory") + 1;

        var (table, error) = new SnapshotTableBuilder().Build(content, [], AclOptions.Default);

        Assert.Null(table);
        Assert.Equal($"shard {shard.Index}:{line}: The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters. "
            + "WARNING: ACL errors detected, no change to the previously active ACL rules was performed", error);
    }

    [Fact]
    public async Task Runtime_users_are_added_and_a_managed_user_wins_a_name_clash()
    {
        await using var h = await SnapshotHarness.StartAsync();
        var source = SnapshotSamples.Table();
        var content = await PublishAndReadAsync(h, SnapshotSamples.Users(source));
        var hash = AclOperator.Acl.Passwords.PasswordHasher.Hash("rt"u8);
        RuntimeUser[] runtime =
        [
            new() { Name = "alice", Rules = "on nopass ~* &* +@all" },
            new() { Name = "rt", Rules = "on ~rt:* resetchannels -@all +get", Hashes = [hash] },
        ];

        var (table, error) = new SnapshotTableBuilder().Build(content, runtime, AclOptions.Default);

        Assert.Null(error);
        Assert.Equal(source.ListLines().Append($"user rt on sanitize-payload #{hash} ~rt:* resetchannels -@all +get").Order(StringComparer.Ordinal), table!.ListLines());

        RuntimeUser[] bad = [new() { Name = "rt", Rules = "on +nosuchcommand" }];
        (table, error) = new SnapshotTableBuilder().Build(content, bad, AclOptions.Default);
        Assert.Null(table);
        Assert.Equal("runtime users:1: Error in applying operation '+nosuchcommand': Unknown command or category name in ACL. "
            + "WARNING: ACL errors detected, no change to the previously active ACL rules was performed", error);
    }

    [Fact]
    public async Task A_snapshot_without_a_default_user_gets_a_disabled_default_never_an_open_one()
    {
        await using var h = await SnapshotHarness.StartAsync();
        var content = await PublishAndReadAsync(h, [SnapshotUser.From(SnapshotSamples.User("alice", "on", "nopass", "+ping"))]);

        var (table, _) = new SnapshotTableBuilder().Build(content, [], AclOptions.Default);

        // Unlike ACL LOAD of an aclfile without a default user (acl.c ACLLoadFromFile creates the open stock default),
        // a snapshot without one gets a disabled default with no permissions (O7: never an open default user).
        Assert.Equal(["user alice on nopass sanitize-payload resetchannels -@all +ping", "user default off sanitize-payload resetchannels -@all"], table!.ListLines());
    }
}
