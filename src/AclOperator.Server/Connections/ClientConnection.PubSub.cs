using System.Buffers;
using AclOperator.Acl.Commands;
using AclOperator.Acl.Evaluation;
using AclOperator.Server.Commands;
using AclOperator.Server.Protocol;

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

    /// <summary>
    /// (P|S)(UN)SUBSCRIBE. The backend's session would answer an argument-less UNSUBSCRIBE with channels of OTHER
    /// clients (Garnet 2.2.8), so it is rewritten to this client's own subscriptions, or answered here when there are
    /// none. In RESP3 the confirmations are push frames, as Redis sends them.
    /// </summary>
    private void Subscription(RedisCommand cmd, CommandArgs argv)
    {
        bool unsubscribe = cmd.FullName is "unsubscribe" or "punsubscribe" or "sunsubscribe";
        var frame = new ArrayBufferWriter<byte>();
        if (unsubscribe && argv.Count == 1)
        {
            List<byte[]> channels = [], patterns = [], shard = [];
            GetSubscriptions(channels, patterns, shard);
            var own = cmd.FullName switch
            {
                "unsubscribe" => channels,
                "punsubscribe" => patterns,
                _ => shard,
            };
            if (own.Count == 0)
            {
                // Redis: one reply with a null channel and the remaining subscription count.
                int remaining = cmd.FullName == "sunsubscribe" ? shard.Count : channels.Count + patterns.Count;
                var w = BeginReply();
                w.WritePushHeader(3);
                w.WriteBulkString(cmd.Name);
                w.WriteNull();
                w.WriteInteger(remaining);
                CommitReply();
                return;
            }

            var args = new List<byte[]>(own.Count + 1) { argv[0].ToArray() };
            args.AddRange(own);
            RespEncoding.WriteCommand(frame, new ArgvBuilder(args).Args);
        }
        else
        {
            RespEncoding.WriteCommand(frame, argv);
        }

        TrackSubscription(cmd, argv);
        var reply = ExecuteCaptured(frame.WrittenSpan);
        _result = Admin.CommandResult.Forwarded;
        if (Protocol == 3)
        {
            MarkConfirmationsAsPushes(reply);
        }

        BeginReply();
        _scratch.Write(reply);
        CommitReply();
    }

    /// <summary>Turns each top-level <c>*</c> confirmation array into a <c>&gt;</c> push (same length).</summary>
    private static void MarkConfirmationsAsPushes(Span<byte> reply)
    {
        int pos = 0;
        while (pos < reply.Length && RespReplyScanner.TryReadFrame(reply[pos..], out int length, out _))
        {
            if (reply[pos] == (byte)'*')
            {
                reply[pos] = (byte)'>';
            }

            pos += length;
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
