namespace AclOperator.Acl.Matching;

/// <summary>
/// A set of glob patterns answering "does any pattern match this text?" exactly as testing each pattern with
/// <see cref="GlobMatcher.Match(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/> would, but indexed: literal patterns in a hash set, <c>prefix*</c> patterns in
/// hash sets per prefix length, <c>*</c> as a flag, and only the remaining globs matched one by one. Redis scans its
/// pattern list linearly; with 1,000 patterns this makes a check cost a handful of hash probes instead.
/// Redis's matcher never lets a pattern starting with <c>*</c> match the empty string, so <c>*</c> here means
/// "any non-empty text".
/// </summary>
internal sealed class GlobPatternSet
{
    private readonly bool _matchAnyNonEmpty;
    private readonly ByteStringSet _literals;
    private readonly int[] _prefixLengths;
    private readonly ByteStringSet[] _prefixes;
    private readonly byte[][] _globs;

    public GlobPatternSet(IEnumerable<byte[]> patterns)
    {
        var literals = new List<byte[]>();
        var prefixes = new SortedDictionary<int, List<byte[]>>();
        var globs = new List<byte[]>();
        foreach (var p in patterns)
        {
            if (p is [(byte)'*'])
            {
                _matchAnyNonEmpty = true;
            }
            else if (!GlobMatcher.HasGlobChars(p))
            {
                literals.Add(p);
            }
            else if (GlobMatcher.TryGetLiteralPrefix(p, out int len) && len > 0)
            {
                if (!prefixes.TryGetValue(len, out var list))
                {
                    list = [];
                    prefixes[len] = list;
                }

                list.Add(p[..len]);
            }
            else
            {
                globs.Add(p);
            }
        }

        _literals = new ByteStringSet(literals);
        _prefixLengths = [.. prefixes.Keys];
        _prefixes = [.. prefixes.Values.Select(l => new ByteStringSet(l))];
        _globs = [.. globs];
        IsEmpty = !_matchAnyNonEmpty && literals.Count == 0 && prefixes.Count == 0 && globs.Count == 0;
    }

    public bool IsEmpty { get; }

    public bool Matches(ReadOnlySpan<byte> text)
    {
        if (_matchAnyNonEmpty && text.Length > 0)
        {
            return true;
        }

        if (_literals.Contains(text))
        {
            return true;
        }

        var lengths = _prefixLengths;
        for (int i = 0; i < lengths.Length; i++)
        {
            int len = lengths[i];
            if (len > text.Length)
            {
                break;
            }

            if (_prefixes[i].Contains(text[..len]))
            {
                return true;
            }
        }

        foreach (var g in _globs)
        {
            if (GlobMatcher.Match(g, text))
            {
                return true;
            }
        }

        return false;
    }
}
