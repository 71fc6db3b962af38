using System.Text;
using AclOperator.Acl.Commands;
using AclOperator.Acl.Evaluation;
using AclOperator.Acl.Rules;

namespace AclOperator.Acl.Users;

/// <summary>
/// One selector of a user (the root selector, or one added with <c>(...)</c>): key patterns, channel patterns and
/// command permissions, kept exactly as Redis 7.4 keeps them (<c>aclSelector</c> in acl.c) so that rendering and
/// evaluation are byte-identical. Mutated only while a rule set is applied to a private copy of its user.
/// </summary>
public sealed class AclSelector
{
    private readonly List<KeyPattern> _keyPatterns;
    private readonly List<byte[]> _channels;
    private readonly List<string> _commandRules;
    private readonly ulong[] _commandBits;
    private Dictionary<int, List<string>>? _firstArgs;
    private SelectorIndex? _index;

    internal AclSelector(bool isRoot, int commandCount)
    {
        IsRoot = isRoot;
        _keyPatterns = [];
        _channels = [];
        _commandRules = [];
        _commandBits = new ulong[(commandCount + 63) / 64];
    }

    private AclSelector(AclSelector src)
    {
        IsRoot = src.IsRoot;
        AllKeys = src.AllKeys;
        AllChannels = src.AllChannels;
        AllCommands = src.AllCommands;
        FutureCommands = src.FutureCommands;
        _keyPatterns = src._keyPatterns.ConvertAll(p => p.Clone());
        _channels = [.. src._channels];
        _commandRules = [.. src._commandRules];
        _commandBits = (ulong[])src._commandBits.Clone();
        if (src._firstArgs is not null)
        {
            _firstArgs = [];
            foreach (var (id, list) in src._firstArgs)
            {
                _firstArgs[id] = [.. list];
            }
        }
    }

    public bool IsRoot { get; }

    /// <summary><c>allkeys</c> / <c>~*</c>.</summary>
    public bool AllKeys { get; private set; }

    /// <summary><c>allchannels</c> / <c>&amp;*</c>.</summary>
    public bool AllChannels { get; private set; }

    /// <summary>Redis's ALLCOMMANDS flag: set by <c>+@all</c>, cleared by any operation that clears a bit.</summary>
    public bool AllCommands { get; private set; }

    /// <summary>Redis's reserved "future commands" bit: set only by <c>+@all</c>, cleared by <c>-@all</c>.</summary>
    public bool FutureCommands { get; private set; }

    public IReadOnlyList<KeyPattern> KeyPatterns => _keyPatterns;

    /// <summary>Channel patterns, verbatim bytes, in insertion order.</summary>
    public IReadOnlyList<byte[]> ChannelPatterns => _channels;

    /// <summary>The ordered command rules text entries (<c>+get</c>, <c>-@hash</c>, <c>+select|0</c>), lowercase.</summary>
    public IReadOnlyList<string> CommandRules => _commandRules;

    /// <summary>True when the command bit for <paramref name="commandId"/> is set.</summary>
    public bool HasCommandBit(int commandId) => (_commandBits[commandId >> 6] & (1UL << commandId)) != 0;

    /// <summary>The first-args allowed for a command (legacy <c>+cmd|arg</c>), or null.</summary>
    public IReadOnlyList<string>? FirstArgsOf(int commandId) =>
        _firstArgs is not null && _firstArgs.TryGetValue(commandId, out var l) ? l : null;

    internal bool HasFirstArgs => _firstArgs is { Count: > 0 };

    internal ReadOnlySpan<ulong> CommandBits => _commandBits;

    /// <summary>Compiled lookup structures for fast evaluation; built once per selector version.</summary>
    internal SelectorIndex Index => _index ??= new SelectorIndex(this);

    internal AclSelector Clone() => new(this);

    internal static AclSelector CreateEmpty(bool isRoot, AclOptions options)
    {
        var s = new AclSelector(isRoot, options.Commands.Count);
        if (options.PubsubDefaultAllChannels)
        {
            s.AllChannels = true;
        }

        return s;
    }

