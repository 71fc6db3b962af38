using AclOperator.Acl.Commands;
using AclOperator.Acl.Evaluation;

namespace AclOperator.Server.Connections;

/// <summary>
/// Subscriptions as the client asked for them (E11): for the kill checks of ACL changes, CLIENT LIST sub/psub/ssub
/// and the RESP2 subscribed context. The backend session holds the real subscriptions and delivers messages.
/// </summary>
internal sealed partial class ClientConnection
{
    private readonly HashSet<byte[]> _channels = new(ByteArrayComparer.Instance);
    private readonly HashSet<byte[]> _patterns = new(ByteArrayComparer.Instance);
    private readonly HashSet<byte[]> _shardChannels = new(ByteArrayComparer.Instance);
    private readonly Lock _subscriptionLock = new();

    public bool IsPubSub
    {
        get
        {
            lock (_subscriptionLock)
            {
                return _channels.Count + _patterns.Count + _shardChannels.Count > 0;
            }
        }
    }

    public (int Channels, int Patterns, int ShardChannels) SubscriptionCounts
    {
        get
        {
            lock (_subscriptionLock)
            {
                return (_channels.Count, _patterns.Count, _shardChannels.Count);
            }
        }
    }

    public void GetSubscriptions(List<byte[]> channels, List<byte[]> patterns, List<byte[]> shardChannels)
    {
        lock (_subscriptionLock)
        {
            channels.AddRange(_channels);
            patterns.AddRange(_patterns);
            shardChannels.AddRange(_shardChannels);
        }
    }

    private void TrackSubscription(RedisCommand cmd, CommandArgs argv)
    {
        lock (_subscriptionLock)
        {
            var set = cmd.FullName switch
            {
                "subscribe" or "unsubscribe" => _channels,
                "psubscribe" or "punsubscribe" => _patterns,
                _ => _shardChannels,
            };
            bool add = cmd.FullName is "subscribe" or "psubscribe" or "ssubscribe";
            if (!add && argv.Count == 1)
            {
                set.Clear();
                return;
            }

            for (int i = 1; i < argv.Count; i++)
            {
                if (add)
                {
                    set.Add(argv[i].ToArray());
                }
                else
                {
                    set.Remove(argv[i].ToArray());
                }
            }
        }
    }

    private void ClearSubscriptions()
    {
        lock (_subscriptionLock)
        {
            _channels.Clear();
            _patterns.Clear();
            _shardChannels.Clear();
        }
    }
}
