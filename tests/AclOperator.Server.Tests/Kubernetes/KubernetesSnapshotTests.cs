using System.Net;
using System.Text.Json;
using AclOperator.Api.Snapshots;
using k8s;
using k8s.Models;
using StackExchange.Redis;
using Xunit;
using static AclOperator.Server.Tests.EndToEnd.E2E;

namespace AclOperator.Server.Tests.Kubernetes;

/// <summary>
/// Kubernetes mode, the published side (O6, O7, O15): real aclop-servers enforce the snapshot the operator's publisher
/// wrote to the (fake) API server, follow new revisions through their watches, never apply a torn snapshot, answer
/// <c>-LOADING</c> until something is loaded, and start from the last-good copy when the API is down.
/// </summary>
public sealed class KubernetesSnapshotTests
{
    private const string Loading = "LOADING Redis is loading the dataset in memory";

    private static readonly SnapshotUser Alice = KubernetesModeCluster.User("alice", "on", ">alicepw", "~app:*", "+get", "+set");
    private static readonly SnapshotUser Admin = KubernetesModeCluster.User("admin", "on", ">adminpw", "~*", "&*", "+@all");

    private static Task WaitForRevisionAsync(KubernetesModeServer s, string revision) =>
        WaitUntilAsync(() => Task.FromResult(s.Revision == revision));

    [Fact]
    public async Task The_published_rules_authenticate_and_deny_with_Redis_texts()
    {
        await using var k = await KubernetesModeCluster.StartAsync();
        Assert.Equal(1, await k.PublishAsync(Alice));
        await using var s = await k.StartServerAsync();
        await WaitForRevisionAsync(s, "1");

        using var c = await s.ConnectAsync();
        // The published default user is off: nothing runs before AUTH.
        AssertError(await c.CallAsync("GET", "app:k"), "NOAUTH Authentication required.");
        AssertSimple(await c.CallAsync("AUTH", "alice", "alicepw"), "OK");
        AssertSimple(await c.CallAsync("SET", "app:k", "v"), "OK");
        AssertBulk(await c.CallAsync("GET", "app:k"), "v");
        AssertError(await c.CallAsync("GET", "other"), NoPermKey);
        AssertError(await c.CallAsync("HSET", "app:h", "f", "v"), "NOPERM User alice has no permissions to run the 'hset' command");
        AssertError(await s.AuthAsync("alice", "wrong"), WrongPass);
        AssertError(await s.AuthAsync("default", "x"), WrongPass);

        Assert.Equal((HttpStatusCode.OK, "ok"), await s.GetAsync("readyz"));
        using var status = JsonDocument.Parse((await s.GetAsync("status")).Body);
        Assert.Equal("1", status.RootElement.GetProperty("revision").GetString());
        Assert.Equal("kubernetes default/main", status.RootElement.GetProperty("aclSource").GetString());
        Assert.Equal(2, status.RootElement.GetProperty("users").GetInt32());
        var metrics = await s.ScrapeAsync();
        Assert.Equal(1, metrics["aclop_acl_revision_info{revision=\"1\"}"]);
        Assert.True(metrics["aclop_acl_snapshot_age_seconds"] >= 0);
    }

    [Fact]
    public async Task StackExchangeRedis_works_against_a_server_that_follows_the_API()
    {
        await using var k = await KubernetesModeCluster.StartAsync();
        await k.PublishAsync(KubernetesModeCluster.User("app", "on", ">apppw", "~app:*", "&*", "+@all", "-@dangerous"));
        await using var s = await k.StartServerAsync();
        await WaitForRevisionAsync(s, "1");

        await using var mux = await ConnectLibraryAsync(s.Server.EndPoint.Port, "app", "apppw");
        var db = mux.GetDatabase();
        Assert.True(await db.StringSetAsync("app:1", "v"));
        Assert.Equal("v", (string?)await db.StringGetAsync("app:1"));
        var denied = await Assert.ThrowsAsync<RedisServerException>(() => db.StringSetAsync("other", "v"));
        Assert.Equal("NOPERM No permissions to access a key", denied.Message);

        // A new revision reaches the library's open connection.
        await k.PublishAsync(KubernetesModeCluster.User("app", "on", ">apppw", "~app:*", "&*", "+@all", "-@dangerous", "-set"));
        await WaitForRevisionAsync(s, "2");
        var revoked = await Assert.ThrowsAsync<RedisServerException>(() => db.StringSetAsync("app:1", "w"));
        Assert.Equal("NOPERM User app has no permissions to run the 'set' command", revoked.Message);
        Assert.Equal("v", (string?)await db.StringGetAsync("app:1"));
    }