    /// <summary>Applies one selector operation (<c>ACLSetSelector</c>). On error nothing was changed.</summary>
    internal AclRuleError Apply(ReadOnlySpan<byte> op, AclOptions options)
    {
        _index = null;
        var cop = AclText.CString(op);
        if (Ascii.EqualsIgnoreCase(cop, "allkeys"u8) || cop.SequenceEqual("~*"u8))
        {
            AllKeys = true;
            _keyPatterns.Clear();
        }
        else if (Ascii.EqualsIgnoreCase(cop, "resetkeys"u8))
        {
            AllKeys = false;
            _keyPatterns.Clear();
        }
        else if (Ascii.EqualsIgnoreCase(cop, "allchannels"u8) || cop.SequenceEqual("&*"u8))
        {
            AllChannels = true;
            _channels.Clear();
        }
        else if (Ascii.EqualsIgnoreCase(cop, "resetchannels"u8))
        {
            AllChannels = false;
            _channels.Clear();
        }
        else if (Ascii.EqualsIgnoreCase(cop, "allcommands"u8) || Ascii.EqualsIgnoreCase(cop, "+@all"u8))
        {
            Array.Fill(_commandBits, ulong.MaxValue);
            AllCommands = true;
            FutureCommands = true;
            _commandRules.Clear();
            _firstArgs = null;
        }
        else if (Ascii.EqualsIgnoreCase(cop, "nocommands"u8) || Ascii.EqualsIgnoreCase(cop, "-@all"u8))
        {
            Array.Clear(_commandBits);
            AllCommands = false;
            FutureCommands = false;
            _commandRules.Clear();
            _firstArgs = null;
        }
        else if (op.Length > 0 && (op[0] == (byte)'~' || op[0] == (byte)'%'))
        {
            return AddKeyPattern(op);
        }
        else if (op.Length > 0 && op[0] == (byte)'&')
        {
            if (AllChannels)
            {
                return AclRuleError.PatternAfterAllChannels;
            }

            var pat = op[1..];
            if (AclText.HasSpaceOrNul(pat))
            {
                return AclRuleError.SyntaxError;
            }

            if (IndexOfChannel(pat) < 0)
            {
                _channels.Add(pat.ToArray());
            }

            AllChannels = false;
        }
        else if (cop.Length > 0 && cop[0] == (byte)'+' && (cop.Length < 2 || cop[1] != (byte)'@'))
        {
            return AllowCommand(cop[1..], options.Commands);
        }
        else if (cop.Length > 0 && cop[0] == (byte)'-' && (cop.Length < 2 || cop[1] != (byte)'@'))
        {
            var cmd = LookupStrict(options.Commands, cop[1..]);
            if (cmd is null)
            {
                return AclRuleError.UnknownCommandOrCategory;
            }

            ChangePermission(cmd, allow: false);
            UpdateCommandRules(cmd.FullName, allow: false);
        }
        else if (cop.Length > 1 && (cop[0] == (byte)'+' || cop[0] == (byte)'-') && cop[1] == (byte)'@')
        {
            if (!AclCategoryNames.TryParse(Encoding.Latin1.GetString(cop[2..]), out var category))
            {
                return AclRuleError.UnknownCommandOrCategory;
            }

            bool allow = cop[0] == (byte)'+';
            UpdateCommandRules(AclText.FromBytes(cop[1..]), allow);
            foreach (var cmd in options.Commands.InCategory(category))
            {
                ChangePermission(cmd, allow);
            }
        }
        else
        {
            return AclRuleError.SyntaxError;
        }

        return AclRuleError.None;
    }

    private AclRuleError AddKeyPattern(ReadOnlySpan<byte> op)
    {
        if (AllKeys)
        {
            return AclRuleError.PatternAfterAllKeys;
        }

        var perm = KeyPermission.None;
        int offset = 1;
        if (op[0] == (byte)'%')
        {
            for (; offset < op.Length; offset++)
            {
                byte c = op[offset];
                if ((c | 0x20) == 'r' && (perm & KeyPermission.Read) == 0)
                {
                    perm |= KeyPermission.Read;
                }
                else if ((c | 0x20) == 'w' && (perm & KeyPermission.Write) == 0)
                {
                    perm |= KeyPermission.Write;
                }
                else if (c == (byte)'~' && perm != KeyPermission.None)
                {
                    offset++;
                    break;
                }
                else
                {
                    // Includes `%~` (CVE-2024-31227: Redis 7.4.1 rejects a pattern without permissions).
                    return AclRuleError.SyntaxError;
                }
            }

            if (perm == KeyPermission.None)
            {
                // `%` alone: Redis falls through with flags 0 and later crashes rendering it; we refuse it.
                return AclRuleError.SyntaxError;
            }
        }
        else
        {
            perm = KeyPermission.ReadWrite;
        }

        var pat = op[offset..];
        if (AclText.HasSpaceOrNul(pat))
        {
            return AclRuleError.SyntaxError;
        }

        KeyPattern? existing = null;
        foreach (var p in _keyPatterns)
        {
            if (pat.SequenceEqual(p.Pattern))
            {
                existing = p;
                break;
            }
        }

        if (existing is null)
        {
            _keyPatterns.Add(new KeyPattern(pat.ToArray(), perm));
        }
        else
        {
            existing.Permission |= perm;
        }

        AllKeys = false;
        return AclRuleError.None;
    }

