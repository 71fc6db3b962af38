using System.Collections.Concurrent;
using AclOperator.Api.Compilation;
using AclOperator.Api.Snapshots;
using AclOperator.Api.V1Alpha1;
using AclOperator.Product.Tests.Support;
using static AclOperator.Product.Tests.EndToEndTests;

namespace AclOperator.Product.Tests;

/// <summary>
/// O8 end to end: an operator that starts while the API is failing (lists of users and Secrets fail at first, and one
/// referenced Secret cannot be read at all) never publishes a narrower ACL. It waits for its caches, reads the last
/// published entries back from the snapshot (it has no memory of them), keeps the entry of the user whose Secret it
/// cannot read (transient: SecretUnavailable), and converges once the faults clear.
/// </summary>
public sealed class OperatorRestartTests
{
    private const string AlicePassword = "alice-password-0123456789";
    private const string BobPassword = "bob-password-0123456789ab";

    [Fact]
    public async Task AnOperatorRestartedDuringAPIFaultsNeverDropsEnforcedUsers_AndConvergesWhenTheFaultsClear()
    {
        await using var cluster = await ProductCluster.StartAsync();
        await cluster.CreateSecretAsync("default", "alice-pw", new Dictionary<string, string> { ["password"] = AlicePassword });
        await cluster.CreateSecretAsync("default", "bob-pw", new Dictionary<string, string> { ["password"] = BobPassword });
        await cluster.CreateAsync(EndToEndTests.Server());
        await cluster.CreateAsync(User("alice", passwordSecrets: ["alice-pw"]));
        await cluster.CreateAsync(User("bob", passwordSecrets: ["bob-pw"]));
        await WaitForUserAsync(cluster, "default", "alice", u => Condition(u.Status?.Conditions, ConditionTypes.Ready, "True"), "Ready=True");
        await WaitForUserAsync(cluster, "default", "bob", u => Condition(u.Status?.Conditions, ConditionTypes.Ready, "True"), "Ready=True");
        var before = await cluster.ReadSnapshotAsync("default", "main");
        Assert.Equal(SnapshotReadStatus.Loaded, before.Status);
        var aliceBefore = before.Content!.Entries.Single(e => e.Name == "alice");

        await cluster.StopOperatorAsync();
        var faults = cluster.Server.Faults;
        faults.FailNext(3, 500, "list", "redisaclusers");
        faults.FailNext(3, 503, "list", "secrets");
        faults.FailNext(int.MaxValue, 500, "get", "secrets", "default", "alice-pw");

        // Sample what is enforced and what is published for as long as the operator runs under faults.
        var problems = new ConcurrentQueue<string>();
        int samples = 0;
        using var stopSampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stopSampling.IsCancellationRequested)
            {
                await using (var probe = await cluster.ConnectAsync("default/main-0"))
                {
                    foreach (var (user, password) in new[] { ("alice", AlicePassword), ("bob", BobPassword) })
                    {
                        var reply = await CallAsync(probe, "AUTH", user, password);
                        if (reply != "OK")
                        {
                            problems.Enqueue($"AUTH {user}: {reply}");
                        }
                    }
                }

                var read = await cluster.ReadSnapshotAsync("default", "main");
                if (read.Status != SnapshotReadStatus.Loaded)
                {
                    problems.Enqueue($"snapshot: {read.Status} {read.Error}");
                }
                else if (read.Content!.Entries.Count(e => e.Name is "alice" or "bob") != 2)
                {
                    problems.Enqueue($"revision {read.Content.Revision} has only {string.Join(",", read.Content.Entries.Select(e => e.Name))}");
                }

                Interlocked.Increment(ref samples);
            }
        }, TestContext.Current.CancellationToken);

        await cluster.StartOperatorAsync();

        // An edit during the faults makes the new operator publish while it cannot read alice's Secret.
        await cluster.UpdateAsync<RedisAclUser>("default", "bob", u => u.Spec.Rules = ["~app:*", "+@read", "+@write"]);
        await WaitForUserAsync(cluster, "default", "bob", u => u.Status?.ObservedGeneration == 2 && Condition(u.Status.Conditions, ConditionTypes.Ready, "True"), "bob's edit enforced");
        var alice = await WaitForUserAsync(cluster, "default", "alice", u => Condition(u.Status?.Conditions, ConditionTypes.Valid, "False"), "Valid=False under the Secret fault");
        var valid = alice.Status!.Conditions!.Single(c => c.Type == ConditionTypes.Valid);
        Assert.Equal(DiagnosticReasons.SecretUnavailable, valid.Reason);
        Assert.StartsWith("spec.passwords[0]: key 'password' of Secret 'alice-pw' cannot be read now (", valid.Message, StringComparison.Ordinal);
        var enforced = alice.Status.Conditions!.Single(c => c.Type == ConditionTypes.Enforced);
        Assert.Equal(("True", "PreviousEntryEnforced", "the last valid entry stays enforced by 1/1 replicas"), (enforced.Status, enforced.Reason, enforced.Message));
        Assert.DoesNotContain(alice.Status.Conditions!, c => c.Type == ConditionTypes.Stalled);

        // The publish carried alice's entry over unchanged from the snapshot it read back.
        var during = await cluster.ReadSnapshotAsync("default", "main");
        Assert.True(during.Content!.Revision > before.Content.Revision);
        var aliceDuring = during.Content.Entries.Single(e => e.Name == "alice");
        Assert.Equal((aliceBefore.Rules, aliceBefore.Since, aliceBefore.Fingerprint), (aliceDuring.Rules, aliceDuring.Since, aliceDuring.Fingerprint));
        Assert.Equal("on sanitize-payload ~app:* resetchannels -@all +@read +@write", during.Content.Entries.Single(e => e.Name == "bob").Rules);

        await Eventually.TrueAsync(() => Task.FromResult(Volatile.Read(ref samples) >= 3), "a few samples");
        await stopSampling.CancelAsync();
        await sampler;
        Assert.Empty(problems);

        // Faults clear: with no other event, the transient failure is retried and alice converges.
        faults.Reset();
        var converged = await WaitForUserAsync(cluster, "default", "alice", u => Condition(u.Status?.Conditions, ConditionTypes.Ready, "True"), "Ready=True after the faults clear");
        Assert.Equal("Compiled", converged.Status!.Conditions!.Single(c => c.Type == ConditionTypes.Valid).Reason);
        await using var client = await cluster.ConnectAsync("default/main-0");
        Assert.Equal("OK", await CallAsync(client, "AUTH", "alice", AlicePassword));
        Assert.Equal("OK", await CallAsync(client, "AUTH", "bob", BobPassword));
        Assert.Equal("OK", await CallAsync(client, "SET", "app:1", "x"));
    }
}
