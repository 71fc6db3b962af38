using System.Globalization;
using AclOperator.Api.Snapshots;
using AclOperator.Api.V1Alpha1;
using AclOperator.Product.Tests.Support;
using k8s;
using static AclOperator.Product.Tests.EndToEndTests;

namespace AclOperator.Product.Tests;

/// <summary>
/// O6 end to end: a manifest that names a shard whose bytes do not match its checksum is never applied — the pods keep
/// enforcing the previous revision (also a pod restarted meanwhile, from its last-good file, O7) and report it on their
/// Lease — and the operator's next publish goes over it.
/// </summary>
public sealed class TornSnapshotTests
{
    private const string AlicePassword = "alice-password-0123456789";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ATornSnapshotIsNeverApplied_PodsKeepEnforcingThePreviousRevision_AndTheOperatorsNextPublishRepairsIt()
    {
        await using var cluster = await ProductCluster.StartAsync();
        await cluster.CreateSecretAsync("default", "alice-pw", new Dictionary<string, string> { ["password"] = AlicePassword });
        await cluster.CreateAsync(EndToEndTests.Server());
        await cluster.CreateAsync(User("alice", passwordSecrets: ["alice-pw"]));
        await WaitForUserAsync(cluster, "default", "alice", u => Condition(u.Status?.Conditions, ConditionTypes.Ready, "True"), "Ready=True");
        var good = await cluster.ReadSnapshotAsync("default", "main");
        long revision = good.Content!.Revision;
        string enforced = revision.ToString(CultureInfo.InvariantCulture);
        await Eventually.TrueAsync(async () => await cluster.EnforcedRevisionAsync("default", "main-0") == enforced, "main-0 reports the revision");
        await using var session = await cluster.ConnectAsync("default/main-0");
        Assert.Equal("OK", await CallAsync(session, "AUTH", "alice", AlicePassword));

        // The manifest flips to the next revision naming alice's rules shard with a checksum its bytes do not have, as
        // if the shard had changed after the manifest was written.
        var map = await cluster.Client.CoreV1.ReadNamespacedConfigMapAsync(SnapshotNames.Manifest("main"), "default", cancellationToken: Ct);
        var manifest = SnapshotCodec.DecodeManifest(map.Data[SnapshotNames.ManifestKey]);
        var torn = manifest.Rules[SnapshotNames.ShardOf("alice", manifest.ShardCount)];
        torn.Checksum = new string('0', 64);
        manifest.Revision = revision + 1;
        map.Data[SnapshotNames.ManifestKey] = SnapshotCodec.EncodeManifest(manifest);
        map.Data[SnapshotNames.RevisionKey] = (revision + 1).ToString(CultureInfo.InvariantCulture);
        await cluster.Client.CoreV1.ReplaceNamespacedConfigMapAsync(map, map.Metadata.Name, "default", cancellationToken: Ct);

        // The pod re-reads with backoff, gives up and keeps its ACL: never a partial snapshot.
        string refused = $"Error loading ACLs from Kubernetes: the ACL snapshot of default/main kept changing while it was read (ConfigMap {torn.Name} does not match the manifest); keeping the current ACL; no change to the enforced ACL was performed";
        await Eventually.TrueAsync(() => Task.FromResult(cluster.Log.Lines.Any(l => l.Contains(refused, StringComparison.Ordinal))), "main-0 refuses the torn snapshot");
        Assert.Equal(enforced, await cluster.EnforcedRevisionAsync("default", "main-0"));
        Assert.Equal("(nil)", await CallAsync(session, "GET", "app:1"));
        Assert.Equal("-NOPERM User alice has no permissions to run the 'set' command", await CallAsync(session, "SET", "app:1", "x"));

        // A pod restarted meanwhile starts from its last-good revision and refuses the torn one too.
        await cluster.RestartPodServerAsync("default/main-0");
        await Eventually.TrueAsync(() => Task.FromResult(cluster.Log.Lines.Count(l => l.Contains(refused, StringComparison.Ordinal)) >= 2), "the restarted main-0 refuses the torn snapshot");
        await using (var probe = await cluster.ConnectAsync("default/main-0"))
        {
            Assert.Equal("OK", await CallAsync(probe, "AUTH", "alice", AlicePassword));
        }

        Assert.Equal(enforced, await cluster.EnforcedRevisionAsync("default", "main-0"));

        // The next publish reads the torn snapshot back, keeps what verifies, rewrites the shard that does not, and
        // flips the manifest past the torn revision; the pods apply it.
        await cluster.UpdateAsync<RedisAclUser>("default", "alice", u => u.Spec.Rules = ["~app:*", "+@read", "+@write"]);
        var repaired = await WaitForUserAsync(cluster, "default", "alice",
            u => u.Status?.ObservedGeneration == 2 && Condition(u.Status.Conditions, ConditionTypes.Ready, "True"), "the edit enforced over the torn snapshot");
        var after = await cluster.ReadSnapshotAsync("default", "main");
        Assert.Equal(SnapshotReadStatus.Loaded, after.Status);
        Assert.Equal(revision + 2, after.Content!.Revision);
        Assert.Equal((revision + 2).ToString(CultureInfo.InvariantCulture), repaired.Status!.EnforcedRevision);
        Assert.Equal(["alice", "default"], after.Content.Entries.Select(e => e.Name).Order(StringComparer.Ordinal));
        await using var client = await cluster.ConnectAsync("default/main-0");
        Assert.Equal("OK", await CallAsync(client, "AUTH", "alice", AlicePassword));
        Assert.Equal("OK", await CallAsync(client, "SET", "app:1", "x"));
        var events = await cluster.Client.CoreV1.ListNamespacedEventAsync("default", cancellationToken: Ct);
        Assert.Contains(events.Items, e => e.InvolvedObject.Name == "main" && e.Type == "Warning" && e.Reason == "SnapshotRepaired" &&
            e.Message == $"the published ACL revision {revision + 1} does not verify (ConfigMap {torn.Name} does not match the manifest); publishing over it with the entries that do");
    }
}
