using AclOperator.Acl.Matching;
using AclOperator.Acl.Users;

namespace AclOperator.Server.AclRuntime;

/// <summary>Redis's <c>getUpcomingChannelList</c> / <c>ACLShouldKillPubsubClient</c> (spec §7.4).</summary>
public static class PubSubRevocation
{
    /// <summary>
    /// Null when the new user's channels are a superset of the original's (nobody is closed); otherwise the union of
    /// the new selectors' channel patterns that subscriptions are checked against.
    /// </summary>
    public static List<byte[]>? UpcomingChannels(AclUser newUser, AclUser original)
    {
        ArgumentNullException.ThrowIfNull(newUser);
        ArgumentNullException.ThrowIfNull(original);
        if (newUser.Selectors.Any(s => s.AllChannels))
        {
            return null;
        }

        var upcoming = newUser.Selectors.SelectMany(s => s.ChannelPatterns).ToList();
        bool superset = true;
        foreach (var s in original.Selectors)
        {
            if (s.AllChannels)
            {
                superset = false;
                break;
            }

            foreach (var p in s.ChannelPatterns)
            {
                if (!upcoming.Exists(u => u.AsSpan().SequenceEqual(p)))
                {
                    superset = false;
                    break;
                }
            }

            if (!superset)
            {
                break;
            }
        }

        return superset ? null : upcoming;
    }

    /// <summary>True when a pub/sub client holds a subscription the upcoming patterns no longer allow.</summary>
    public static bool ShouldKill(IAclClient client, List<byte[]> upcoming)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(upcoming);
        if (!client.IsPubSub)
        {
            return false;
        }

        List<byte[]> channels = [], patterns = [], shard = [];
        client.GetSubscriptions(channels, patterns, shard);
        foreach (var p in patterns)
        {
            if (!upcoming.Exists(u => u.AsSpan().SequenceEqual(p)))
            {
                return true;
            }
        }

        foreach (var c in channels.Concat(shard))
        {
            if (!upcoming.Exists(u => GlobMatcher.Match(u, c)))
            {
                return true;
            }
        }

        return false;
    }
}
