using System.Text.Json;
using AclOperator.Acl.Passwords;
using AclOperator.Api.Snapshots;
using Xunit;
using static AclOperator.Server.Tests.EndToEnd.E2E;

namespace AclOperator.Server.Tests.Kubernetes;

/// <summary>
/// Kubernetes mode, runtime users (O9): ACL SETUSER/DELUSER are written through to the one runtime Secret by
/// compare-and-swap before the reply, every replica follows it, managed users and <c>runtimeAcl: Deny</c> refuse them.
/// </summary>
public sealed class KubernetesRuntimeUserTests
{
    private const string ManagedAlice = "ERR User 'alice' is managed by a RedisAclUser and cannot be changed at runtime";

    private static readonly SnapshotUser Alice = KubernetesModeCluster.User("alice", "on", ">alicepw", "~app:*", "+get", "+set");
    private static readonly SnapshotUser Admin = KubernetesModeCluster.User("admin", "on", ">adminpw", "~*", "&*", "+@all");

    private static async Task<KubernetesModeServer> StartLoadedAsync(KubernetesModeCluster k, string pod = "main-0")
    {
        var s = await k.StartServerAsync(pod);
        await WaitUntilAsync(() => Task.FromResult(s.Revision == "1"));
        return s;
    }

    /// <summary>The rules of the one runtime user in a pod's last-good file, or null while there is none.</summary>
    private static async Task<string?> LastGoodRuntimeRulesAsync(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        using var doc = JsonDocument.Parse(await File.ReadAllBytesAsync(path, Ct));
        var users = doc.RootElement.GetProperty("runtimeUsers");
        return users.GetArrayLength() == 1 ? users[0].GetProperty("rules").GetString() : null;
    }

    [Fact]
    public async Task A_user_set_on_one_replica_authenticates_on_another_and_after_restarts()
    {
        await using var k = await KubernetesModeCluster.StartAsync();
        await k.PublishAsync(runtimeAcl: true, Alice, Admin);
        await using var b = await StartLoadedAsync(k, "main-1");
        var a = await StartLoadedAsync(k, "main-0");
        try
        {
            using (var admin = await a.ConnectAsAsync("admin", "adminpw"))
            {
                AssertSimple(await admin.CallAsync("ACL", "SETUSER", "bob", "on", ">bobpw", "~bob:*", "+get", "+set"), "OK");
                // Applied here before the reply, and stored in the one runtime Secret.
                AssertSimple(await a.AuthAsync("bob", "bobpw"), "OK");
                var stored = Assert.Single((await k.RuntimeUsersAsync()).Users);
                Assert.Equal("bob", stored.Name);
                Assert.Equal("on sanitize-payload ~bob:* resetchannels -@all +get +set", stored.Rules);
                Assert.Equal([PasswordHasher.Hash("bobpw"u8)], stored.Hashes);
                AssertSimple(await admin.CallAsync("ACL", "SAVE"), "OK");
            }

            // The other replica follows the Secret through its watch.
            await WaitUntilAsync(async () => !(await b.AuthAsync("bob", "bobpw")).IsError);
            using var bobOnB = await b.ConnectAsAsync("bob", "bobpw");
            AssertSimple(await bobOnB.CallAsync("SET", "bob:k", "v"), "OK");
            AssertError(await bobOnB.CallAsync("DEL", "bob:k"), "NOPERM User bob has no permissions to run the 'del' command");

            // SETUSER changes the user as stored: B adds +del to what A created.
            using (var adminB = await b.ConnectAsAsync("admin", "adminpw"))
            {
                AssertSimple(await adminB.CallAsync("ACL", "SETUSER", "bob", "+del"), "OK");
            }

            AssertInteger(await bobOnB.CallAsync("DEL", "bob:k"), 1);
            Assert.Equal("on sanitize-payload ~bob:* resetchannels -@all +get +set +del", Assert.Single((await k.RuntimeUsersAsync()).Users).Rules);
            await WaitUntilAsync(async () => await LastGoodRuntimeRulesAsync(a.LastGoodPath) == "on sanitize-payload ~bob:* resetchannels -@all +get +set +del");
        }
        finally
        {
            await a.DisposeAsync();
        }

        // Restarted with the API reachable, then with it failing (runtime users are part of last-good).
        await using (var again = await StartLoadedAsync(k, "main-0"))
        {
            AssertSimple(await again.AuthAsync("bob", "bobpw"), "OK");
        }

        k.Api.Faults.FailNext(int.MaxValue, 503);
        await using var offline = await k.StartServerAsync("main-0");
        Assert.Equal("1", offline.Revision);
        using var bob = await offline.ConnectAsAsync("bob", "bobpw");
        AssertInteger(await bob.CallAsync("DEL", "bob:nothing"), 0);
    }

