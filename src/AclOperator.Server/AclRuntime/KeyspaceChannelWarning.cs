using AclOperator.Acl;
using AclOperator.Acl.Matching;
using AclOperator.Acl.Users;

namespace AclOperator.Server.AclRuntime;

/// <summary>
/// E11: keyspace-notification channels (<c>__keyspace@&lt;db&gt;__:&lt;key&gt;</c>, <c>__keyevent@…</c>) carry key
/// names, so a user whose keys are restricted but who may subscribe to such channels can learn names of keys it
/// cannot access. Reported as a warning (Redis does not treat it as an error).
/// </summary>
internal static class KeyspaceChannelWarning
{
    private static readonly byte[][] Probes = ["__keyspace@0__:k"u8.ToArray(), "__keyevent@0__:set"u8.ToArray()];

    /// <summary>True when some selector restricts keys and some selector admits a keyspace-notification channel.</summary>
    public static bool Applies(AclUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        bool restrictedKeys = user.Selectors.Any(s => !s.AllKeys);
        if (!restrictedKeys)
        {
            return false;
        }

        foreach (var s in user.Selectors)
        {
            if (s.AllChannels)
            {
                return true;
            }

            foreach (var pattern in s.ChannelPatterns)
            {
                if (Probes.Any(p => GlobMatcher.Match(pattern, p)) ||
                    pattern.AsSpan().StartsWith("__keyspace@"u8) || pattern.AsSpan().StartsWith("__keyevent@"u8))
                {
                    return true;
                }
            }
        }

        return false;
    }

    public static string Message(AclUser user) =>
        $"User '{AclText.ToUtf8(user.Name)}' has restricted key patterns but may subscribe to keyspace-notification channels (__keyspace@*/__keyevent@*), which reveal key names it cannot access.";
}
