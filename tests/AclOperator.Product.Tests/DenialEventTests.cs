using AclOperator.Product.Tests.Support;
using k8s;
using static AclOperator.Product.Tests.EndToEndTests;

namespace AclOperator.Product.Tests;

/// <summary>Issue 7: an ACL denial on a pod becomes a Warning event on the RedisAclUser, with counts and no key names.</summary>
public sealed class DenialEventTests
{
    private const string AlicePassword = "alice-password-0123456789";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_denied_request_becomes_a_Warning_event_on_the_user_without_the_key()
    {
        await using var cluster = await ProductCluster.StartAsync();
        await cluster.CreateSecretAsync("default", "alice-pw", new Dictionary<string, string> { ["password"] = AlicePassword });
        await cluster.CreateAsync(EndToEndTests.Server());
        await cluster.CreateAsync(User("alice", passwordSecrets: ["alice-pw"]));
        await WaitForUserAsync(cluster, "default", "alice", u => Condition(u.Status?.Conditions, "Ready", "True"), "Ready=True");

        await using var client = await cluster.ConnectAsync("default/main-0");
        Assert.Equal("OK", await CallAsync(client, "AUTH", "alice", AlicePassword));
        Assert.Equal("-NOPERM No permissions to access a key", await CallAsync(client, "GET", "payroll:ceo"));

        var denied = await Eventually.ValueAsync(async () =>
        {
            var events = await cluster.Client.CoreV1.ListNamespacedEventAsync("default", cancellationToken: Ct);
            return events.Items.FirstOrDefault(e => e.Reason == "AclDenied" && e.InvolvedObject.Name == "alice");
        }, "an AclDenied event on alice");

        Assert.Equal("Warning", denied.Type);
        Assert.Equal("RedisAclUser", denied.InvolvedObject.Kind);
        Assert.Equal("ACL denied 1 request(s) of user alice (key 1) on main-0; ACL LOG on the pod has the details", denied.Message);
    }
}