    [Fact]
    public async Task DELUSER_on_one_replica_closes_the_users_connections_on_every_replica()
    {
        await using var k = await KubernetesModeCluster.StartAsync();
        await k.PublishAsync(runtimeAcl: true, Admin);
        await using var a = await StartLoadedAsync(k, "main-0");
        await using var b = await StartLoadedAsync(k, "main-1");
        using var adminA = await a.ConnectAsAsync("admin", "adminpw");
        AssertSimple(await adminA.CallAsync("ACL", "SETUSER", "bob", "on", ">bobpw", "~*", "+@all"), "OK");
        await WaitUntilAsync(async () => !(await b.AuthAsync("bob", "bobpw")).IsError);
        using var bobOnA = await a.ConnectAsAsync("bob", "bobpw");
        using var bobOnB = await b.ConnectAsAsync("bob", "bobpw");

        using (var adminB = await b.ConnectAsAsync("admin", "adminpw"))
        {
            AssertInteger(await adminB.CallAsync("ACL", "DELUSER", "bob", "nobody"), 1);
        }

        await AssertClosedAsync(bobOnB);
        await AssertClosedAsync(bobOnA);
        AssertError(await a.AuthAsync("bob", "bobpw"), WrongPass);
        Assert.Empty((await k.RuntimeUsersAsync()).Users);
        AssertInteger(await adminA.CallAsync("ACL", "DELUSER", "bob"), 0);
    }

    [Fact]
    public async Task Managed_users_cannot_be_changed_or_deleted_at_runtime()
    {
        await using var k = await KubernetesModeCluster.StartAsync();
        await k.PublishAsync(runtimeAcl: true, Alice, Admin);
        await using var s = await StartLoadedAsync(k);
        using var admin = await s.ConnectAsAsync("admin", "adminpw");

        AssertError(await admin.CallAsync("ACL", "SETUSER", "alice", "+@all"), ManagedAlice);
        AssertError(await admin.CallAsync("ACL", "DELUSER", "bob", "alice"), ManagedAlice);
        AssertError(await admin.CallAsync("ACL", "SETUSER", "admin", "nopass"), "ERR User 'admin' is managed by a RedisAclUser and cannot be changed at runtime");
        AssertError(await admin.CallAsync("ACL", "SETUSER", "default", "on", "nopass"), "ERR User 'default' is managed by the RedisAclServer (spec.defaultUser) and cannot be changed at runtime");
        AssertError(await admin.CallAsync("ACL", "DELUSER", "default"), "ERR The 'default' user cannot be removed");
        AssertError(await admin.CallAsync("CONFIG", "SET", "requirepass", "x"),
            "ERR CONFIG SET failed (possibly related to argument 'requirepass') - requirepass cannot be set in Kubernetes mode: the default user is managed by the RedisAclServer (spec.defaultUser)");

        Assert.Empty((await k.RuntimeUsersAsync()).Users);
        using var alice = await s.ConnectAsAsync("alice", "alicepw");
        AssertError(await alice.CallAsync("GET", "other"), NoPermKey);
        AssertError(await s.AuthAsync("default", ""), WrongPass);
    }

    [Fact]
    public async Task RuntimeAcl_Deny_refuses_SETUSER_and_DELUSER_while_SAVE_and_LOAD_succeed()
    {
        await using var k = await KubernetesModeCluster.StartAsync();
        await k.PublishAsync(runtimeAcl: false, Admin);
        await using var s = await StartLoadedAsync(k);
        using var admin = await s.ConnectAsAsync("admin", "adminpw");

        AssertError(await admin.CallAsync("ACL", "SETUSER", "bob", "on", ">bobpw"),
            "ERR ACL SETUSER is disabled on this server: users are managed by RedisAclUser objects (spec.runtimeAcl: Deny)");
        AssertError(await admin.CallAsync("ACL", "DELUSER", "bob"),
            "ERR ACL DELUSER is disabled on this server: users are managed by RedisAclUser objects (spec.runtimeAcl: Deny)");
        AssertSimple(await admin.CallAsync("ACL", "SAVE"), "OK");
        AssertSimple(await admin.CallAsync("ACL", "LOAD"), "OK");
        Assert.True((await admin.CallAsync("ACL", "GETUSER", "bob")).IsNull);
        Assert.Empty((await k.RuntimeUsersAsync()).Users);
    }