    [Fact]
    public async Task A_new_revision_is_enforced_without_restart_and_closes_the_connections_of_deleted_users()
    {
        await using var k = await KubernetesModeCluster.StartAsync();
        await k.PublishAsync(Alice, KubernetesModeCluster.User("bob", "on", ">bobpw", "~*", "+@all"));
        await using var s = await k.StartServerAsync();
        await WaitForRevisionAsync(s, "1");
        using var alice = await s.ConnectAsAsync("alice", "alicepw");
        using var bob = await s.ConnectAsAsync("bob", "bobpw");
        AssertSimple(await alice.CallAsync("SET", "app:k", "v"), "OK");

        Assert.Equal(2, await k.PublishAsync(KubernetesModeCluster.User("alice", "on", ">alicepw", "~app:*", "+get")));
        await WaitForRevisionAsync(s, "2");

        AssertError(await alice.CallAsync("SET", "app:k", "v"), "NOPERM User alice has no permissions to run the 'set' command");
        AssertBulk(await alice.CallAsync("GET", "app:k"), "v");
        await AssertClosedAsync(bob);
        AssertError(await s.AuthAsync("bob", "bobpw"), WrongPass);
        Assert.Equal(0, (await s.ScrapeAsync())["aclop_acl_reloads_total{result=\"failed\"}"]);
    }

    [Fact]
    public async Task Disabling_a_managed_user_or_removing_its_password_closes_its_sessions()
    {
        // O15: unlike Redis's ACL LOAD (which re-binds such sessions), revoking a credential reaches live sessions.
        await using var k = await KubernetesModeCluster.StartAsync();
        var carol = KubernetesModeCluster.User("carol", "on", ">carolpw", "~*", "+get");
        await k.PublishAsync(Alice, carol);
        await using var s = await k.StartServerAsync();
        await WaitForRevisionAsync(s, "1");
        using var alice = await s.ConnectAsAsync("alice", "alicepw");
        using var carolSession = await s.ConnectAsAsync("carol", "carolpw");

        // Rotation, step 1: a second password is added; nothing is revoked.
        await k.PublishAsync(KubernetesModeCluster.User("alice", "on", ">alicepw", ">alicepw2", "~app:*", "+get", "+set"), carol);
        await WaitForRevisionAsync(s, "2");
        Assert.True((await alice.CallAsync("GET", "app:k")).IsNull);
        Assert.True((await carolSession.CallAsync("GET", "k")).IsNull);

        // Step 2: the old password is removed, and carol is disabled.
        await k.PublishAsync(
            KubernetesModeCluster.User("alice", "on", ">alicepw2", "~app:*", "+get", "+set"),
            KubernetesModeCluster.User("carol", "off", ">carolpw", "~*", "+get"));
        await WaitForRevisionAsync(s, "3");
        await AssertClosedAsync(alice);
        await AssertClosedAsync(carolSession);
        AssertSimple(await s.AuthAsync("alice", "alicepw2"), "OK");
        AssertError(await s.AuthAsync("alice", "alicepw"), WrongPass);
        AssertError(await s.AuthAsync("carol", "carolpw"), WrongPass);
    }

