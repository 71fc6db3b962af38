namespace AclOperator.Acl.Evaluation;

/// <summary>The first SORT/SORT_RO option that reads keys named by a pattern (E16).</summary>
public enum SortPatternUse
{
    /// <summary>No BY pattern with <c>*</c> and no GET before the end of the options (or before a syntax error).</summary>
    None = 0,

    /// <summary>A <c>BY</c> whose pattern contains <c>*</c>.</summary>
    By = 1,

    /// <summary>A <c>GET</c> (any pattern, even <c>#</c>).</summary>
    Get = 2,
}

/// <summary>
/// Scans SORT / SORT_RO options exactly as sort.c's sortCommandGeneric parses them, for the extra ACL check on BY and
/// GET patterns (spec §6.4; E16): such an option needs a selector with full read access to the keyspace. The caller
/// replies <c>ERR BY option of SORT denied due to insufficient ACL permissions.</c> or
/// <c>ERR GET option of SORT denied due to insufficient ACL permissions.</c>.
/// </summary>
public static class SortOptionScanner
{
    /// <summary>
    /// The first option that sort.c checks against ACLs, or <see cref="SortPatternUse.None"/>. Parsing stops (None)
    /// at the first syntax error or LIMIT integer error that comes before such an option, because sort.c replies
    /// that error first.
    /// </summary>
    /// <param name="argv">The full argv (argv[0] = SORT or SORT_RO, argv[1] = the key).</param>
    /// <param name="readOnly">True for SORT_RO (STORE is then a syntax error).</param>
    public static SortPatternUse FirstPatternOption(CommandArgs argv, bool readOnly)
    {
        int argc = argv.Count;
        for (int j = 2; j < argc; j++)
        {
            int left = argc - j - 1;
            var arg = argv[j];
            if (KeyExtractor.CStringEqualsIgnoreCase(arg, "ASC"u8) || KeyExtractor.CStringEqualsIgnoreCase(arg, "DESC"u8)
                || KeyExtractor.CStringEqualsIgnoreCase(arg, "ALPHA"u8))
            {
                continue;
            }

            if (KeyExtractor.CStringEqualsIgnoreCase(arg, "LIMIT"u8) && left >= 2)
            {
                if (!RedisInteger.TryParse(argv[j + 1], out _) || !RedisInteger.TryParse(argv[j + 2], out _))
                {
                    return SortPatternUse.None;
                }

                j += 2;
            }
            else if (!readOnly && KeyExtractor.CStringEqualsIgnoreCase(arg, "STORE"u8) && left >= 1)
            {
                j++;
            }
            else if (KeyExtractor.CStringEqualsIgnoreCase(arg, "BY"u8) && left >= 1)
            {
                // strchr(pattern, '*') on the C string: only the bytes before the first NUL count.
                var pattern = argv[j + 1];
                int nul = pattern.IndexOf((byte)0);
                if (nul >= 0)
                {
                    pattern = pattern[..nul];
                }

                if (pattern.IndexOf((byte)'*') >= 0)
                {
                    return SortPatternUse.By;
                }

                j++;
            }
            else if (KeyExtractor.CStringEqualsIgnoreCase(arg, "GET"u8) && left >= 1)
            {
                return SortPatternUse.Get;
            }
            else
            {
                return SortPatternUse.None;
            }
        }

        return SortPatternUse.None;
    }
}