    [Fact]
    public async Task An_API_failure_answers_the_cause_and_changes_nothing()
    {
        await using var k = await KubernetesModeCluster.StartAsync();
        await k.PublishAsync(runtimeAcl: true, Admin);
        await using var s = await StartLoadedAsync(k);
        using var admin = await s.ConnectAsAsync("admin", "adminpw");

        k.Api.Faults.FailNext(int.MaxValue, 503, verb: "get", resource: "secrets");
        AssertError(await admin.CallAsync("ACL", "SETUSER", "bob", "on", ">bobpw", "+@all"),
            "ERR Could not save runtime users to Secret default/main-acl-runtime, nothing was changed: Kubernetes API error 503 ServiceUnavailable: the server is currently unable to handle the request");
        Assert.True((await admin.CallAsync("ACL", "GETUSER", "bob")).IsNull);
        AssertError(await s.AuthAsync("bob", "bobpw"), WrongPass);

        k.Api.Faults.Reset();
        k.Api.Faults.FailNext(int.MaxValue, 500, verb: "update", resource: "secrets");
        AssertError(await admin.CallAsync("ACL", "SETUSER", "bob", "on", ">bobpw", "+@all"),
            "ERR Could not save runtime users to Secret default/main-acl-runtime, nothing was changed: Kubernetes API error 500 InternalError: Internal error occurred: injected fault");
        Assert.True((await admin.CallAsync("ACL", "GETUSER", "bob")).IsNull);
        k.Api.Faults.Reset();
        Assert.Empty((await k.RuntimeUsersAsync()).Users);

        // Rules Redis refuses are refused with its text before anything is written.
        AssertError(await admin.CallAsync("ACL", "SETUSER", "bob", "on", "+@nosuch"), "ERR Error in ACL SETUSER modifier '+@nosuch': Unknown command or category name in ACL");
        Assert.Empty((await k.RuntimeUsersAsync()).Users);
    }

    [Fact]
    public async Task A_conflicting_write_is_retried_on_a_fresh_read()
    {
        await using var k = await KubernetesModeCluster.StartAsync();
        await k.PublishAsync(runtimeAcl: true, Admin);
        await using var s = await StartLoadedAsync(k);
        using var admin = await s.ConnectAsAsync("admin", "adminpw");
        int before = k.Api.Requests.Count;

        k.Api.Faults.FailNext(1, 409, verb: "update", resource: "secrets");
        AssertSimple(await admin.CallAsync("ACL", "SETUSER", "bob", "on", ">bobpw", "~*", "+get"), "OK");

        var writes = k.Api.Requests.Skip(before).Where(r => r.Resource == "secrets" && r.Name == "main-acl-runtime" && r.Verb is "get" or "update").Select(r => (r.Verb, r.Name, r.StatusCode)).ToList();
        // The server's own re-reads of the Secret may come first: the write starts at the refused update.
        int conflict = writes.IndexOf(("update", "main-acl-runtime", 409));
        Assert.True(conflict >= 1, $"no refused update after a read: {string.Join(", ", writes)}");
        Assert.Equal(
            [("get", "main-acl-runtime", 200), ("update", "main-acl-runtime", 409), ("get", "main-acl-runtime", 200), ("update", "main-acl-runtime", 200)],
            writes.Skip(conflict - 1).Take(4).ToList());
        Assert.Equal("bob", Assert.Single((await k.RuntimeUsersAsync()).Users).Name);
        AssertSimple(await s.AuthAsync("bob", "bobpw"), "OK");
    }

    [Fact]
    public async Task A_runtime_user_with_a_tenant_prefix_stays_within_that_tenants_ceiling_and_floor_O2()
    {
        await using var k = await KubernetesModeCluster.StartAsync();
        TenantCeiling[] tenants = [new() { Namespace = "team-a", Prefix = "teama_", Ceiling = ["+@read", "+@write", "~app:*"] }];
        await k.PublishAsync(runtimeAcl: true, tenants, Admin);
        await using var s = await StartLoadedAsync(k);
        using var admin = await s.ConnectAsAsync("admin", "adminpw");

        // Within the ceiling: stored and enforced like any runtime user.
        AssertSimple(await admin.CallAsync("ACL", "SETUSER", "teama_reader", "on", ">readerpw", "~app:*", "+get", "+set"), "OK");
        AssertSimple(await s.AuthAsync("teama_reader", "readerpw"), "OK");

        // Beyond it: refused with the offending rule, nothing stored or applied.
        AssertError(await admin.CallAsync("ACL", "SETUSER", "teama_admin", "on", ">adminpw2", "~*", "+get"),
            "ERR User 'teama_admin' has the username prefix 'teama_' of tenant namespace team-a and exceeds its ceiling: selector 0 allows '~*' (allkeys), which the ceiling denies");
        // The tenant floor holds even where the ceiling's text allows (+@read includes KEYS).
        var floor = await admin.CallAsync("ACL", "SETUSER", "teama_keys", "on", ">keyspw", "~app:*", "+keys");
        Assert.True(floor.IsError);
        Assert.StartsWith("ERR User 'teama_keys' has the username prefix 'teama_' of tenant namespace team-a and exceeds its ceiling: selector 0 allows '+keys'", floor.Text, StringComparison.Ordinal);
        // Changing a stored tenant user beyond the ceiling is refused the same way and keeps the stored user.
        Assert.True((await admin.CallAsync("ACL", "SETUSER", "teama_reader", "+flushall")).IsError);
        Assert.Equal(["teama_reader"], (await k.RuntimeUsersAsync()).Users.Select(u => u.Name));
        Assert.DoesNotContain("flushall", (await k.RuntimeUsersAsync()).Users[0].Rules, StringComparison.Ordinal);

        // Names without a tenant prefix belong to the server's own namespace: no ceiling.
        AssertSimple(await admin.CallAsync("ACL", "SETUSER", "ops", "on", ">opspw", "~*", "+@all"), "OK");
    }
}
