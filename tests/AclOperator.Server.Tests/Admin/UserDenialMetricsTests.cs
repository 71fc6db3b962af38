using AclOperator.Acl.Tests.Infrastructure;
using Xunit;
using static AclOperator.Server.Tests.EndToEnd.E2E;

namespace AclOperator.Server.Tests.Admin;

/// <summary>
/// Denials by user: <c>aclop_acl_user_denials_total{user,reason}</c> only with <c>user-denial-metrics yes</c> (a label
/// per user is a cardinality choice the operator of the server makes), only for users that exist (a client cannot mint
/// series by inventing usernames), and gone with the user.
/// </summary>
public sealed class UserDenialMetricsTests
{
    private const string Users =
        "user default on nopass ~* &* +@all\n" +
        "user app on >secret ~app:* resetchannels &news +get +set +publish\n" +
        "user ops on >opspw ~* +@all -flushall\n";

    private static Task<AdminTestServer> StartAsync(params string[] args) =>
        AdminTestServer.StartAsync(["--aclfile", "users.acl", .. args], new Dictionary<string, string> { ["users.acl"] = Users });

    private static async Task DenySomeAsync(RespClient app, RespClient ops)
    {
        await app.AssertOk("AUTH", "app", "secret");
        await app.AssertErr(NoPermKey, "GET", "other:1");
        await app.AssertErr(NoPermKey, "GET", "other:2");
        await app.AssertErr("NOPERM User app has no permissions to run the 'del' command", "DEL", "app:k");
        await app.AssertErr(NoPermChannel, "PUBLISH", "other", "hi");
        await app.AssertErr(WrongPass, "AUTH", "app", "wrong");
        await ops.AssertErr(WrongPass, "AUTH", "nosuchuser", "x");
        await ops.AssertOk("AUTH", "ops", "opspw");
        await ops.AssertErr("NOPERM User ops has no permissions to run the 'flushall' command", "FLUSHALL");
    }

    private static Dictionary<string, double> UserSeries(Dictionary<string, double> m) =>
        m.Where(kv => kv.Key.StartsWith("aclop_acl_user_denials_total", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value);

    [Fact]
    public async Task Per_user_series_are_off_by_default_but_the_counts_are_kept()
    {
        await using var s = await StartAsync();
        await using var app = await s.ConnectAsync();
        await using var ops = await s.ConnectAsync();
        await DenySomeAsync(app, ops);

        var m = await s.ScrapeAsync();
        Assert.Empty(UserSeries(m));
        Assert.Equal(2, m["aclop_acl_denials_total{reason=\"auth\"}"]);

        // Known users only: the failed AUTH naming nosuchuser is in the total, not in a row of its own.
        var denials = s.Context.Acl.UserDenials;
        Assert.Equal(["app", "ops"], denials.Read().Select(r => r.User).Order(StringComparer.Ordinal));
        Assert.Equal((1L, 1L, 2L, 1L, 5L), (denials.Of("app").Auth, denials.Of("app").Command, denials.Of("app").Key, denials.Of("app").Channel, denials.Of("app").Total));
        Assert.Equal(1, denials.Of("ops").Command);
        Assert.Equal(0, denials.Of("nosuchuser").Total);
    }

    [Fact]
    public async Task With_the_directive_each_user_and_reason_is_a_series_and_a_deleted_user_loses_its_series()
    {
        await using var s = await StartAsync("--user-denial-metrics", "yes");
        await using var app = await s.ConnectAsync();
        await using var ops = await s.ConnectAsync();
        await DenySomeAsync(app, ops);

        Assert.Equal(
            new Dictionary<string, double>
            {
                ["aclop_acl_user_denials_total{user=\"app\",reason=\"auth\"}"] = 1,
                ["aclop_acl_user_denials_total{user=\"app\",reason=\"command\"}"] = 1,
                ["aclop_acl_user_denials_total{user=\"app\",reason=\"key\"}"] = 2,
                ["aclop_acl_user_denials_total{user=\"app\",reason=\"channel\"}"] = 1,
                ["aclop_acl_user_denials_total{user=\"ops\",reason=\"command\"}"] = 1,
            },
            UserSeries(await s.ScrapeAsync()));

        AssertInteger(await ops.CallAsync("ACL", "DELUSER", "app"), 1);
        Assert.Equal(
            new Dictionary<string, double> { ["aclop_acl_user_denials_total{user=\"ops\",reason=\"command\"}"] = 1 },
            UserSeries(await s.ScrapeAsync()));

        // CONFIG SET turns the series off (and on) at runtime.
        await ops.AssertOk("CONFIG", "SET", "user-denial-metrics", "no");
        Assert.Empty(UserSeries(await s.ScrapeAsync()));
        AssertStrings(await ops.CallAsync("CONFIG", "GET", "user-denial-metrics"), "user-denial-metrics", "no");
    }
}
