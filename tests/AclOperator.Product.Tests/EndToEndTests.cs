using AclOperator.Acl.Tests.Infrastructure;
using AclOperator.Api.Snapshots;
using AclOperator.Api.V1Alpha1;
using AclOperator.Product.Tests.Support;
using k8s;
using k8s.Models;

namespace AclOperator.Product.Tests;

/// <summary>
/// Issue 7's acceptance, end to end: the real operator reconciles CRs in the fake API server, and real aclop-servers
/// (one per Running pod) enforce what it publishes, to real RESP clients. Every wait polls the API or a client.
/// </summary>
public sealed class EndToEndTests
{
    private const string AlicePassword = "alice-password-0123456789";
    private const string BobPassword = "bob-password-0123456789ab";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static RedisAclServer Server(string name = "main", string ns = "default", int replicas = 1, string? runtimeAcl = null, params UserNamespaceSpec[] tenants) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new RedisAclServerSpec
        {
            Replicas = replicas,
            Backend = replicas > 1
                ? new BackendSpec { Type = "upstream", Upstream = new UpstreamBackendSpec { Host = "redis.example", Port = 6379 } }
                : new BackendSpec { Type = "embedded" },
            RuntimeAcl = runtimeAcl,
            UserNamespaces = tenants.Length == 0 ? null : tenants,
        },
    };

    internal static RedisAclUser User(string name, string ns = "default", string server = "main", string[]? rules = null, string[]? passwordSecrets = null, string? serverNs = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
        Spec = new RedisAclUserSpec
        {
            ServerRef = new ServerRef { Name = server, Namespace = serverNs },
            Rules = rules ?? ["~app:*", "+@read"],
            Passwords = (passwordSecrets ?? []).Select(s => new PasswordSource { SecretKeyRef = new SecretKeyRef { Name = s, Key = "password" } }).ToList(),
        },
    };

    internal static async Task<RedisAclUser> WaitForUserAsync(ProductCluster cluster, string ns, string name, Func<RedisAclUser, bool> condition, string what)
    {
        RedisAclUser? last = null;
        try
        {
            return await Eventually.ValueAsync(async () =>
            {
                last = await cluster.GetAsync<RedisAclUser>(ns, name);
                return condition(last) ? last : null;
            }, $"RedisAclUser {ns}/{name}: {what}");
        }
        catch (TimeoutException e)
        {
            var leases = await cluster.Client.CoordinationV1.ListNamespacedLeaseAsync(ns, cancellationToken: Ct);
            throw new TimeoutException(e.Message + "; last status: " + (last?.Status is null ? "none" : KubernetesJson.Serialize(last.Status)) +
                "; pods: " + string.Join(",", cluster.Pods.Keys) + "; leases: " + string.Join(",", leases.Items.Select(l => l.Metadata.Name + "=" + (l.Metadata.Annotations is { } a && a.TryGetValue(SnapshotNames.EnforcedRevisionAnnotation, out var r) ? r : "-"))) +
                "; log: " + string.Join(" | ", cluster.Log.Lines.Where(l => !l.StartsWith("Debug", StringComparison.Ordinal)).TakeLast(15)), e);
        }
    }

    internal static bool Condition(IList<V1Condition>? conditions, string type, string status) =>
        conditions?.Any(c => c.Type == type && c.Status == status) == true;

    internal static async Task<string> CallAsync(RespClient client, params string[] argv)
    {
        var reply = await client.CallAsync(argv);
        return reply.IsError ? "-" + reply.Text : reply.IsNull ? "(nil)" : reply.Type == RespReplyType.Integer ? reply.Integer.ToString(System.Globalization.CultureInfo.InvariantCulture) : reply.Text ?? "";
    }

    [Fact]
    public async Task AppliedUserAuthenticatesAndItsRulesHold_EditsAreEnforcedWithoutRestart_DeletionClosesConnections()
    {
        await using var cluster = await ProductCluster.StartAsync();
        await cluster.CreateSecretAsync("default", "alice-pw", new Dictionary<string, string> { ["password"] = AlicePassword });
        await cluster.CreateAsync(Server());
        await cluster.CreateAsync(User("alice", passwordSecrets: ["alice-pw"]));

        var ready = await WaitForUserAsync(cluster, "default", "alice", u => Condition(u.Status?.Conditions, "Ready", "True"), "Ready=True");
        Assert.Equal("alice", ready.Status!.Username);
        Assert.Equal("on sanitize-payload ~app:* resetchannels -@all +@read", ready.Status.CanonicalRules);
        Assert.Equal(1, ready.Status.PasswordCount);
        Assert.True(Condition(ready.Status.Conditions, "Valid", "True"));
        Assert.True(Condition(ready.Status.Conditions, "Enforced", "True"));

        await using var client = await cluster.ConnectAsync("default/main-0");
        Assert.Equal("OK", await CallAsync(client, "AUTH", "alice", AlicePassword));
        Assert.Equal("(nil)", await CallAsync(client, "GET", "app:1"));
        Assert.Equal("-NOPERM User alice has no permissions to run the 'set' command", await CallAsync(client, "SET", "app:1", "x"));
        Assert.Equal("-NOPERM No permissions to access a key", await CallAsync(client, "GET", "other:1"));

        // Edit: +@write is enforced on the live connection, no restart.
        await cluster.UpdateAsync<RedisAclUser>("default", "alice", u => u.Spec.Rules = ["~app:*", "+@read", "+@write"]);
        await Eventually.TrueAsync(async () => await CallAsync(client, "SET", "app:1", "x") == "OK", "SET allowed after the edit");
        await WaitForUserAsync(cluster, "default", "alice", u => u.Status?.ObservedGeneration == u.Metadata.Generation && Condition(u.Status?.Conditions, "Ready", "True"), "Ready for generation 2");

        // Delete: the user is gone and its connections are closed (O10, O15).
        await cluster.DeleteAsync<RedisAclUser>("default", "alice");
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                await client.CallAsync("PING");
                return false;
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or RespErrorException or EndOfStreamException or InvalidOperationException)
            {
                return true;
            }
        }, "alice's connection closed");
        await using var again = await cluster.ConnectAsync("default/main-0");
        Assert.Equal("-WRONGPASS invalid username-password pair or user is disabled.", await CallAsync(again, "AUTH", "alice", AlicePassword));
    }

    [Fact]
    public async Task BadRulesAreInvalidWithTheExactRedisError_AndThePreviousEntryStaysEnforced()
    {
        await using var cluster = await ProductCluster.StartAsync();
        await cluster.CreateSecretAsync("default", "alice-pw", new Dictionary<string, string> { ["password"] = AlicePassword });
        await cluster.CreateAsync(Server());
        await cluster.CreateAsync(User("alice", passwordSecrets: ["alice-pw"]));
        await WaitForUserAsync(cluster, "default", "alice", u => Condition(u.Status?.Conditions, "Ready", "True"), "Ready=True");

        await cluster.UpdateAsync<RedisAclUser>("default", "alice", u => u.Spec.Rules = ["~app:*", "+@read", "+@nosuchcategory"]);
        var invalid = await WaitForUserAsync(cluster, "default", "alice", u => Condition(u.Status?.Conditions, "Valid", "False"), "Valid=False");
        var valid = invalid.Status!.Conditions!.Single(c => c.Type == "Valid");
        Assert.Equal("InvalidRules", valid.Reason);
        Assert.Equal("spec.rules[2]: Error in ACL SETUSER modifier '+@nosuchcategory': Unknown command or category name in ACL", valid.Message);
        Assert.True(Condition(invalid.Status.Conditions, "Ready", "False"));
        Assert.True(Condition(invalid.Status.Conditions, "Stalled", "True"));

        // O8: an invalid edit keeps the user's last published entry.
        await using var client = await cluster.ConnectAsync("default/main-0");
        Assert.Equal("OK", await CallAsync(client, "AUTH", "alice", AlicePassword));
        Assert.Equal("(nil)", await CallAsync(client, "GET", "app:1"));
        var events = await cluster.Client.CoreV1.ListNamespacedEventAsync("default", cancellationToken: Ct);
        Assert.Contains(events.Items, e => e.InvolvedObject.Name == "alice" && e.Reason == "InvalidRules" && e.Type == "Warning");
    }

    [Fact]
    public async Task PasswordRotationWithTwoSecretsNeverFailsAuth_AndASecretValueChangeIsReHashed()
    {
        await using var cluster = await ProductCluster.StartAsync();
        await cluster.CreateSecretAsync("default", "pw-old", new Dictionary<string, string> { ["password"] = AlicePassword });
        await cluster.CreateSecretAsync("default", "pw-new", new Dictionary<string, string> { ["password"] = BobPassword });
        await cluster.CreateAsync(Server());
        await cluster.CreateAsync(User("alice", passwordSecrets: ["pw-old"]));
        await WaitForUserAsync(cluster, "default", "alice", u => Condition(u.Status?.Conditions, "Ready", "True"), "Ready=True");
        await using var client = await cluster.ConnectAsync("default/main-0");

        // Step 1: add the new Secret; the old password keeps working at every moment.
        await cluster.UpdateAsync<RedisAclUser>("default", "alice", u => u.Spec.Passwords = [Ref("pw-old"), Ref("pw-new")]);
        await Eventually.TrueAsync(async () =>
        {
            Assert.Equal("OK", await CallAsync(client, "AUTH", "alice", AlicePassword));
            return await CallAsync(client, "AUTH", "alice", BobPassword) == "OK";
        }, "the new password authenticates");
        await WaitForUserAsync(cluster, "default", "alice", u => u.Status?.PasswordCount == 2 && Condition(u.Status.Conditions, "Ready", "True"), "two passwords enforced");

        // Step 2: clients moved; remove the old one. The new password never fails in between.
        await cluster.UpdateAsync<RedisAclUser>("default", "alice", u => u.Spec.Passwords = [Ref("pw-new")]);
        // O15: taking a password away closes alice's sessions, so each probe uses a fresh connection.
        await Eventually.TrueAsync(async () =>
        {
            await using var probe = await cluster.ConnectAsync("default/main-0");
            Assert.Equal("OK", await CallAsync(probe, "AUTH", "alice", BobPassword));
            return await CallAsync(probe, "AUTH", "alice", AlicePassword) != "OK";
        }, "the old password is refused");

        // A changed Secret value is picked up through the metadata informer and re-hashed.
        const string rotated = "rotated-password-0123456789";
        await cluster.Client.CoreV1.ReplaceNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "pw-new", NamespaceProperty = "default" },
            Data = new Dictionary<string, byte[]> { ["password"] = System.Text.Encoding.UTF8.GetBytes(rotated) },
        }, "pw-new", "default", cancellationToken: Ct);
        await Eventually.TrueAsync(async () =>
        {
            await using var probe = await cluster.ConnectAsync("default/main-0");
            return await CallAsync(probe, "AUTH", "alice", rotated) == "OK";
        }, "the new Secret value authenticates");
        await using var last = await cluster.ConnectAsync("default/main-0");
        Assert.Equal("-WRONGPASS invalid username-password pair or user is disabled.", await CallAsync(last, "AUTH", "alice", BobPassword));

        static PasswordSource Ref(string secret) => new() { SecretKeyRef = new SecretKeyRef { Name = secret, Key = "password" } };
    }

    [Fact]
    public async Task GeneratedPasswordGoesToAConnectionSecret_AndNoCleartextPasswordAppearsInAnyObjectEventOrLog()
    {
        await using var cluster = await ProductCluster.StartAsync();
        await cluster.CreateSecretAsync("default", "alice-pw", new Dictionary<string, string> { ["password"] = AlicePassword });
        await cluster.CreateAsync(Server());
        await cluster.CreateAsync(User("alice", passwordSecrets: ["alice-pw"]));
        var gen = User("gen", rules: ["~gen:*", "+@all"]);
        gen.Spec.GeneratePassword = true;
        await cluster.CreateAsync(gen);
        await WaitForUserAsync(cluster, "default", "gen", u => Condition(u.Status?.Conditions, "Ready", "True"), "Ready=True");

        var secret = await cluster.Client.CoreV1.ReadNamespacedSecretAsync("gen-redis-credentials", "default", cancellationToken: Ct);
        string Field(string key) => System.Text.Encoding.UTF8.GetString(secret.Data[key]);
        Assert.Equal("gen", Field("username"));
        Assert.Equal(64, Field("password").Length);
        Assert.Equal("main.default.svc", Field("host"));
        Assert.Equal("6379", Field("port"));
        Assert.Equal($"redis://gen:{Field("password")}@main.default.svc:6379", Field("url"));
        Assert.Contains(secret.Metadata.OwnerReferences, o => o.Kind == "RedisAclUser" && o.Name == "gen");

        await using var client = await cluster.ConnectAsync("default/main-0");
        Assert.Equal("OK", await CallAsync(client, "AUTH", "gen", Field("password")));
        Assert.Equal("OK", await CallAsync(client, "SET", "gen:1", "v"));

        // O4: no cleartext password in any ConfigMap, status, event or log line; no hash in a ConfigMap.
        var passwords = new[] { AlicePassword, Field("password") };
        var hashes = passwords.Select(p => AclOperator.Acl.Passwords.PasswordHasher.Hash(System.Text.Encoding.UTF8.GetBytes(p))).ToArray();
        using var http = new HttpClient { BaseAddress = cluster.Server.BaseAddress };
        foreach (var path in new[] { "/api/v1/configmaps", "/api/v1/events", "/apis/aclop.dev/v1alpha1/redisaclusers", "/apis/aclop.dev/v1alpha1/redisaclservers", "/apis/coordination.k8s.io/v1/leases", "/apis/apps/v1/statefulsets" })
        {
            var body = await http.GetStringAsync(path, Ct);
            foreach (var p in passwords.Concat(hashes))
            {
                Assert.DoesNotContain(p, body, StringComparison.Ordinal);
            }
        }

        var secrets = await cluster.Client.CoreV1.ListSecretForAllNamespacesAsync(cancellationToken: Ct);
        foreach (var s in secrets.Items.Where(s => s.Metadata.Name is not "alice-pw" and not "gen-redis-credentials"))
        {
            foreach (var v in (s.Data ?? new Dictionary<string, byte[]>()).Values)
            {
                var text = System.Text.Encoding.Latin1.GetString(v);
                Assert.DoesNotContain(AlicePassword, text, StringComparison.Ordinal);
                Assert.DoesNotContain(Field("password"), text, StringComparison.Ordinal);
            }
        }

        foreach (var line in cluster.Log.Lines)
        {
            foreach (var p in passwords.Concat(hashes))
            {
                Assert.DoesNotContain(p, line, StringComparison.Ordinal);
            }
        }
    }
}
