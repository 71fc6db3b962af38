using System.Numerics;
using AclOperator.Acl.Commands;
using AclOperator.Acl.Matching;
using AclOperator.Acl.Users;

namespace AclOperator.Acl.Containment;

/// <summary>
/// The rule ceiling of requirement O2: a user is admitted only if every selector's <b>effective</b> permissions
/// (command bits, first-args, key and channel patterns, nopass) lie within one selector-free ceiling rule. Rule text
/// is never compared: <c>+@all -@admin</c> and <c>+get +set …</c> are judged by the bits they produce.
/// </summary>
/// <remarks>
/// <para>The check is sound with respect to the evaluator (spec §6.2): if it reports a user as contained, every
/// command the user may run (command, keys, channels) the ceiling may run too. It is conservative where exactness
/// would need glob-language inclusion: ceiling patterns other than an exact string, <c>*</c> or a literal prefix
/// <c>c*</c> only cover the identical pattern.</para>
/// <para>Cost per user: one pass over the command bit words (<c>user &amp; ~ceiling</c>), plus user patterns ×
/// ceiling patterns; the first-arg table is visited only when the selector has first-args.</para>
/// </remarks>
public static class AclContainment
{
    /// <summary>Name of the pseudo-user that holds a ceiling (under the reserved <c>_aclop</c> prefix, O1).</summary>
    public const string CeilingUserName = "_aclop.ceiling";

    /// <summary>The fixed floor appended to tenant ceilings (O2).</summary>
    public static IReadOnlyList<string> TenantFloorRules { get; } = Array.AsReadOnly(
    [
        "-@admin", "-@dangerous", "-@scripting", "-flushall", "-flushdb", "-swapdb", "-keys", "-scan", "-randomkey",
        "-select", "-move", "-copy", "-monitor", "-client", "-pubsub|channels",
    ]);

    private static readonly string[] UserLevelKeywords =
        ["on", "off", "skip-sanitize-payload", "sanitize-payload", "resetpass", "reset", "clearselectors"];

    /// <summary>
    /// Builds the ceiling from one selector-free rule list, applied (like ACL SETUSER) to a new user that starts
    /// with <c>resetchannels</c> whatever <c>acl-pubsub-default</c> says, so the ceiling grants exactly what its rules
    /// say. With <paramref name="applyTenantFloor"/>, <see cref="TenantFloorRules"/> are applied after the rules.
    /// </summary>
    /// <remarks>
    /// Rejected: selectors (<c>(...)</c>) and user-level rules (<c>on</c>, <c>off</c>, passwords, <c>reset</c>,
    /// <c>resetpass</c>, <c>clearselectors</c>, <c>[skip-]sanitize-payload</c>); <c>nopass</c> is accepted and means
    /// that users may have <c>nopass</c> (<see cref="CeilingBuildResult.AllowsNoPass"/>). Unknown commands and other
    /// rule errors are reported with Redis's own text.
    /// </remarks>
    public static CeilingBuildResult BuildCeiling(IEnumerable<string> ceilingRules, bool applyTenantFloor, AclOptions options)
    {
        ArgumentNullException.ThrowIfNull(ceilingRules);
        ArgumentNullException.ThrowIfNull(options);
        var rules = new List<string> { "resetchannels" };
        bool noPass = false;
        foreach (var rule in ceilingRules)
        {
            if (rule is null)
            {
                return Invalid("the ceiling rule list contains a null rule");
            }

            int nul = rule.IndexOf('\0', StringComparison.Ordinal);
            var token = nul < 0 ? rule : rule[..nul];
            if (token.StartsWith('('))
            {
                return Invalid($"ceiling rule '{rule}' is a selector; a ceiling is one selector-free rule");
            }

            if (token.Equals("nopass", StringComparison.OrdinalIgnoreCase))
            {
                noPass = true;
                continue;
            }

            if (IsUserLevel(token))
            {
                return Invalid($"ceiling rule '{rule}' is a user-level rule; only 'nopass' is allowed in a ceiling");
            }

            rules.Add(rule);
        }

        if (applyTenantFloor)
        {
            rules.AddRange(TenantFloorRules);
        }

        if (noPass)
        {
            rules.Add("nopass");
        }

        var result = AclUserRules.Apply(CeilingUserName, null, rules, options);
        return result.Succeeded
            ? new CeilingBuildResult(result.User, noPass, null)
            : Invalid("invalid ceiling rule: " + AclText.ToUtf8(result.Error!));

        static CeilingBuildResult Invalid(string error) => new(null, false, error);
    }