    private int IndexOfChannel(ReadOnlySpan<byte> pattern)
    {
        for (int i = 0; i < _channels.Count; i++)
        {
            if (pattern.SequenceEqual(_channels[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private AclRuleError AllowCommand(ReadOnlySpan<byte> name, CommandTable table)
    {
        int bar = name.LastIndexOf((byte)'|');
        if (bar < 0)
        {
            var cmd = LookupStrict(table, name);
            if (cmd is null)
            {
                return AclRuleError.UnknownCommandOrCategory;
            }

            ChangePermission(cmd, allow: true);
            UpdateCommandRules(cmd.FullName, allow: true);
            return AclRuleError.None;
        }

        var head = name[..bar];
        var sub = name[(bar + 1)..];
        var baseCmd = LookupStrict(table, head);
        if (baseCmd is null)
        {
            return AclRuleError.UnknownCommandOrCategory;
        }

        if (baseCmd.Parent is not null)
        {
            return AclRuleError.FirstArgOfSubcommand;
        }

        if (sub.Length == 0)
        {
            return AclRuleError.SyntaxError;
        }

        if (baseCmd.IsContainer)
        {
            var subCmd = LookupStrict(table, name);
            if (subCmd is null)
            {
                return AclRuleError.UnknownCommandOrCategory;
            }

            ChangePermission(subCmd, allow: true);
        }
        else
        {
            AddFirstArg(baseCmd.Id, AclText.FromBytes(sub));
        }

        UpdateCommandRules(AclText.FromBytes(name), allow: true);
        return AclRuleError.None;
    }

    /// <summary><c>lookupCommandBySdsLogic</c> in strict mode: <c>cmd</c> or <c>container|sub</c>, nothing deeper.</summary>
    internal static RedisCommand? LookupStrict(CommandTable table, ReadOnlySpan<byte> name)
    {
        int bar = name.IndexOf((byte)'|');
        if (bar < 0)
        {
            return table.Find(name);
        }

        var rest = name[(bar + 1)..];
        if (rest.IndexOf((byte)'|') >= 0)
        {
            return null;
        }

        var baseCmd = table.Find(name[..bar]);
        if (baseCmd is null || !baseCmd.IsContainer)
        {
            return null;
        }

        return baseCmd.FindSubcommand(rest);
    }

    private void AddFirstArg(int id, string arg)
    {
        _firstArgs ??= [];
        if (!_firstArgs.TryGetValue(id, out var list))
        {
            list = [];
            _firstArgs[id] = list;
        }

        if (!list.Exists(a => string.Equals(a, arg, StringComparison.OrdinalIgnoreCase)))
        {
            list.Add(arg);
        }
    }

    /// <summary><c>ACLChangeSelectorPerm</c>: the command's bit and, for a container, every subcommand's bit.</summary>
    private void ChangePermission(RedisCommand cmd, bool allow)
    {
        SetBit(cmd.Id, allow);
        _firstArgs?.Remove(cmd.Id);
        foreach (var sub in cmd.Subcommands)
        {
            SetBit(sub.Id, allow);
        }
    }

    private void SetBit(int id, bool value)
    {
        if (value)
        {
            _commandBits[id >> 6] |= 1UL << id;
        }
        else
        {
            _commandBits[id >> 6] &= ~(1UL << id);
            AllCommands = false;
        }
    }

    /// <summary><c>ACLUpdateCommandRules</c>: drop entries for the same name or its subcommands, append the new one.</summary>
    private void UpdateCommandRules(string rule, bool allow)
    {
        string name = AsciiLower(rule);
        _commandRules.RemoveAll(e =>
        {
            var existing = e.AsSpan(1);
            return existing.SequenceEqual(name) ||
                   (existing.Length > name.Length && existing.StartsWith(name, StringComparison.Ordinal) && existing[name.Length] == '|');
        });
        _commandRules.Add((allow ? "+" : "-") + name);
    }

    private static string AsciiLower(string s)
    {
        foreach (char c in s)
        {
            if (c is >= 'A' and <= 'Z')
            {
                return string.Create(s.Length, s, static (dst, src) =>
                {
                    for (int i = 0; i < src.Length; i++)
                    {
                        char ch = src[i];
                        dst[i] = ch is >= 'A' and <= 'Z' ? (char)(ch | 0x20) : ch;
                    }
                });
            }
        }

        return s;
    }
}
