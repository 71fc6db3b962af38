using System.Collections.Concurrent;
using System.Net;
using Garnet.common;
using Garnet.networking;
using Garnet.server;

namespace AclOperator.Server.Backend.Garnet;

/// <summary>
/// A Garnet "server" that never listens: it only receives Garnet's session provider and creates sessions bound to our
/// in-process senders. Given to <c>GarnetServer</c> as its only server, so Garnet opens no socket at all.
/// </summary>
internal sealed class InProcessGarnetServer : GarnetServerBase
{
    private readonly ConcurrentDictionary<IMessageConsumer, byte> _sessions = new();

    public InProcessGarnetServer()
        : base(new IPEndPoint(IPAddress.Loopback, 0), 0, null)
    {
    }

    public int SessionCount => _sessions.Count;

    /// <summary>What CLIENT LIST / KILL / UNBLOCK see.</summary>
    public override IEnumerable<IMessageConsumer> ActiveConsumers() => _sessions.Keys;

    public override IEnumerable<IClusterSession> ActiveClusterSessions() => [];

    public override void Start()
    {
    }

    public override void Close()
    {
    }

    public IMessageConsumer CreateSession(INetworkSender sender)
    {
        if (!GetSessionProviders().TryGetValue(WireFormat.ASCII, out ISessionProvider? provider))
        {
            throw new InvalidOperationException("Garnet registered no RESP session provider.");
        }

        if (!AddSession(WireFormat.ASCII, ref provider, sender, out IMessageConsumer consumer))
        {
            throw new InvalidOperationException("Garnet refused a new session.");
        }

        _sessions[consumer] = 0;
        return consumer;
    }

    public void RemoveSession(IMessageConsumer consumer) => _sessions.TryRemove(consumer, out _);
}
