using AclOperator.Api.Compilation;
using AclOperator.Api.V1Alpha1;
using AclOperator.Product.Tests.Support;
using k8s.Models;
using static AclOperator.Product.Tests.EndToEndTests;

namespace AclOperator.Product.Tests;

/// <summary>
/// O1 end to end: a Redis username claimed by two RedisAclUsers on one server goes to the older object
/// (creationTimestamp, then UID); the other gets <c>Valid=False, UsernameConflict</c> and no effect — only the owner's
/// password authenticates. <c>default</c> and the <c>_aclop</c> prefix are reserved.
/// </summary>
public sealed class UsernameCollisionTests
{
    private const string OwnerPassword = "owner-password-0123456789";
    private const string ClaimantPassword = "claimant-password-0123456";
    private const string WrongPass = "-WRONGPASS invalid username-password pair or user is disabled.";

    [Fact]
    public async Task TheOlderObjectKeepsAUsername_TheNewcomerGetsUsernameConflictAndNoEffect_ReservedNamesAreRefused()
    {
        await using var cluster = await ProductCluster.StartAsync();
        foreach (var ns in new[] { "default", "team-a" })
        {
            await cluster.CreateSecretAsync(ns, "owner-pw", new Dictionary<string, string> { ["password"] = OwnerPassword });
            await cluster.CreateSecretAsync(ns, "claimant-pw", new Dictionary<string, string> { ["password"] = ClaimantPassword });
        }

        // team-a is admitted with the default prefix 'team-a.'; the server's own namespace is unprefixed, so a user
        // there can ask for a tenant's name.
        await cluster.CreateAsync(EndToEndTests.Server(tenants: new UserNamespaceSpec { Namespace = "team-a" }));
        var alice = await cluster.CreateAsync(User("alice", passwordSecrets: ["owner-pw"]));
        var bob = await cluster.CreateAsync(User("bob", ns: "team-a", serverNs: "default", rules: ["~app:*", "+get"], passwordSecrets: ["owner-pw"]));
        await WaitForUserAsync(cluster, "default", "alice", u => Condition(u.Status?.Conditions, ConditionTypes.Ready, "True"), "Ready=True");
        var bobReady = await WaitForUserAsync(cluster, "team-a", "bob", u => Condition(u.Status?.Conditions, ConditionTypes.Ready, "True"), "Ready=True");
        Assert.Equal("team-a.bob", bobReady.Status!.Username);

        // creationTimestamp has one-second resolution; the claimants must be strictly younger for the order to be
        // decided by age rather than by UID.
        await WaitUntilLaterSecondAsync(alice.Metadata, bob.Metadata);
        var copy = User("alice-copy", passwordSecrets: ["claimant-pw"]);
        copy.Spec.Username = "alice";
        await cluster.CreateAsync(copy);
        var impostor = User("impostor", passwordSecrets: ["claimant-pw"]);
        impostor.Spec.Username = "team-a.bob";
        await cluster.CreateAsync(impostor);

        // Same namespace: the message names the owner; across namespaces it does not (another tenant's, O1).
        await AssertInvalidAsync(cluster, "default", "alice-copy", DiagnosticReasons.UsernameConflict,
            "spec.username: username 'alice' is already claimed by RedisAclUser 'alice' (the older object keeps a username)");
        await AssertInvalidAsync(cluster, "default", "impostor", DiagnosticReasons.UsernameConflict,
            "spec.username: username 'team-a.bob' is already claimed by a RedisAclUser in another namespace (the older object keeps a username)");

        await using (var probe = await cluster.ConnectAsync("default/main-0"))
        {
            Assert.Equal(WrongPass, await CallAsync(probe, "AUTH", "alice", ClaimantPassword));
            Assert.Equal(WrongPass, await CallAsync(probe, "AUTH", "team-a.bob", ClaimantPassword));
            Assert.Equal("OK", await CallAsync(probe, "AUTH", "alice", OwnerPassword));
            Assert.Equal("OK", await CallAsync(probe, "AUTH", "team-a.bob", OwnerPassword));
        }

        // Reserved names (the real API server's CEL rejects them at admission; the fake does not evaluate CEL, so this
        // is the compiler's own check, which also covers names formed with a tenant prefix).
        var root = User("root", passwordSecrets: ["claimant-pw"]);
        root.Spec.Username = "default";
        await cluster.CreateAsync(root);
        var op = User("op", passwordSecrets: ["claimant-pw"]);
        op.Spec.Username = "_aclop.admin";
        await cluster.CreateAsync(op);
        await AssertInvalidAsync(cluster, "default", "root", DiagnosticReasons.ReservedName,
            "spec.username: the username 'default' is reserved: the default user is configured on the RedisAclServer (spec.defaultUser)");
        await AssertInvalidAsync(cluster, "default", "op", DiagnosticReasons.ReservedName,
            "spec.username: the username '_aclop.admin' is reserved: names starting with _aclop belong to the operator");
        await using (var probe = await cluster.ConnectAsync("default/main-0"))
        {
            Assert.Equal(WrongPass, await CallAsync(probe, "AUTH", "default", ClaimantPassword));
            Assert.Equal(WrongPass, await CallAsync(probe, "AUTH", "_aclop.admin", ClaimantPassword));
        }

        // Once the owner is gone the name has one claimant left, which now gets it.
        await cluster.DeleteAsync<RedisAclUser>("default", "alice");
        await WaitForUserAsync(cluster, "default", "alice-copy", u => Condition(u.Status?.Conditions, ConditionTypes.Ready, "True"), "Ready=True after the owner left");
        await Eventually.TrueAsync(async () =>
        {
            await using var probe = await cluster.ConnectAsync("default/main-0");
            return await CallAsync(probe, "AUTH", "alice", ClaimantPassword) == "OK";
        }, "the remaining claimant's password authenticates");
        await using var last = await cluster.ConnectAsync("default/main-0");
        Assert.Equal(WrongPass, await CallAsync(last, "AUTH", "alice", OwnerPassword));
    }

    private static async Task AssertInvalidAsync(ProductCluster cluster, string ns, string name, string reason, string message)
    {
        var user = await WaitForUserAsync(cluster, ns, name, u => Condition(u.Status?.Conditions, ConditionTypes.Valid, "False"), "Valid=False");
        var valid = user.Status!.Conditions!.Single(c => c.Type == ConditionTypes.Valid);
        Assert.Equal(reason, valid.Reason);
        Assert.Equal(message, valid.Message);
        Assert.True(Condition(user.Status.Conditions, ConditionTypes.Ready, "False"));
        Assert.Equal(reason, user.Status.Conditions!.Single(c => c.Type == ConditionTypes.Ready).Reason);
        Assert.Equal("NotPublished", user.Status.Conditions!.Single(c => c.Type == ConditionTypes.Enforced).Reason);
    }

    /// <summary>Polls the clock until it is in a later second than every given creationTimestamp.</summary>
    private static async Task WaitUntilLaterSecondAsync(params V1ObjectMeta[] created)
    {
        var latest = created.Max(m => DateTime.SpecifyKind(m.CreationTimestamp!.Value, DateTimeKind.Utc));
        await Eventually.TrueAsync(() => Task.FromResult(DateTime.UtcNow >= latest.AddSeconds(1)), "a later creationTimestamp second");
    }
}
