namespace AclOperator.Server.Configuration;

/// <summary>Redis's number parsers for config values (src/util.c <c>memtoull</c>, <c>string2ll</c>, C <c>strtoll</c>).</summary>
internal static class ConfigNumbers
{
    /// <summary>
    /// <c>memtoull</c>: digits followed by nothing, <c>b</c>, <c>k</c> (1000), <c>kb</c> (1024), <c>m</c>, <c>mb</c>,
    /// <c>g</c>, <c>gb</c> (units case-insensitive). A leading <c>-</c> is an error; no digits means 0, as in Redis.
    /// </summary>
    public static bool TryParseMemory(string s, out ulong value)
    {
        value = 0;
        if (s.Length > 0 && s[0] == '-')
        {
            return false;
        }

        int u = 0;
        while (u < s.Length && char.IsAsciiDigit(s[u]))
        {
            u++;
        }

        ulong mul;
        switch (s[u..].ToLowerInvariant())
        {
            case "" or "b": mul = 1; break;
            case "k": mul = 1000; break;
            case "kb": mul = 1024; break;
            case "m": mul = 1000 * 1000; break;
            case "mb": mul = 1024 * 1024; break;
            case "g": mul = 1000UL * 1000 * 1000; break;
            case "gb": mul = 1024UL * 1024 * 1024; break;
            default: return false;
        }

        if (u >= 128)
        {
            return false;
        }

        ulong digits = 0;
        for (int i = 0; i < u; i++)
        {
            // strtoull saturates at ULLONG_MAX on overflow and memtoull does not check ERANGE.
            ulong d = (ulong)(s[i] - '0');
            digits = digits > (ulong.MaxValue - d) / 10 ? ulong.MaxValue : (digits * 10) + d;
        }

        value = unchecked(digits * mul);
        return true;
    }

    /// <summary><c>string2ll</c>: strict decimal (no spaces, no <c>+</c>, no leading zeros), fits a long.</summary>
    public static bool TryParseStrictLong(string s, out long value)
    {
        value = 0;
        if (s.Length == 0 || s.Length > 20)
        {
            return false;
        }

        if (s == "0")
        {
            return true;
        }

        int i = 0;
        bool negative = false;
        if (s[0] == '-')
        {
            negative = true;
            i = 1;
        }

        if (i >= s.Length || s[i] < '1' || s[i] > '9')
        {
            return false;
        }

        ulong v = 0;
        for (; i < s.Length; i++)
        {
            if (!char.IsAsciiDigit(s[i]))
            {
                return false;
            }

            ulong d = (ulong)(s[i] - '0');
            if (v > (ulong.MaxValue - d) / 10)
            {
                return false;
            }

            v = (v * 10) + d;
        }

        if (negative)
        {
            if (v > (ulong)long.MaxValue + 1)
            {
                return false;
            }

            value = unchecked(-(long)v);
            return true;
        }

        if (v > long.MaxValue)
        {
            return false;
        }

        value = (long)v;
        return true;
    }

    /// <summary>
    /// C <c>strtoll(s, &amp;end, 10)</c> followed by Redis's <c>*end == '\0'</c> check: leading blanks and a sign are
    /// allowed, an empty string is 0, overflow saturates.
    /// </summary>
    public static bool TryParseCLong(string s, out long value)
    {
        value = 0;
        int i = 0;
        while (i < s.Length && SdsArgs.IsSpace(s[i]))
        {
            i++;
        }

        bool negative = false;
        if (i < s.Length && (s[i] == '+' || s[i] == '-'))
        {
            negative = s[i] == '-';
            i++;
        }

        int start = i;
        decimal v = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            v = Math.Min((v * 10) + (s[i] - '0'), (decimal)ulong.MaxValue);
            i++;
        }

        if (i == start)
        {
            // No digits: strtoll consumes nothing, so the end pointer is the start of the string.
            return s.Length == 0;
        }

        if (i != s.Length)
        {
            return false;
        }

        v = negative ? -v : v;
        value = v > long.MaxValue ? long.MaxValue : v < long.MinValue ? long.MinValue : (long)v;
        return true;
    }

    /// <summary><c>yesnotoi</c>: case-insensitive yes/no.</summary>
    public static bool TryParseYesNo(string s, out bool value)
    {
        value = string.Equals(s, "yes", StringComparison.OrdinalIgnoreCase);
        return value || string.Equals(s, "no", StringComparison.OrdinalIgnoreCase);
    }
}
