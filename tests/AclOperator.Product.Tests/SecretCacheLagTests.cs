using System.Collections.Concurrent;
using AclOperator.Api.V1Alpha1;
using AclOperator.Product.Tests.Support;
using static AclOperator.Product.Tests.EndToEndTests;

namespace AclOperator.Product.Tests;

/// <summary>
/// O8: a Secret the metadata informer has not seen yet is not "not found". Watches of different resources are not
/// ordered, so the edit that adds a Secret reference can arrive before that Secret's own event; treating the miss as an
/// authoritative NotFound dropped the user and closed its sessions (O15) in the middle of a password rotation.
/// </summary>
public sealed class SecretCacheLagTests
{
    private const string OldPassword = "old-password-0123456789ab";
    private const string NewPassword = "new-password-0123456789ab";

    [Fact]
    public async Task ASecretReferencedBeforeTheInformerSawIt_IsReadDirectly_AndTheUserIsNeverDropped()
    {
        await using var cluster = await ProductCluster.StartAsync();
        await cluster.CreateSecretAsync("default", "pw-old", new Dictionary<string, string> { ["password"] = OldPassword });
        await cluster.CreateAsync(EndToEndTests.Server());
        await cluster.CreateAsync(User("alice", passwordSecrets: ["pw-old"]));
        await WaitForUserAsync(cluster, "default", "alice", u => Condition(u.Status?.Conditions, ConditionTypes.Ready, "True"), "Ready=True");
        await using var session = await cluster.ConnectAsync("default/main-0");
        Assert.Equal("OK", await CallAsync(session, "AUTH", "alice", OldPassword));

        // Secret watches resume only after a delay, so the new Secret's event lags behind the user's edit.
        var faults = cluster.Server.Faults;
        faults.AddLatency(TimeSpan.FromSeconds(3), verb: "watch", resource: "secrets");
        faults.DropWatches();
        await cluster.CreateSecretAsync("default", "pw-new", new Dictionary<string, string> { ["password"] = NewPassword });
        await cluster.UpdateAsync<RedisAclUser>("default", "alice", u => u.Spec.Passwords =
        [
            new PasswordSource { SecretKeyRef = new SecretKeyRef { Name = "pw-old", Key = "password" } },
            new PasswordSource { SecretKeyRef = new SecretKeyRef { Name = "pw-new", Key = "password" } },
        ]);

        var problems = new ConcurrentQueue<string>();
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                var reply = await CallAsync(session, "AUTH", "alice", OldPassword);
                if (reply != "OK")
                {
                    problems.Enqueue("old password on the live session: " + reply);
                }
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or EndOfStreamException)
            {
                problems.Enqueue("the live session was closed: " + e.Message);
                return true;
            }

            await using var probe = await cluster.ConnectAsync("default/main-0");
            return await CallAsync(probe, "AUTH", "alice", NewPassword) == "OK";
        }, "the new password authenticates");
        faults.Reset();

        Assert.Empty(problems);
        var alice = await WaitForUserAsync(cluster, "default", "alice", u => u.Status?.PasswordCount == 2 && Condition(u.Status.Conditions, ConditionTypes.Ready, "True"), "two passwords enforced");
        Assert.Equal("Compiled", alice.Status!.Conditions!.Single(c => c.Type == ConditionTypes.Valid).Reason);
    }
}
