namespace AclOperator.Acl.Matching;

/// <summary>
/// Byte-exact port of Redis 7.4 <c>stringmatchlen</c> (src/util.c), the glob matcher used by ACL key and channel
/// patterns, KEYS and SCAN MATCH.
/// </summary>
/// <remarks>
/// <para>All quirks are kept on purpose, so a pattern means exactly what it means to Redis:</para>
/// <list type="bullet">
/// <item>Runs of <c>*</c> collapse; a pattern that starts with <c>*</c> never matches the empty text (the main loop
/// only runs while both pattern and text are non-empty), so <c>*</c> does not match <c>""</c>.</item>
/// <item><c>[...]</c> / <c>[^...]</c> classes; <c>x-y</c> ranges with reversed ends swapped; <c>\c</c> inside a class
/// is compared case-sensitively even when <c>nocase</c> is set.</item>
/// <item>Range ends and the text byte are compared as C <c>char</c> values, which are <b>signed</b> on x86-64:
/// bytes 0x80..0xFF sort below 0x00 (so <c>[a-\xff]</c> is the range -1..97).</item>
/// <item>A range may consume the closing bracket: in <c>[a-]</c> the <c>]</c> is the range end and the class goes on.</item>
/// <item>An unterminated class matches against what it collected and ends the pattern (<c>[ab</c> matches <c>a</c>);
/// <c>[</c> alone never matches and <c>[^</c> alone matches any one byte.</item>
/// <item>A trailing backslash is a literal backslash.</item>
/// <item>The <c>skipLongerMatches</c> short-cut and the nesting limit (more than 1000 nested <c>*</c> recursions
/// give "no match").</item>
/// </list>
/// <para>Reads one past the end of the pattern are treated as reading the NUL terminator that Redis's sds strings
/// always have.</para>
/// </remarks>
public static class GlobMatcher
{
    /// <summary>Redis's protection against abusive patterns: deeper nesting is "no match".</summary>
    public const int MaxNesting = 1000;

    /// <summary>Case-sensitive match, as used by ACL key and channel patterns.</summary>
    public static bool Match(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> text) => Match(pattern, text, nocase: false);

    /// <summary>Match with Redis's <c>nocase</c> flag (ASCII-only case folding, the C locale).</summary>
    public static bool Match(ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> text, bool nocase)
    {
        bool skipLongerMatches = false;
        return MatchImpl(pattern, text, nocase, ref skipLongerMatches, 0);
    }

    /// <summary>True if the pattern contains any byte that is special to the matcher: <c>* ? [ \</c>.</summary>
    public static bool HasGlobChars(ReadOnlySpan<byte> pattern) => pattern.IndexOfAny("*?[\\"u8) >= 0;

    /// <summary>
    /// True when the pattern is a non-empty run of literal bytes (none of <c>* ? [ \</c>) followed by exactly one
    /// trailing <c>*</c>; such a pattern matches exactly the texts that start with the literal prefix.
    /// </summary>
    /// <remarks>
    /// The bare pattern <c>*</c> (empty prefix) returns false: Redis's matcher does not match it against the empty
    /// text, so it is not "every text starting with the empty prefix".
    /// </remarks>
    public static bool TryGetLiteralPrefix(ReadOnlySpan<byte> pattern, out int prefixLength)
    {
        prefixLength = 0;
        if (pattern.Length < 2 || pattern[^1] != (byte)'*')
        {
            return false;
        }

        ReadOnlySpan<byte> prefix = pattern[..^1];
        if (HasGlobChars(prefix))
        {
            return false;
        }

        prefixLength = prefix.Length;
        return true;
    }

    /// <summary>The byte at <paramref name="index"/> as a signed C char, or 0 (the sds terminator) past the end.</summary>
    private static int At(ReadOnlySpan<byte> s, int index) => (uint)index < (uint)s.Length ? (sbyte)s[index] : 0;

    /// <summary>C-locale <c>tolower</c>: only A-Z change.</summary>
    private static int ToLower(int c) => c is >= 'A' and <= 'Z' ? c + ('a' - 'A') : c;

    private static bool MatchImpl(
        ReadOnlySpan<byte> pattern, ReadOnlySpan<byte> str, bool nocase, ref bool skipLongerMatches, int nesting)
    {
        // Protection against abusive patterns.
        if (nesting > MaxNesting)
        {
            return false;
        }

        // p / s are the C pointers; the remaining lengths are pattern.Length - p and str.Length - s.
        int p = 0;
        int s = 0;
        while (p < pattern.Length && s < str.Length)
        {
            switch (pattern[p])
            {
                case (byte)'*':
                    while (p < pattern.Length && At(pattern, p + 1) == '*')
                    {
                        p++;
                    }

                    if (pattern.Length - p == 1)
                    {
                        return true;
                    }

                    while (s < str.Length)
                    {
                        if (MatchImpl(pattern[(p + 1)..], str[s..], nocase, ref skipLongerMatches, nesting + 1))
                        {
                            return true;
                        }

                        if (skipLongerMatches)
                        {
                            return false;
                        }

                        s++;
                    }

                    // No match for the rest of the pattern from anywhere in the rest of the text: earlier stars
                    // cannot help either.
                    skipLongerMatches = true;
                    return false;

                case (byte)'?':
                    s++;
                    break;

                case (byte)'[':
                {
                    p++;
                    bool not = At(pattern, p) == '^';
                    if (not)
                    {
                        p++;
                    }

                    bool match = false;
                    while (true)
                    {
                        int remaining = pattern.Length - p;
                        int c0 = At(pattern, p);
                        if (c0 == '\\' && remaining >= 2)
                        {
                            p++;
                            if (pattern[p] == str[s])
                            {
                                match = true;
                            }
                        }
                        else if (c0 == ']')
                        {
                            break;
                        }
                        else if (remaining == 0)
                        {
                            // Unterminated class: step back so the outer increment ends the pattern.
                            p--;
                            break;
                        }
                        else if (remaining >= 3 && pattern[p + 1] == (byte)'-')
                        {
                            int start = (sbyte)pattern[p];
                            int end = (sbyte)pattern[p + 2];
                            int c = (sbyte)str[s];
                            if (start > end)
                            {
                                (start, end) = (end, start);
                            }

                            if (nocase)
                            {
                                start = ToLower(start);
                                end = ToLower(end);
                                c = ToLower(c);
                            }

                            p += 2;
                            if (c >= start && c <= end)
                            {
                                match = true;
                            }
                        }
                        else if (!nocase)
                        {
                            if (pattern[p] == str[s])
                            {
                                match = true;
                            }
                        }
                        else if (ToLower((sbyte)pattern[p]) == ToLower((sbyte)str[s]))
                        {
                            match = true;
                        }

                        p++;
                    }

                    if (not)
                    {
                        match = !match;
                    }

                    if (!match)
                    {
                        return false;
                    }

                    s++;
                    break;
                }

                default:
                    if (pattern[p] == (byte)'\\' && pattern.Length - p >= 2)
                    {
                        p++;
                    }

                    if (!nocase)
                    {
                        if (pattern[p] != str[s])
                        {
                            return false;
                        }
                    }
                    else if (ToLower((sbyte)pattern[p]) != ToLower((sbyte)str[s]))
                    {
                        return false;
                    }

                    s++;
                    break;
            }

            p++;
            if (s == str.Length)
            {
                while (At(pattern, p) == '*')
                {
                    p++;
                }

                break;
            }
        }

        return p == pattern.Length && s == str.Length;
    }
}
