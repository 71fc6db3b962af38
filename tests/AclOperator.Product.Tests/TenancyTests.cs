using AclOperator.Api.Compilation;
using AclOperator.Api.V1Alpha1;
using AclOperator.Product.Tests.Support;
using static AclOperator.Product.Tests.EndToEndTests;

namespace AclOperator.Product.Tests;

/// <summary>
/// O2 end to end: a server in <c>default</c> admits tenant namespace <c>team-a</c> with a username prefix and a rule
/// ceiling; the tenant floor always applies. The ceiling is a check (the compiler rejects, never clamps): a user beyond
/// it gets <c>Valid=False, CeilingExceeded</c> naming the offending rule, and — as an invalid edit (O8) — keeps its last
/// published entry, so what is enforced never exceeds the ceiling.
/// </summary>
public sealed class TenancyTests
{
    private const string Password = "tenant-password-0123456789";
    private const string WrongPass = "-WRONGPASS invalid username-password pair or user is disabled.";

    private static RedisAclServer TenantServer() => EndToEndTests.Server(tenants: new UserNamespaceSpec
    {
        Namespace = "team-a",
        UsernamePrefix = "teama_",
        Ceiling = ["+@read", "+@write", "~app:*"],
    });

    private static RedisAclUser TenantUser(string name, string ns, params string[] rules) =>
        User(name, ns: ns, rules: rules, passwordSecrets: ["pw"], serverNs: "default");

