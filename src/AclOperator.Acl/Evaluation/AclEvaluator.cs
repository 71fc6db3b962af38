using System.Buffers;
using AclOperator.Acl.Commands;
using AclOperator.Acl.Users;

namespace AclOperator.Acl.Evaluation;

/// <summary>
/// Decides whether a user may run one command (Redis's <c>ACLCheckAllUserCommandPerm</c>): selectors are ORed,
/// each checks command, then keys, then channels; when all fail the reported denial is the highest ranked
/// (channel &gt; key &gt; command), ties going to the larger argv index. Allocation-free for up to 64 keys.
/// Unlike Redis, a call whose keys cannot be resolved is never treated as "no keys" (E1): the result carries the
/// error the command itself would reply.
/// </summary>
public static class AclEvaluator
{
    private const int StackKeys = 64;

    /// <summary>Checks <paramref name="argv"/> (argv[0] the command name; for a subcommand argv[1] its name).</summary>
    public static AclCheckResult Check(AclUser user, RedisCommand command, CommandArgs argv)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(command);

        Span<KeyReference> stackKeys = stackalloc KeyReference[StackKeys];
        KeyReference[]? rented = null;
        try
        {
            var keys = new KeyCache(stackKeys);
            var result = CheckSelectors(user, command, argv, ref keys, ref rented);
            if (result.IsAllowed && command.ArgumentCheck is ArgumentCheck.Sort or ArgumentCheck.SortReadOnly)
            {
                result = CheckSortPatterns(user, command, argv, ref keys, ref rented);
            }

            return result;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<KeyReference>.Shared.Return(rented);
            }
        }
    }

    private static AclCheckResult CheckSelectors(AclUser user, RedisCommand command, CommandArgs argv, ref KeyCache keys, ref KeyReference[]? rented)
    {
        var relevant = AclCheckOutcome.DeniedCommand;
        int lastIndex = 0;
        var selectors = user.Selectors;
        for (int s = 0; s < selectors.Count; s++)
        {
            var r = CheckSelector(selectors[s], command, argv, ref keys, ref rented);
            if (r.Outcome is AclCheckOutcome.Allowed or AclCheckOutcome.InvalidArguments)
            {
                return r;
            }

            if (r.Outcome > relevant || (r.Outcome == relevant && r.ArgIndex > lastIndex))
            {
                relevant = r.Outcome;
                lastIndex = r.ArgIndex;
            }
        }

        return new AclCheckResult(relevant, lastIndex);
    }

    /// <summary><c>ACLSelectorCheckCmd</c>.</summary>
    private static AclCheckResult CheckSelector(AclSelector selector, RedisCommand command, CommandArgs argv, ref KeyCache keys, ref KeyReference[]? rented)
    {
        if (!CommandAllowed(selector, command, argv))
        {
            return new AclCheckResult(AclCheckOutcome.DeniedCommand, 0);
        }

        if (!selector.AllKeys && command.CanHaveKeys)
        {
            if (!keys.Resolve(command, argv, ref rented))
            {
                return new AclCheckResult(AclCheckOutcome.InvalidArguments, 0, keys.Error);
            }

            var index = selector.Index;
            var list = keys.Keys;
            for (int i = 0; i < list.Length; i++)
            {
                var k = list[i];
                if (!index.KeyAllowed(argv[k.Index], RequiredPermission(k.Flags)))
                {
                    return new AclCheckResult(AclCheckOutcome.DeniedKey, k.Index);
                }
            }
        }

        if (!selector.AllChannels && command.ArgumentCheck is not ArgumentCheck.None)
        {
            var channelCheck = CheckChannels(selector, command, argv);
            if (!channelCheck.IsAllowed)
            {
                return channelCheck;
            }
        }

        return AclCheckResult.Allowed;
    }

    private static bool CommandAllowed(AclSelector selector, RedisCommand command, CommandArgs argv)
    {
        if (selector.AllCommands || (command.Flags & CommandFlags.NoAuth) != 0 || selector.HasCommandBit(command.Id))
        {
            return true;
        }

        if (argv.Count < 2 || !selector.HasFirstArgs)
        {
            return false;
        }

        var firstArgs = selector.FirstArgsOf(command.Id);
        if (firstArgs is null)
        {
            return false;
        }

        int idx = command.Parent is null ? 1 : 2;
        if (idx >= argv.Count)
        {
            return false;
        }

        var arg = AclText.CString(argv[idx]);
        foreach (var fa in firstArgs)
        {
            if (EqualsIgnoreAsciiCase(arg, fa))
            {
                return true;
            }
        }

        return false;
    }

    private static bool EqualsIgnoreAsciiCase(ReadOnlySpan<byte> a, string b)
    {
        if (a.Length != b.Length)
        {
            return false;
        }

        for (int i = 0; i < a.Length; i++)
        {
            int x = a[i], y = b[i];
            if (x is >= 'A' and <= 'Z')
            {
                x |= 0x20;
            }

            if (y is >= 'A' and <= 'Z')
            {
                y |= 0x20;
            }

            if (x != y)
            {
                return false;
            }
        }

        return true;
    }

    private static AclCheckResult CheckChannels(AclSelector selector, RedisCommand command, CommandArgs argv)
    {
        switch (command.ArgumentCheck)
        {
            case ArgumentCheck.PublishChannel:
                return selector.Index.ChannelAllowed(argv[1]) ? AclCheckResult.Allowed : new AclCheckResult(AclCheckOutcome.DeniedChannel, 1);
            case ArgumentCheck.SubscribeChannels:
                for (int i = 1; i < argv.Count; i++)
                {
                    if (!selector.Index.ChannelAllowed(argv[i]))
                    {
                        return new AclCheckResult(AclCheckOutcome.DeniedChannel, i);
                    }
                }

                return AclCheckResult.Allowed;
            case ArgumentCheck.SubscribePatterns:
                for (int i = 1; i < argv.Count; i++)
                {
                    if (!selector.Index.ChannelPatternAllowed(AclText.CString(argv[i])))
                    {
                        return new AclCheckResult(AclCheckOutcome.DeniedChannel, i);
                    }
                }

                return AclCheckResult.Allowed;
            default:
                return AclCheckResult.Allowed;
        }
    }

    /// <summary>R if the key spec has ACCESS; W if it has INSERT, DELETE or UPDATE; none if neither.</summary>
    internal static KeyPermission RequiredPermission(KeySpecFlags flags)
    {
        var p = KeyPermission.None;
        if ((flags & KeySpecFlags.Access) != 0)
        {
            p |= KeyPermission.Read;
        }

        if ((flags & (KeySpecFlags.Insert | KeySpecFlags.Delete | KeySpecFlags.Update)) != 0)
        {
            p |= KeyPermission.Write;
        }

        return p;
    }

    /// <summary>
    /// SORT BY/GET patterns name keys no key spec covers (E16): Redis requires a selector that allows the call and
    /// has unrestricted read access (<c>ACLUserCheckCmdWithUnrestrictedKeyAccess</c>).
    /// </summary>
    private static AclCheckResult CheckSortPatterns(AclUser user, RedisCommand command, CommandArgs argv, ref KeyCache keys, ref KeyReference[]? rented)
    {
        var use = SortOptionScanner.FirstPatternOption(argv, readOnly: command.ArgumentCheck == ArgumentCheck.SortReadOnly);
        if (use == SortPatternUse.None)
        {
            return AclCheckResult.Allowed;
        }

        foreach (var s in user.Selectors)
        {
            if (s.Index.FullReadAccess && CheckSelector(s, command, argv, ref keys, ref rented).IsAllowed)
            {
                return AclCheckResult.Allowed;
            }
        }

        return new AclCheckResult(
            AclCheckOutcome.DeniedSortPattern,
            0,
            use == SortPatternUse.By
                ? "ERR BY option of SORT denied due to insufficient ACL permissions."
                : "ERR GET option of SORT denied due to insufficient ACL permissions.");
    }

    /// <summary>Keys of the call, extracted at most once across selectors (Redis's aclKeyResultCache).</summary>
    private ref struct KeyCache
    {
        private Span<KeyReference> _buffer;
        private int _count;
        private bool _resolved;

        public KeyCache(Span<KeyReference> buffer)
        {
            _buffer = buffer;
            _count = -1;
        }

        public string? Error { get; private set; }

        public readonly ReadOnlySpan<KeyReference> Keys => _buffer[.._count];

        public bool Resolve(RedisCommand command, CommandArgs argv, ref KeyReference[]? rented)
        {
            if (!_resolved)
            {
                _resolved = true;
                _count = KeyExtractor.GetKeys(command, argv, _buffer, out var error);
                if (_count > _buffer.Length)
                {
                    rented = ArrayPool<KeyReference>.Shared.Rent(_count);
                    _buffer = rented;
                    _count = KeyExtractor.GetKeys(command, argv, _buffer, out error);
                }

                Error = error;
            }

            return _count >= 0;
        }
    }
}
