using System.Net;
using System.Net.Sockets;
using System.Text;
using AclOperator.Server.Configuration;
using Xunit;

namespace AclOperator.Server.Tests.Configuration;

public sealed class ProtectedModeTests
{
    [Theory]
    [InlineData("127.0.0.1", false)]
    [InlineData("127.5.6.7", false)]
    [InlineData("::1", false)]
    [InlineData("::ffff:127.0.0.1", false)]
    [InlineData("10.1.2.3", true)]
    [InlineData("::ffff:10.1.2.3", true)]
    [InlineData("fe80::1", true)]
    public void E3_remote_addresses_are_refused_when_protected_and_default_has_nopass(string address, bool refused)
    {
        var ep = new IPEndPoint(IPAddress.Parse(address), 5000);
        Assert.Equal(refused, ProtectedMode.IsRefused(true, true, ep));
        Assert.False(ProtectedMode.IsRefused(false, true, ep));
        Assert.False(ProtectedMode.IsRefused(true, false, ep));
    }

    [Fact]
    public void Unix_socket_is_local_and_unknown_peer_is_not()
    {
        Assert.False(ProtectedMode.IsRefused(true, true, new UnixDomainSocketEndPoint("/tmp/x.sock")));
        Assert.True(ProtectedMode.IsRefused(true, true, null));
    }

    [Fact]
    public void Denied_reply_is_networking_c_text()
    {
        string reply = Encoding.ASCII.GetString(ProtectedMode.DeniedReply);
        Assert.Equal("-" + ProtectedMode.DeniedError + "\r\n", reply);
        Assert.StartsWith("-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. ", reply, StringComparison.Ordinal);
        Assert.EndsWith("NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n", reply, StringComparison.Ordinal);
    }
}
