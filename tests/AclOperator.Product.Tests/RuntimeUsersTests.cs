using AclOperator.Api.Snapshots;
using AclOperator.Api.V1Alpha1;
using AclOperator.Product.Tests.Support;
using k8s;
using static AclOperator.Product.Tests.EndToEndTests;

namespace AclOperator.Product.Tests;

/// <summary>
/// O9 end to end on three replicas: ACL SETUSER/DELUSER of runtime users are written through to the
/// <c>&lt;server&gt;-acl-runtime</c> Secret before the reply, so every replica converges on them, a restarted pod still
/// has them, and managed users stay read-only at runtime (a managed user also beats a runtime user of the same name, O1).
/// </summary>
public sealed class RuntimeUsersTests
{
    private const string AdminPassword = "admin-password-0123456789";
    private const string RuntimePassword = "runtime-password-012345678";
    private const string SharedPassword = "shared-managed-password-0123";
    private const string WrongPass = "-WRONGPASS invalid username-password pair or user is disabled.";
    private static readonly string[] Pods = ["default/main-0", "default/main-1", "default/main-2"];

    [Fact]
    public async Task RuntimeUserSetOnOnePodAuthenticatesOnEveryPod_SurvivesARestart_ManagedUsersAreReadOnly_DelUserRemovesItEverywhere()
    {
        await using var cluster = await ProductCluster.StartAsync();
        await cluster.CreateSecretAsync("default", "admin-pw", new Dictionary<string, string> { ["password"] = AdminPassword });
        await cluster.CreateSecretAsync("default", "shared-pw", new Dictionary<string, string> { ["password"] = SharedPassword });
        await cluster.CreateAsync(EndToEndTests.Server(replicas: 3, runtimeAcl: "Allow"));
        await cluster.CreateAsync(User("admin", rules: ["~*", "&*", "+@all"], passwordSecrets: ["admin-pw"]));
        await WaitForUserAsync(cluster, "default", "admin", u => Condition(u.Status?.Conditions, ConditionTypes.Ready, "True"), "Ready=True");
        await Eventually.TrueAsync(async () =>
        {
            var s = await cluster.GetAsync<RedisAclServer>("default", "main");
            return s.Status?.EnforcedReplicas == 3 && Condition(s.Status.Conditions, ConditionTypes.Ready, "True");
        }, "every replica enforces the server's revision");

        await using var pod0 = await AdminAsync(cluster, "default/main-0");
        Assert.Equal("OK", await CallAsync(pod0, "ACL", "SETUSER", "rt", "on", ">" + RuntimePassword, "~rt:*", "+get"));

        // Written through before the reply: the runtime Secret already holds the user (rules and a hash, no cleartext).
        var runtime = await cluster.Client.CoreV1.ReadNamespacedSecretAsync(SnapshotNames.RuntimeSecret("main"), "default", cancellationToken: TestContext.Current.CancellationToken);
        var stored = SnapshotCodec.DecodeRuntimeUsers(runtime.Data[SnapshotNames.RuntimeUsersKey]);
        var rt = Assert.Single(stored.Users);
        Assert.Equal("rt", rt.Name);
        Assert.Equal("on sanitize-payload ~rt:* resetchannels -@all +get", rt.Rules);
        Assert.Equal([AclOperator.Acl.Passwords.PasswordHasher.Hash(System.Text.Encoding.UTF8.GetBytes(RuntimePassword))], rt.Hashes);
        Assert.DoesNotContain(RuntimePassword, System.Text.Encoding.Latin1.GetString(runtime.Data[SnapshotNames.RuntimeUsersKey]), StringComparison.Ordinal);
        Assert.Equal("OK", await CallAsync(pod0, "ACL", "SAVE"));

        foreach (var pod in Pods)
        {
            await Eventually.TrueAsync(async () =>
            {
                await using var probe = await cluster.ConnectAsync(pod);
                return await CallAsync(probe, "AUTH", "rt", RuntimePassword) == "OK";
            }, $"rt authenticates on {pod}");
        }

        await using (var probe = await cluster.ConnectAsync("default/main-1"))
        {
            Assert.Equal("OK", await CallAsync(probe, "AUTH", "rt", RuntimePassword));
            Assert.Equal("(nil)", await CallAsync(probe, "GET", "rt:1"));
            Assert.Equal("-NOPERM User rt has no permissions to run the 'set' command", await CallAsync(probe, "SET", "rt:1", "x"));
        }

        // A restarted pod still has the runtime user (last-good, then the Secret).
        await cluster.RestartPodServerAsync("default/main-2");
        await Eventually.TrueAsync(async () =>
        {
            await using var probe = await cluster.ConnectAsync("default/main-2");
            return await CallAsync(probe, "AUTH", "rt", RuntimePassword) == "OK";
        }, "rt authenticates on the restarted main-2");

        // Managed users (and the default user) cannot be changed at runtime; the error names no namespace.
        Assert.Equal("-ERR User 'admin' is managed by a RedisAclUser and cannot be changed at runtime", await CallAsync(pod0, "ACL", "SETUSER", "admin", "nopass"));
        Assert.Equal("-ERR User 'admin' is managed by a RedisAclUser and cannot be changed at runtime", await CallAsync(pod0, "ACL", "DELUSER", "admin"));
        Assert.Equal("-ERR User 'default' is managed by the RedisAclServer (spec.defaultUser) and cannot be changed at runtime", await CallAsync(pod0, "ACL", "SETUSER", "default", "on", "nopass"));

        // DELUSER through another pod removes the user everywhere, and closes its sessions.
        await using var rtSession = await cluster.ConnectAsync("default/main-2");
        Assert.Equal("OK", await CallAsync(rtSession, "AUTH", "rt", RuntimePassword));
        await using (var pod1 = await AdminAsync(cluster, "default/main-1"))
        {
            Assert.Equal("1", await CallAsync(pod1, "ACL", "DELUSER", "rt"));
        }

        foreach (var pod in Pods)
        {
            await Eventually.TrueAsync(async () =>
            {
                await using var probe = await cluster.ConnectAsync(pod);
                return await CallAsync(probe, "AUTH", "rt", RuntimePassword) == WrongPass;
            }, $"rt is gone from {pod}");
        }

        await Eventually.TrueAsync(async () =>
        {
            try
            {
                await rtSession.CallAsync("PING");
                return false;
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or EndOfStreamException)
            {
                return true;
            }
        }, "rt's session on main-2 closed");
        runtime = await cluster.Client.CoreV1.ReadNamespacedSecretAsync(SnapshotNames.RuntimeSecret("main"), "default", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Empty(SnapshotCodec.DecodeRuntimeUsers(runtime.Data[SnapshotNames.RuntimeUsersKey]).Users);

        // O1: a managed user beats a runtime user of the same name, on every pod.
        Assert.Equal("OK", await CallAsync(pod0, "ACL", "SETUSER", "shared", "on", ">" + RuntimePassword, "~*", "+@all"));
        await cluster.CreateAsync(User("shared", rules: ["~shared:*", "+get"], passwordSecrets: ["shared-pw"]));
        await WaitForUserAsync(cluster, "default", "shared", u => Condition(u.Status?.Conditions, ConditionTypes.Ready, "True"), "Ready=True");
        foreach (var pod in Pods)
        {
            await Eventually.TrueAsync(async () =>
            {
                await using var probe = await cluster.ConnectAsync(pod);
                return await CallAsync(probe, "AUTH", "shared", SharedPassword) == "OK" &&
                    await CallAsync(probe, "AUTH", "shared", RuntimePassword) == WrongPass;
            }, $"the managed 'shared' wins on {pod}");
        }

        Assert.Equal("-ERR User 'shared' is managed by a RedisAclUser and cannot be changed at runtime", await CallAsync(pod0, "ACL", "SETUSER", "shared", "+@all"));
    }

    private static async Task<Acl.Tests.Infrastructure.RespClient> AdminAsync(ProductCluster cluster, string pod)
    {
        var client = await cluster.ConnectAsync(pod);
        await Eventually.TrueAsync(async () => await CallAsync(client, "AUTH", "admin", AdminPassword) == "OK", $"admin authenticates on {pod}");
        return client;
    }
}
