using AclOperator.Acl.Matching;
using AclOperator.Acl.Users;

namespace AclOperator.Acl.Evaluation;

/// <summary>
/// The compiled, immutable lookup form of one <see cref="AclSelector"/>: key patterns grouped by the exact access
/// they grant (so "some pattern granting at least the required access matches" is three indexed lookups at most),
/// channel patterns as a glob set plus a literal set for PSUBSCRIBE's exact comparison.
/// </summary>
internal sealed class SelectorIndex
{
    private readonly GlobPatternSet _readKeys;
    private readonly GlobPatternSet _writeKeys;
    private readonly GlobPatternSet _readWriteKeys;
    private readonly GlobPatternSet _channels;
    private readonly ByteStringSet _channelLiterals;

    public SelectorIndex(AclSelector selector)
    {
        _readKeys = new GlobPatternSet(PatternsWith(selector, KeyPermission.Read));
        _writeKeys = new GlobPatternSet(PatternsWith(selector, KeyPermission.Write));
        _readWriteKeys = new GlobPatternSet(PatternsWith(selector, KeyPermission.ReadWrite));
        _channels = new GlobPatternSet(selector.ChannelPatterns);
        _channelLiterals = new ByteStringSet(selector.ChannelPatterns);
        FullReadAccess = selector.AllKeys || selector.KeyPatterns.Any(p =>
            (p.Permission & KeyPermission.Read) != 0 && p.Pattern is [(byte)'*']);
    }

    /// <summary>Redis's <c>ACLSelectorHasUnrestrictedKeyAccess(selector, CMD_KEY_ACCESS)</c>: allkeys or a <c>*</c> pattern with R.</summary>
    public bool FullReadAccess { get; }

    /// <summary>True when some key pattern granting at least <paramref name="required"/> matches the key.</summary>
    public bool KeyAllowed(ReadOnlySpan<byte> key, KeyPermission required) => required switch
    {
        KeyPermission.None => _readWriteKeys.Matches(key) || _readKeys.Matches(key) || _writeKeys.Matches(key),
        KeyPermission.Read => _readWriteKeys.Matches(key) || _readKeys.Matches(key),
        KeyPermission.Write => _readWriteKeys.Matches(key) || _writeKeys.Matches(key),
        _ => _readWriteKeys.Matches(key),
    };

    /// <summary>PUBLISH / SUBSCRIBE: the channel name is glob-matched against each channel pattern.</summary>
    public bool ChannelAllowed(ReadOnlySpan<byte> channel) => _channels.Matches(channel);

    /// <summary>PSUBSCRIBE: the pattern must equal one of the channel patterns byte for byte.</summary>
    public bool ChannelPatternAllowed(ReadOnlySpan<byte> pattern) => _channelLiterals.Contains(pattern);

    private static IEnumerable<byte[]> PatternsWith(AclSelector s, KeyPermission exact)
    {
        foreach (var p in s.KeyPatterns)
        {
            if (p.Permission == exact)
            {
                yield return p.Pattern;
            }
        }
    }
}
