using Xunit;
using static AclOperator.Server.Tests.EndToEnd.E2E;

namespace AclOperator.Server.Tests.EndToEnd;

/// <summary>
/// E10: CLIENT TRACKING is handled locally. The embedded backend has no client-side caching, so enabling tracking is
/// refused with a Redis-shaped error, and the read-only subcommands describe a client without tracking.
/// </summary>
public sealed class ClientTrackingEndToEndTests
{
    [Fact]
    public async Task Tracking_is_refused_and_reported_off_with_the_embedded_backend_E10()
    {
        await using var s = await StartAsync(DefaultAcl);
        await using var c = await s.ConnectAsync();
        await c.AssertErr("ERR CLIENT TRACKING is not supported by this server's backend", "CLIENT", "TRACKING", "ON");
        await c.AssertErr("ERR CLIENT TRACKING is not supported by this server's backend", "CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "a");
        await c.AssertOk("CLIENT", "TRACKING", "OFF");
        AssertInteger(await c.CallAsync("CLIENT", "GETREDIR"), -1);
        await c.AssertErr("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled", "CLIENT", "CACHING", "YES");
        var info = Fields(await c.CallAsync("CLIENT", "TRACKINGINFO"));
        AssertStrings(info["flags"], "off");
        AssertInteger(info["redirect"], -1);
        Assert.Empty(info["prefixes"].Items!);
    }
}
