using System.Text;
using AclOperator.Api.Compilation;
using AclOperator.Api.V1Alpha1;
using AclOperator.Operator.Reconcilers;
using AclOperator.Operator.Runtime;
using AclOperator.Operator.Tests.Support;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AclOperator.Operator.Tests;

/// <summary>
/// O8 in the Secret cache: a Secret the metadata informer has not seen yet is not "gone" — a NotFound revokes a user and
/// closes its sessions, so only the API's own 404 may say so. The informer's watch is held back (latency on watch
/// requests) so that a Secret created after the list is unknown to it.
/// </summary>
public sealed class SecretHashCacheTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_Secret_the_informer_has_not_seen_is_read_from_the_API_and_only_a_404_is_NotFound()
    {
        await using var cluster = await TestCluster.StartAsync();
        cluster.Server.Faults.AddLatency(TimeSpan.FromSeconds(20), verb: "watch", resource: "secrets");
        var informers = new SharedInformerFactory(cluster.Resources, Options.Create(new WatchScopeOptions()), Options.Create(new OperatorOptions()), NullLoggerFactory.Instance);
        var cache = new SecretHashCache(cluster.Client, informers);
        using var stop = new CancellationTokenSource();
        await informers.Start(stop.Token);
        await Eventually.TrueAsync(() => cache.Informer.HasSynced, "secret metadata synced");

        // Created after the list: the informer cannot know it for the next 20 s.
        await cluster.Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "rotated-pw", NamespaceProperty = "default" },
            Data = new Dictionary<string, byte[]> { ["password"] = Encoding.UTF8.GetBytes("a-new-password-0123456789") },
        }, "default", cancellationToken: Ct);
        Assert.False(cache.Exists("default", "rotated-pw"));

        await cache.RefreshAsync([("default", "rotated-pw"), ("default", "never-created")], Ct);
        var resolver = cache.Resolver("default");
        var found = resolver.Resolve("default", new SecretKeyRef { Name = "rotated-pw", Key = "password" });
        Assert.Equal(SecretLookupStatus.Found, found.Status);
        Assert.Equal(SecretLookupStatus.NotFound, resolver.Resolve("default", new SecretKeyRef { Name = "never-created", Key = "password" }).Status);
        Assert.Equal(SecretLookupStatus.NotFound, resolver.Resolve("default", new SecretKeyRef { Name = "rotated-pw", Key = "no-such-key" }).Status);

        // Without a refresh nothing is known of a name: unavailable (transient), never NotFound.
        Assert.Equal(SecretLookupStatus.Unavailable, resolver.Resolve("default", new SecretKeyRef { Name = "not-refreshed", Key = "password" }).Status);

        // Deleted: the API's 404 is authoritative.
        await cluster.Client.CoreV1.DeleteNamespacedSecretAsync("rotated-pw", "default", cancellationToken: Ct);
        await cache.RefreshAsync([("default", "rotated-pw")], Ct);
        Assert.Equal(SecretLookupStatus.NotFound, cache.Resolver("default").Resolve("default", new SecretKeyRef { Name = "rotated-pw", Key = "password" }).Status);

        await stop.CancelAsync();
        await informers.WhenStoppedAsync();
    }
}
