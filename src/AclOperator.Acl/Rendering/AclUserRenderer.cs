using System.Text;
using AclOperator.Acl.Users;

namespace AclOperator.Acl.Rendering;

/// <summary>
/// Canonical rendering of users exactly as Redis 7.4 prints them (<c>ACLDescribeUser</c>): the ACL LIST / aclfile
/// line and the GETUSER structure. One deliberate difference (spec §10.4): a plain read-write key pattern <c>*</c>
/// (from <c>%RW~*</c>, which is not <c>allkeys</c>) renders as <c>%RW~*</c> instead of <c>~*</c>, so that ACL SAVE never
/// writes a file that ACL LOAD rejects.
/// </summary>
public static class AclUserRenderer
{
    /// <summary><c>user &lt;name&gt; &lt;description&gt;</c> (byte-string).</summary>
    public static string AclListLine(AclUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return "user " + user.Name + " " + Describe(user);
    }

    /// <summary>The description: flags, <c>#hash</c>es, root selector, then <c> (selector)</c> for each other selector.</summary>
    public static string Describe(AclUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var sb = new StringBuilder(128);
        foreach (var f in Flags(user))
        {
            sb.Append(f).Append(' ');
        }

        foreach (var h in user.PasswordHashes)
        {
            sb.Append('#').Append(h).Append(' ');
        }

        foreach (var s in user.Selectors)
        {
            if (s.IsRoot)
            {
                AppendSelector(sb, s);
            }
            else
            {
                sb.Append(" (");
                AppendSelector(sb, s);
                sb.Append(')');
            }
        }

        return sb.ToString();
    }

    /// <summary>The user flags in Redis's fixed order: on|off, nopass, skip-sanitize-payload|sanitize-payload.</summary>
    public static IReadOnlyList<string> Flags(AclUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var flags = new List<string>(3) { user.Enabled ? "on" : "off" };
        if (user.NoPass)
        {
            flags.Add("nopass");
        }

        flags.Add(user.SkipSanitizePayload ? "skip-sanitize-payload" : "sanitize-payload");
        return flags;
    }

    /// <summary>ACL GETUSER.</summary>
    public static UserDescription GetUser(AclUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var root = user.Root;
        var selectors = new List<SelectorDescription>(user.Selectors.Count - 1);
        for (int i = 1; i < user.Selectors.Count; i++)
        {
            var s = user.Selectors[i];
            selectors.Add(new SelectorDescription(CommandRules(s), Keys(s), Channels(s)));
        }

        return new UserDescription(Flags(user), [.. user.PasswordHashes], CommandRules(root), Keys(root), Channels(root), selectors);
    }

    /// <summary><c>+@all</c>/<c>-@all</c> (the future-commands bit) followed by the rules text.</summary>
    public static string CommandRules(AclSelector selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        var head = selector.FutureCommands ? "+@all" : "-@all";
        return selector.CommandRules.Count == 0 ? head : head + " " + string.Join(' ', selector.CommandRules);
    }

    /// <summary>GETUSER <c>keys</c>: <c>~*</c>, or the patterns space-joined, or empty.</summary>
    public static string Keys(AclSelector selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        if (selector.AllKeys)
        {
            return "~*";
        }

        var sb = new StringBuilder();
        foreach (var p in selector.KeyPatterns)
        {
            if (sb.Length > 0)
            {
                sb.Append(' ');
            }

            AppendPattern(sb, p);
        }

        return sb.ToString();
    }

    /// <summary>GETUSER <c>channels</c>: <c>&amp;*</c>, or <c>&amp;a &amp;b</c>, or empty.</summary>
    public static string Channels(AclSelector selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        if (selector.AllChannels)
        {
            return "&*";
        }

        return string.Join(' ', selector.ChannelPatterns.Select(c => "&" + AclText.FromBytes(c)));
    }

    private static void AppendSelector(StringBuilder sb, AclSelector s)
    {
        if (s.AllKeys)
        {
            sb.Append("~* ");
        }
        else
        {
            foreach (var p in s.KeyPatterns)
            {
                AppendPattern(sb, p);
                sb.Append(' ');
            }
        }

        if (s.AllChannels)
        {
            sb.Append("&* ");
        }
        else
        {
            sb.Append("resetchannels ");
            foreach (var c in s.ChannelPatterns)
            {
                sb.Append('&').Append(AclText.FromBytes(c)).Append(' ');
            }
        }

        sb.Append(CommandRules(s));
    }

    private static void AppendPattern(StringBuilder sb, KeyPattern p)
    {
        if (p.Permission == KeyPermission.ReadWrite && p.Pattern is [(byte)'*'])
        {
            sb.Append("%RW~*");
            return;
        }

        sb.Append(p.ToString());
    }
}
