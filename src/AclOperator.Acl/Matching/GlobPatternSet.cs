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

        if (_prefixLengths.Length != 0 || _literals.Count != 0)
        {
            // One FNV pass over the text yields the hash of every prefix and of the whole text.
            var lengths = _prefixLengths;
            int next = 0;
            uint h = ByteStringSet.Seed;
            for (int i = 0; i < text.Length; i++)
            {
                h = ByteStringSet.Step(h, text[i]);
                if (next < lengths.Length && lengths[next] == i + 1)
                {
                    if (_prefixes[next].Contains(text[..(i + 1)], h))
                    {
                        return true;
                    }

                    next++;
                    if (next == lengths.Length && _literals.Count == 0)
                    {
                        break;
                    }
                }
            }

            if (_literals.Count != 0 && _literals.Contains(text, h))
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
