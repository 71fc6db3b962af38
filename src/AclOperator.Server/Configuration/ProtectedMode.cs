using System.Net;
using System.Net.Sockets;

namespace AclOperator.Server.Configuration;

/// <summary>
/// Redis 7.4's protected mode (networking.c <c>clientAcceptHandler</c>): with <c>protected-mode yes</c> and a
/// default user that has <c>nopass</c>, a connection that is not from the loopback interface gets
/// <see cref="DeniedReply"/> and is closed. As in 7.4 the bind addresses play no part (6.x also required "no bind").
/// </summary>
public static class ProtectedMode
{
    /// <summary>The error text without the leading <c>-</c> and trailing CRLF.</summary>
    public const string DeniedError =
        "DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. " +
        "In this mode connections are only accepted from the loopback interface. " +
        "If you want to connect from external computers to Redis you may adopt one of the following solutions: " +
        "1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface " +
        "by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible " +
        "from internet if you do so. Use CONFIG REWRITE to make this change permanent. " +
        "2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected " +
        "mode option to 'no', and then restarting the server. " +
        "3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. " +
        "4) Set up an authentication password for the default user. " +
        "NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.";

    /// <summary>The exact bytes Redis writes before closing the connection.</summary>
    public static ReadOnlySpan<byte> DeniedReply => "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Set up an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n"u8;

    /// <summary>True when a new connection from <paramref name="remote"/> must be refused.</summary>
    /// <param name="protectedMode">The current <c>protected-mode</c> value.</param>
    /// <param name="defaultUserNoPass">True when the default user has the <c>nopass</c> flag.</param>
    /// <param name="remote">The peer: an <see cref="IPEndPoint"/>, a <see cref="UnixDomainSocketEndPoint"/>, or null when unknown.</param>
    public static bool IsRefused(bool protectedMode, bool defaultUserNoPass, EndPoint? remote) =>
        protectedMode && defaultUserNoPass && !IsLocal(remote);

    /// <summary>
    /// <c>connIsLocal</c>: Unix sockets are local; TCP peers are local when their address text starts with <c>127.</c>
    /// or is <c>::1</c>. An IPv4-mapped IPv6 address is judged as the IPv4 address (Redis's IPv4 listener sees it so).
    /// An unknown peer is not local.
    /// </summary>
    public static bool IsLocal(EndPoint? remote)
    {
        switch (remote)
        {
            case UnixDomainSocketEndPoint:
                return true;
            case IPEndPoint ip:
                var a = ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address;
                return a.AddressFamily == AddressFamily.InterNetwork
                    ? a.GetAddressBytes()[0] == 127
                    : a.Equals(IPAddress.IPv6Loopback);
            default:
                return remote is not null && remote.AddressFamily == AddressFamily.Unix;
        }
    }
}