    /// <summary>Checks <paramref name="user"/> against a ceiling built over <see cref="AclOptions.Default"/>'s command table.</summary>
    public static ContainmentResult Check(AclUser user, AclUser ceiling, bool allowNoPass) =>
        Check(user, ceiling, allowNoPass, AclOptions.Default);

    /// <summary>
    /// Is every selector of <paramref name="user"/> within <paramref name="ceiling"/>'s root selector? Returns every
    /// violation (see <see cref="ContainmentResult.Violations"/> for the order).
    /// </summary>
    /// <param name="user">The compiled user (any number of selectors).</param>
    /// <param name="ceiling">A one-selector ceiling, normally from <see cref="BuildCeiling"/>.</param>
    /// <param name="allowNoPass">Whether a user may have <c>nopass</c> (normally <see cref="CeilingBuildResult.AllowsNoPass"/>); authoritative.</param>
    /// <param name="options">The options both users were built with (their command table gives the bit ids).</param>
    /// <exception cref="ArgumentException">The ceiling has more than one selector.</exception>
    public static ContainmentResult Check(AclUser user, AclUser ceiling, bool allowNoPass, AclOptions options)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(ceiling);
        ArgumentNullException.ThrowIfNull(options);
        if (ceiling.Selectors.Count != 1)
        {
            throw new ArgumentException("A ceiling has exactly one selector.", nameof(ceiling));
        }

        List<ContainmentViolation>? violations = null;
        if (user.NoPass && !allowNoPass)
        {
            Add(ref violations, 0, ContainmentViolationKind.NoPass, "nopass", null,
                "user has 'nopass', which the ceiling does not allow");
        }

        var table = options.Commands;
        var c = ceiling.Root;
        var psubscribe = table.Find("psubscribe"u8);
        bool ceilingAllowsPsubscribe = psubscribe is not null && AllowsCommand(c, psubscribe.Id);
        for (int i = 0; i < user.Selectors.Count; i++)
        {
            var s = user.Selectors[i];
            CheckCommands(i, s, c, table, ref violations);
            CheckKeys(i, s, c, ref violations);
            bool exactChannels = ceilingAllowsPsubscribe && AllowsCommand(s, psubscribe!.Id);
            CheckChannels(i, s, c, exactChannels, ref violations);
        }

