using System.Text;
using AclOperator.Acl;
using AclOperator.Acl.Users;

namespace AclOperator.Benchmarks;

/// <summary>Users shaped like real tenants: per-application key prefixes, a category grant and a few commands.</summary>
internal static class BenchmarkUsers
{
    public static byte[][] Rules(params string[] rules) => Array.ConvertAll(rules, r => Encoding.ASCII.GetBytes(r));

    /// <summary>A user whose root selector has <paramref name="patterns"/> prefix patterns <c>~app{i}:*</c>.</summary>
    public static AclUser WithKeyPatterns(int patterns)
    {
        var rules = new List<string> { "on", ">benchpass", "+@read", "+@write", "-@dangerous", "&events:*" };
        for (int i = 0; i < patterns; i++)
        {
            rules.Add($"~app{i}:*");
        }

        return AclUserRules.Apply("bench", null, Rules([.. rules]), AclOptions.Default).User!;
    }

    /// <summary>An aclfile with <paramref name="count"/> users of about ten rules each.</summary>
    public static byte[] AclFile(int count)
    {
        var sb = new StringBuilder(count * 160);
        for (int i = 0; i < count; i++)
        {
            sb.Append("user tenant").Append(i).Append(" on #").Append(i.ToString("x64", System.Globalization.CultureInfo.InvariantCulture))
              .Append(" ~t").Append(i).Append(":* %R~shared:* resetchannels &t").Append(i).Append(".* -@all +@read +@write -@dangerous +ping -keys (~log:").Append(i).Append(" +xadd)\n");
        }

        return Encoding.ASCII.GetBytes(sb.ToString());
    }
}
