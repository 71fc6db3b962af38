namespace AclOperator.Acl.Evaluation;

/// <summary>Redis's <c>string2ll</c>: strict base-10 long long parsing (no sign other than a leading '-', no
/// leading zeros, no spaces, at most 20 bytes).</summary>
public static class RedisInteger
{
    public static bool TryParse(ReadOnlySpan<byte> s, out long value)
    {
        value = 0;
        if (s.Length == 0 || s.Length >= 21)
        {
            return false;
        }

        if (s.Length == 1 && s[0] == (byte)'0')
        {
            return true;
        }

        int p = 0;
        bool negative = false;
        if (s[0] == (byte)'-')
        {
            negative = true;
            p++;
            if (p == s.Length)
            {
                return false;
            }
        }

        if (s[p] < (byte)'1' || s[p] > (byte)'9')
        {
            return false;
        }

        ulong v = (ulong)(s[p] - '0');
        p++;
        while (p < s.Length && s[p] >= (byte)'0' && s[p] <= (byte)'9')
        {
            if (v > ulong.MaxValue / 10)
            {
                return false;
            }

            v *= 10;
            ulong digit = (ulong)(s[p] - '0');
            if (v > ulong.MaxValue - digit)
            {
                return false;
            }

            v += digit;
            p++;
        }

        if (p < s.Length)
        {
            return false;
        }

        if (negative)
        {
            if (v > (ulong)long.MaxValue + 1)
            {
                return false;
            }

            value = unchecked(-(long)v);
        }
        else
        {
            if (v > long.MaxValue)
            {
                return false;
            }

            value = (long)v;
        }

        return true;
    }
}