    [Fact]
    public async Task A_shard_overwritten_under_an_unchanged_manifest_is_never_applied()
    {
        await using var k = await KubernetesModeCluster.StartAsync();
        await k.PublishAsync(Alice, Admin);
        await using var s = await k.StartServerAsync();
        await WaitForRevisionAsync(s, "1");
        using var admin = await s.ConnectAsAsync("admin", "adminpw");
        using var alice = await s.ConnectAsAsync("alice", "alicepw");

        // While the server cannot read (GETs fail), revision 2 is published and then alice's new shard is overwritten
        // with other content: the manifest still names the shard, but its checksum no longer matches.
        k.Api.Faults.FailNext(int.MaxValue, 503, verb: "get", resource: "configmaps");
        Assert.Equal(2, await k.PublishAsync(KubernetesModeCluster.User("alice", "on", ">alicepw", "~app:*", "+get", "+set", "+del"), Admin));
        var manifest = SnapshotCodec.DecodeManifest(JsonDocument.Parse(k.Api.GetStoredJson("", "configmaps", "default", "main-acl")!)
            .RootElement.GetProperty("data").GetProperty("manifest.json").GetString()!);
        int index = SnapshotNames.ShardOf("alice", manifest.ShardCount);
        var shard = manifest.Rules[index].Name;
        var forged = SnapshotCodec.EncodeRulesShard(new RulesShardDocument
        {
            Revision = 2,
            Index = index,
            Users = [new RulesShardUser { Name = "alice", Rules = "on ~* &* +@all", Since = 2, Fp = "forged" }],
        });
        await k.Client.CoreV1.ReplaceNamespacedConfigMapAsync(
            new V1ConfigMap { Metadata = new V1ObjectMeta { Name = shard, NamespaceProperty = "default" }, BinaryData = new Dictionary<string, byte[]> { ["shard"] = forged } },
            shard, "default", cancellationToken: Ct);
        k.Api.Faults.Reset();

        AssertError(await admin.CallAsync("ACL", "LOAD"),
            $"ERR Error loading ACLs from Kubernetes: the ACL snapshot of default/main kept changing while it was read (ConfigMap {shard} does not match the manifest); keeping the current ACL");
        Assert.Equal("1", s.Revision);
        AssertError(await alice.CallAsync("DEL", "app:k"), "NOPERM User alice has no permissions to run the 'del' command");
        AssertError(await alice.CallAsync("GET", "other"), NoPermKey);
        Assert.True((await s.ScrapeAsync())["aclop_acl_reloads_total{result=\"failed\"}"] >= 1);

        // The next complete publish is applied.
        Assert.Equal(3, await k.PublishAsync(KubernetesModeCluster.User("alice", "on", ">alicepw", "~app:*", "+get", "+set", "+del", "+exists"), Admin));
        await WaitForRevisionAsync(s, "3");
        AssertInteger(await alice.CallAsync("DEL", "app:k"), 0);
    }