    [Fact]
    public async Task AdmittedTenantGetsItsPrefix_OthersAreNotAdmitted_TheCeilingAndTheFloorAreCheckedOnEffectivePermissions()
    {
        await using var cluster = await ProductCluster.StartAsync();
        foreach (var ns in new[] { "team-a", "team-b" })
        {
            await cluster.CreateSecretAsync(ns, "pw", new Dictionary<string, string> { ["password"] = Password });
        }

        await cluster.CreateAsync(TenantServer());
        await cluster.CreateAsync(TenantUser("alice", "team-a", "~app:*", "+get"));
        await cluster.CreateAsync(TenantUser("bob", "team-b", "~app:*", "+get"));

        // (a) The admitted tenant's user binds under its prefix, and its rules hold on the pod.
        var alice = await WaitForUserAsync(cluster, "team-a", "alice", u => Condition(u.Status?.Conditions, ConditionTypes.Ready, "True"), "Ready=True");
        Assert.Equal("teama_alice", alice.Status!.Username);
        Assert.Equal("on sanitize-payload ~app:* resetchannels -@all +get", alice.Status.CanonicalRules);
        await using var client = await cluster.ConnectAsync("default/main-0");
        Assert.Equal(WrongPass, await CallAsync(client, "AUTH", "alice", Password));
        Assert.Equal("OK", await CallAsync(client, "AUTH", "teama_alice", Password));
        Assert.Equal("(nil)", await CallAsync(client, "GET", "app:1"));
        Assert.Equal("-NOPERM User teama_alice has no permissions to run the 'set' command", await CallAsync(client, "SET", "app:1", "x"));
        Assert.Equal("-NOPERM No permissions to access a key", await CallAsync(client, "GET", "other:1"));

        // (b) A namespace the server does not list is not admitted: Valid=False and nothing enforced (fail closed, O8).
        var bob = await WaitForUserAsync(cluster, "team-b", "bob", u => Condition(u.Status?.Conditions, ConditionTypes.Valid, "False"), "Valid=False");
        var valid = bob.Status!.Conditions!.Single(c => c.Type == ConditionTypes.Valid);
        Assert.Equal(DiagnosticReasons.NamespaceNotAdmitted, valid.Reason);
        Assert.Equal("spec.serverRef: namespace 'team-b' is not admitted by RedisAclServer 'main' (spec.userNamespaces)", valid.Message);
        Assert.Equal(DiagnosticReasons.NamespaceNotAdmitted, bob.Status.Conditions!.Single(c => c.Type == ConditionTypes.Ready).Reason);
        Assert.True(Condition(bob.Status.Conditions, ConditionTypes.Ready, "False"));
        Assert.Equal("team-b.bob", bob.Status.Username);
        await using (var probe = await cluster.ConnectAsync("default/main-0"))
        {
            Assert.Equal(WrongPass, await CallAsync(probe, "AUTH", "team-b.bob", Password));
            Assert.Equal(WrongPass, await CallAsync(probe, "AUTH", "bob", Password));
        }

        // (c) Beyond the ceiling: a new user is rejected with the offending rule named, and never enforced.
        await cluster.CreateAsync(TenantUser("carol", "team-a", "~app:*", "+get", "+ping"));
        var carol = await WaitForUserAsync(cluster, "team-a", "carol", u => Condition(u.Status?.Conditions, ConditionTypes.Valid, "False"), "Valid=False");
        var carolValid = carol.Status!.Conditions!.Single(c => c.Type == ConditionTypes.Valid);
        Assert.Equal(DiagnosticReasons.CeilingExceeded, carolValid.Reason);
        Assert.Equal("selector 0 allows '+ping', which the ceiling denies", carolValid.Message);
        Assert.Equal("NotPublished", carol.Status.Conditions!.Single(c => c.Type == ConditionTypes.Enforced).Reason);
        await using (var probe = await cluster.ConnectAsync("default/main-0"))
        {
            Assert.Equal(WrongPass, await CallAsync(probe, "AUTH", "teama_carol", Password));
        }

        // An enforced user edited beyond the ceiling keeps its last valid entry (O8): PING stays denied.
        await cluster.UpdateAsync<RedisAclUser>("team-a", "alice", u => u.Spec.Rules = ["~app:*", "+get", "+ping"]);
        alice = await WaitForUserAsync(cluster, "team-a", "alice",
            u => u.Status?.ObservedGeneration == u.Metadata.Generation && Condition(u.Status?.Conditions, ConditionTypes.Valid, "False"), "Valid=False for generation 2");
        Assert.Equal("selector 0 allows '+ping', which the ceiling denies", alice.Status!.Conditions!.Single(c => c.Type == ConditionTypes.Valid).Message);
        Assert.Equal("PreviousEntryEnforced", alice.Status.Conditions!.Single(c => c.Type == ConditionTypes.Enforced).Reason);
        Assert.Equal("-NOPERM User teama_alice has no permissions to run the 'ping' command", await CallAsync(client, "PING"));
        Assert.Equal("(nil)", await CallAsync(client, "GET", "app:1"));

        // (d) The tenant floor is part of every tenant ceiling: '+@read' is what the ceiling's own text grants, but
        // @read holds KEYS, SCAN, RANDOMKEY (and a @dangerous command), which the floor denies. So the edit is refused, naming the command and
        // where it came from, and KEYS stays denied on the pod although the user's rules ask for it.
        await cluster.UpdateAsync<RedisAclUser>("team-a", "alice", u => u.Spec.Rules = ["~app:*", "+@read"]);
        alice = await WaitForUserAsync(cluster, "team-a", "alice",
            u => u.Status?.ObservedGeneration == u.Metadata.Generation && Condition(u.Status?.Conditions, ConditionTypes.Valid, "False"), "Valid=False for generation 3");
        var floor = alice.Status!.Conditions!.Single(c => c.Type == ConditionTypes.Valid);
        Assert.Equal(DiagnosticReasons.CeilingExceeded, floor.Reason);
        Assert.Equal("selector 0 allows '+keys (via +@read)', which the ceiling denies (and 3 more violations)", floor.Message);
        Assert.Equal("-NOPERM User teama_alice has no permissions to run the 'keys' command", await CallAsync(client, "KEYS", "app:*"));
        Assert.Equal("-NOPERM User teama_alice has no permissions to run the 'scan' command", await CallAsync(client, "SCAN", "0"));

        // Back within the ceiling: the edit is enforced on the live connection.
        await cluster.UpdateAsync<RedisAclUser>("team-a", "alice", u => u.Spec.Rules = ["~app:*", "+get", "+set"]);
        await Eventually.TrueAsync(async () => await CallAsync(client, "SET", "app:1", "x") == "OK", "SET allowed after the edit within the ceiling");

        // Taking the namespace off the server is an authoritative revocation (O8): the user is removed and its
        // connections are closed (O15).
        await cluster.UpdateAsync<RedisAclServer>("default", "main", s => s.Spec.UserNamespaces = null);
        var revoked = await WaitForUserAsync(cluster, "team-a", "alice", u => Condition(u.Status?.Conditions, ConditionTypes.Valid, "False") &&
            u.Status!.Conditions!.Single(c => c.Type == ConditionTypes.Valid).Reason == DiagnosticReasons.NamespaceNotAdmitted, "NamespaceNotAdmitted");
        Assert.Equal("NotPublished", revoked.Status!.Conditions!.Single(c => c.Type == ConditionTypes.Enforced).Reason);
        await using var after = await cluster.ConnectAsync("default/main-0");
        Assert.Equal(WrongPass, await CallAsync(after, "AUTH", "teama_alice", Password));
    }
}