        return violations is null ? ContainmentResult.Contained : new ContainmentResult(violations);
    }

    private static bool IsUserLevel(string token)
    {
        if (token.Length > 0 && token[0] is '>' or '#' or '<' or '!')
        {
            return true;
        }

        foreach (var k in UserLevelKeywords)
        {
            if (token.Equals(k, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static void CheckCommands(int index, AclSelector s, AclSelector c, CommandTable table, ref List<ContainmentViolation>? violations)
    {
        if (s.FutureCommands && !c.FutureCommands)
        {
            Add(ref violations, index, ContainmentViolationKind.AllCommands, "+@all", null,
                $"selector {index} allows '+@all' (every command, including commands added later), which the ceiling denies");
        }

        var userBits = s.CommandBits;
        var ceilingBits = c.CommandBits;
        int count = table.Count;
        for (int w = 0; w < userBits.Length; w++)
        {
            ulong extra = userBits[w] & ~(w < ceilingBits.Length ? ceilingBits[w] : 0UL);
            while (extra != 0)
            {
                int id = (w << 6) + BitOperations.TrailingZeroCount(extra);
                extra &= extra - 1;
                if (id >= count)
                {
                    break;
                }

                var cmd = table.All[id];

                // Container parents are never checked (a call resolves to a subcommand, spec §3.3), and no-auth
                // commands (AUTH, HELLO, QUIT, RESET) are allowed whatever the bits say.
                if (cmd.IsContainer || (cmd.Flags & CommandFlags.NoAuth) != 0)
                {
                    continue;
                }

                string rule = DescribeCommand(s, cmd);
                Add(ref violations, index, ContainmentViolationKind.Command, rule, cmd.FullName,
                    $"selector {index} allows '{rule}', which the ceiling denies");
            }
        }

        if (!s.HasFirstArgs)
        {
            return;
        }

        for (int id = 0; id < count; id++)
        {
            var args = s.FirstArgsOf(id);
            if (args is null || s.HasCommandBit(id) || c.HasCommandBit(id))
            {
                continue;
            }

            var cmd = table.All[id];
            if ((cmd.Flags & CommandFlags.NoAuth) != 0)
            {
                continue;
            }

            var ceilingArgs = c.FirstArgsOf(id);
            foreach (var arg in args)
            {
                if (ceilingArgs is not null && ContainsAsciiIgnoreCase(ceilingArgs, arg))
                {
                    continue;
                }

                string rule = "+" + cmd.FullName + "|" + AclText.ToUtf8(AsciiLower(arg));
                Add(ref violations, index, ContainmentViolationKind.FirstArg, rule, cmd.FullName,
                    $"selector {index} allows '{rule}', which the ceiling denies");
            }
        }
    }

    private static void CheckKeys(int index, AclSelector s, AclSelector c, ref List<ContainmentViolation>? violations)
    {
        if (c.AllKeys)
        {
            return;
        }

        if (s.AllKeys)
        {
            // A `*` pattern (%RW~*) is not enough: unlike allkeys it does not match the empty key name.
            Add(ref violations, index, ContainmentViolationKind.AllKeys, "~*", null,
                $"selector {index} allows '~*' (allkeys), which the ceiling denies");
            return;
        }

        foreach (var p in s.KeyPatterns)
        {
            KeyPattern? partial = null;
            bool covered = false;
            foreach (var cp in c.KeyPatterns)
            {
                if (!Covers(cp.Pattern, p.Pattern))
                {
                    continue;
                }

                if ((cp.Permission & p.Permission) == p.Permission)
                {
                    covered = true;
                    break;
                }

                partial ??= cp;
            }

            if (covered)
            {
                continue;
            }

            string rule = AclText.ToUtf8(p.ToString());
            string message = partial is null
                ? $"selector {index} allows '{rule}', which the ceiling denies"
                : $"selector {index} allows '{rule}', which the ceiling denies (it grants only '{AclText.ToUtf8(partial.ToString())}' there)";
            Add(ref violations, index, ContainmentViolationKind.Key, rule, null, message);
        }
    }

    private static void CheckChannels(int index, AclSelector s, AclSelector c, bool exact, ref List<ContainmentViolation>? violations)
    {
        if (c.AllChannels)
        {
            return;
        }

        if (s.AllChannels)
        {
            Add(ref violations, index, ContainmentViolationKind.AllChannels, "&*", null,
                $"selector {index} allows '&*' (allchannels), which the ceiling denies");
            return;
        }

        foreach (var ch in s.ChannelPatterns)
        {
            bool covered = false;
            foreach (var cc in c.ChannelPatterns)
            {
                if (exact ? cc.AsSpan().SequenceEqual(ch) : Covers(cc, ch))
                {
                    covered = true;
                    break;
                }
            }

            if (covered)
            {
                continue;
            }

            string rule = "&" + AclText.ToUtf8(AclText.FromBytes(ch));
            string message = exact && HasCoveringPattern(c.ChannelPatterns, ch)
                ? $"selector {index} allows '{rule}', which the ceiling denies (PSUBSCRIBE compares patterns verbatim, so the ceiling must list '{rule}' itself)"
                : $"selector {index} allows '{rule}', which the ceiling denies";
            Add(ref violations, index, ContainmentViolationKind.Channel, rule, null, message);
        }
    }

    private static bool HasCoveringPattern(IReadOnlyList<byte[]> ceilingPatterns, byte[] pattern)
    {
        foreach (var cc in ceilingPatterns)
        {
            if (Covers(cc, pattern))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// True when every text <paramref name="pattern"/> can match is matched by <paramref name="ceiling"/>: the same
    /// pattern; <c>*</c> (which matches every non-empty text, and only the empty pattern matches the empty text); or
    /// a literal prefix <c>c*</c> that starts the pattern's own literal prefix (its bytes before the first
    /// <c>* ? [ \</c>, which every match must begin with).
    /// </summary>
    internal static bool Covers(ReadOnlySpan<byte> ceiling, ReadOnlySpan<byte> pattern)
    {
        if (ceiling.SequenceEqual(pattern))
        {
            return true;
        }

        if (ceiling is [(byte)'*'])
        {
            return pattern.Length > 0;
        }

        if (!GlobMatcher.TryGetLiteralPrefix(ceiling, out int n))
        {
            return false;
        }

        int special = pattern.IndexOfAny("*?[\\"u8);
        var literal = special < 0 ? pattern : pattern[..special];
        return literal.StartsWith(ceiling[..n]);
    }

    private static bool AllowsCommand(AclSelector s, int id) =>
        s.AllCommands || s.HasCommandBit(id) || s.FirstArgsOf(id) is { Count: > 0 };

    /// <summary><c>+flushall</c>, or <c>+flushall (via +@all)</c> when a category, a container or +@all set the bit.</summary>
    private static string DescribeCommand(AclSelector s, RedisCommand cmd)
    {
        string own = "+" + cmd.FullName;
        string? source = SourceOf(s, cmd);
        return source is null || source == own ? own : $"{own} (via {source})";
    }

    /// <summary>The last rules-text entry that touched the command (it set the bit), or <c>+@all</c> when none did.</summary>
    private static string? SourceOf(AclSelector s, RedisCommand cmd)
    {
        var rules = s.CommandRules;
        for (int k = rules.Count - 1; k >= 0; k--)
        {
            string entry = rules[k];
            if (entry.Length < 2 || !Touches(entry.AsSpan(1), cmd))
            {
                continue;
            }

            return entry[0] == '+' ? entry : null;
        }

        return s.FutureCommands ? "+@all" : null;
    }

    private static bool Touches(ReadOnlySpan<char> name, RedisCommand cmd)
    {
        if (name[0] == '@')
        {
            return AclCategoryNames.TryParse(name[1..], out var category) &&
                   ((cmd.Categories & category) != 0 || (cmd.Parent is not null && (cmd.Parent.Categories & category) != 0));
        }

        return name.SequenceEqual(cmd.FullName) || (cmd.Parent is not null && name.SequenceEqual(cmd.Parent.FullName));
    }

    private static bool ContainsAsciiIgnoreCase(IReadOnlyList<string> list, string value)
    {
        foreach (var item in list)
        {
            if (EqualsAsciiIgnoreCase(item, value))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>C-locale <c>strcasecmp</c> equality: only A-Z/a-z fold (sound whatever folding the evaluator uses).</summary>
    private static bool EqualsAsciiIgnoreCase(string a, string b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        for (int i = 0; i < a.Length; i++)
        {
            char x = a[i];
            char y = b[i];
            if (x == y)
            {
                continue;
            }

            // x is a letter and y is x with the case bit flipped, i.e. the same letter in the other case.
            if (!char.IsAsciiLetter(x) || (x | 0x20) != (y | 0x20))
            {
                return false;
            }
        }

        return true;
    }

    private static string AsciiLower(string s) =>
        string.Create(s.Length, s, static (dst, src) =>
        {
            for (int i = 0; i < src.Length; i++)
            {
                char ch = src[i];
                dst[i] = ch is >= 'A' and <= 'Z' ? (char)(ch | 0x20) : ch;
            }
        });

    private static void Add(
        ref List<ContainmentViolation>? violations, int index, ContainmentViolationKind kind, string rule, string? command, string message)
    {
        violations ??= [];
        violations.Add(new ContainmentViolation(index, kind, rule, command, message));
    }
}