    [Fact]
    public async Task Nothing_published_answers_LOADING_and_readyz_503_until_a_snapshot_arrives()
    {
        await using var k = await KubernetesModeCluster.StartAsync();
        await using var s = await k.StartServerAsync();
        using var c = await s.ConnectAsync();

        AssertError(await c.CallAsync("PING"), Loading);
        AssertError(await c.CallAsync("GET", "k"), Loading);
        AssertError(await c.CallAsync("ACL", "SETUSER", "x", "on", "nopass", "+@all"), "NOAUTH Authentication required.");
        // AUTH and HELLO run while Redis loads; with nothing loaded no user exists to authenticate as.
        AssertError(await c.CallAsync("AUTH", "alice", "alicepw"), WrongPass);
        AssertError(await c.CallAsync("HELLO", "3"), "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time");
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "ACL not loaded"), await s.GetAsync("readyz"));
        Assert.False((await s.ScrapeAsync()).ContainsKey("aclop_acl_snapshot_age_seconds"));
        Assert.Null(s.Revision);

        await k.PublishAsync(Alice);
        await WaitUntilAsync(async () => (await s.GetAsync("readyz")).Status == HttpStatusCode.OK);

        AssertError(await c.CallAsync("PING"), "NOAUTH Authentication required.");
        AssertSimple(await c.CallAsync("AUTH", "alice", "alicepw"), "OK");
        AssertSimple(await c.CallAsync("SET", "app:k", "v"), "OK");
        Assert.Equal("1", s.Revision);
    }

    [Fact]
    public async Task A_restart_with_the_API_failing_enforces_the_last_good_snapshot()
    {
        await using var k = await KubernetesModeCluster.StartAsync();
        await k.PublishAsync(Alice);
        string lastGood;
        await using (var first = await k.StartServerAsync("main-0"))
        {
            await WaitForRevisionAsync(first, "1");
            lastGood = first.LastGoodPath;
            await WaitUntilAsync(() => Task.FromResult(File.Exists(lastGood)));
        }

        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(lastGood));
        }

        Assert.DoesNotContain("alicepw", await File.ReadAllTextAsync(lastGood, Ct), StringComparison.Ordinal);

        k.Api.Faults.FailNext(int.MaxValue, 503);
        await using var s = await k.StartServerAsync("main-0");

        // Loaded at start, before the API was reached.
        Assert.Equal("1", s.Revision);
        Assert.Equal((HttpStatusCode.OK, "ok"), await s.GetAsync("readyz"));
        using var c = await s.ConnectAsAsync("alice", "alicepw");
        AssertSimple(await c.CallAsync("SET", "app:k", "v"), "OK");
        AssertError(await c.CallAsync("GET", "other"), NoPermKey);
        Assert.True((await s.ScrapeAsync())["aclop_acl_snapshot_age_seconds"] >= 0);

        // The API comes back with a new revision: it is followed again.
        k.Api.Faults.Reset();
        await k.PublishAsync(KubernetesModeCluster.User("alice", "on", ">alicepw", "~app:*", "+get"));
        await WaitForRevisionAsync(s, "2");
        AssertError(await c.CallAsync("SET", "app:k", "v"), "NOPERM User alice has no permissions to run the 'set' command");
    }

    [Fact]
    public async Task ACL_LOAD_with_the_API_failing_answers_the_cause_and_keeps_the_ACL()
    {
        await using var k = await KubernetesModeCluster.StartAsync();
        await k.PublishAsync(Alice, Admin);
        await using var s = await k.StartServerAsync();
        await WaitForRevisionAsync(s, "1");
        using var admin = await s.ConnectAsAsync("admin", "adminpw");

        k.Api.Faults.FailNext(int.MaxValue, 503, verb: "get");
        AssertError(await admin.CallAsync("ACL", "LOAD"),
            "ERR Error loading ACLs from Kubernetes: Kubernetes API error 503 ServiceUnavailable: the server is currently unable to handle the request");
        Assert.Equal("1", s.Revision);
        AssertSimple(await s.AuthAsync("alice", "alicepw"), "OK");

        k.Api.Faults.Reset();
        AssertSimple(await admin.CallAsync("ACL", "LOAD"), "OK");
        Assert.Equal("1", s.Revision);
    }

    [Fact]
    public async Task Watches_relist_after_410_Expired_and_still_deliver_new_revisions()
    {
        await using var k = await KubernetesModeCluster.StartAsync();
        await k.PublishAsync(Alice);
        await using var s = await k.StartServerAsync();
        await WaitForRevisionAsync(s, "1");
        await WaitUntilAsync(() => Task.FromResult(k.Api.OpenWatches >= 2));
        int lists = k.Api.Requests.Count(r => r.Verb == "list" && r.Resource == "configmaps" && !r.Query.Contains("watch=false", StringComparison.Ordinal));

        k.Api.Faults.ExpireNextWatches(2);
        Assert.Equal(2, k.Api.Faults.DropWatches());
        await k.PublishAsync(KubernetesModeCluster.User("alice", "on", ">alicepw", "~app:*", "+get"));

        // Sooner than the 30 s re-read: through the relisted watch.
        await WaitForRevisionAsync(s, "2");
        // The publisher's own fence (a typed LIST, which sends watch=false) is not the server's relist.
        var relists = k.Api.Requests.Where(r => r.Verb == "list" && r.Resource == "configmaps" && !r.Query.Contains("watch=false", StringComparison.Ordinal)).Skip(lists).ToList();
        Assert.NotEmpty(relists);
        Assert.All(relists, r => Assert.Equal("?fieldSelector=metadata.name%3Dmain-acl", r.Query));
        Assert.All(k.Api.Requests.Where(r => r.Verb == "watch"), r => Assert.Matches("&fieldSelector=metadata.name%3Dmain-acl(-runtime)?&resourceVersion=[0-9]+$", r.Query));
    }
}
