using System.Text;
using AclOperator.Acl.Passwords;
using AclOperator.Acl.Rules;

namespace AclOperator.Acl.Users;

/// <summary>
/// An ACL user as Redis 7.4 models it: flags, SHA-256 password hashes, the root selector and extra selectors.
/// Users are changed copy-on-write: <see cref="AclUserTable.SetUser"/> applies rules to a clone and swaps it in, so a
/// published instance is never mutated and can be evaluated from any thread.
/// </summary>
public sealed class AclUser
{
    private readonly List<string> _passwords;
    private readonly List<AclSelector> _selectors;

    private AclUser(string name, List<string> passwords, List<AclSelector> selectors)
    {
        Name = name;
        _passwords = passwords;
        _selectors = selectors;
    }

    /// <summary>The user name as a byte-string (see <see cref="AclText"/>); case-sensitive.</summary>
    public string Name { get; }

    /// <summary><c>on</c> (true) or <c>off</c>.</summary>
    public bool Enabled { get; private set; }

    public bool NoPass { get; private set; }

    /// <summary><c>skip-sanitize-payload</c> when true, <c>sanitize-payload</c> otherwise.</summary>
    public bool SkipSanitizePayload { get; private set; }

    /// <summary>SHA-256 hex hashes in insertion order.</summary>
    public IReadOnlyList<string> PasswordHashes => _passwords;

    /// <summary>All selectors; element 0 is the root selector.</summary>
    public IReadOnlyList<AclSelector> Selectors => _selectors;

    public AclSelector Root => _selectors[0];

    /// <summary>A freshly created user (§1.3): off, sanitize-payload, no passwords, no keys, -@all.</summary>
    public static AclUser Create(string name, AclOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new AclUser(name, [], [AclSelector.CreateEmpty(isRoot: true, options)]);
    }

    /// <summary>The stock default user: <c>on nopass ~* &amp;* +@all</c>.</summary>
    public static AclUser CreateDefault(AclOptions options)
    {
        var u = Create("default", options);
        foreach (var rule in DefaultUserRules)
        {
            var err = u.ApplyRule(Encoding.ASCII.GetBytes(rule), options);
            System.Diagnostics.Debug.Assert(err == AclRuleError.None, "stock default rules are valid");
        }

        return u;
    }

    private static readonly string[] DefaultUserRules = ["+@all", "~*", "&*", "on", "nopass"];

    /// <summary>A deep copy with a new name (used by ACL SETUSER staging and by ACL LOAD).</summary>
    public AclUser Clone(string? newName = null)
    {
        var c = new AclUser(newName ?? Name, [.. _passwords], _selectors.ConvertAll(s => s.Clone()))
        {
            Enabled = Enabled,
            NoPass = NoPass,
            SkipSanitizePayload = SkipSanitizePayload,
        };
        return c;
    }

    /// <summary>
    /// True when <paramref name="password"/> authenticates this user (§7.1): enabled, and nopass or a matching hash
    /// (compared in fixed time).
    /// </summary>
    public bool CheckPassword(ReadOnlySpan<byte> password)
    {
        if (!Enabled)
        {
            return false;
        }

        if (NoPass)
        {
            return true;
        }

        Span<char> hex = stackalloc char[64];
        PasswordHasher.Hash(password, hex);
        bool ok = false;
        foreach (var stored in _passwords)
        {
            ok |= PasswordHasher.FixedTimeEquals(hex, stored.AsSpan());
        }

        return ok;
    }

    /// <summary>Applies one user-level rule (<c>ACLSetUser</c>); selector tokens go to the root selector.</summary>
    internal AclRuleError ApplyRule(ReadOnlySpan<byte> op, AclOptions options)
    {
        if (op.Length == 0)
        {
            return AclRuleError.None;
        }

        var cop = AclText.CString(op);
        if (Ascii.EqualsIgnoreCase(cop, "on"u8))
        {
            Enabled = true;
        }
        else if (Ascii.EqualsIgnoreCase(cop, "off"u8))
        {
            Enabled = false;
        }
        else if (Ascii.EqualsIgnoreCase(cop, "skip-sanitize-payload"u8))
        {
            SkipSanitizePayload = true;
        }
        else if (Ascii.EqualsIgnoreCase(cop, "sanitize-payload"u8))
        {
            SkipSanitizePayload = false;
        }
        else if (Ascii.EqualsIgnoreCase(cop, "nopass"u8))
        {
            NoPass = true;
            _passwords.Clear();
        }
        else if (Ascii.EqualsIgnoreCase(cop, "resetpass"u8))
        {
            NoPass = false;
            _passwords.Clear();
        }
        else if (op[0] == (byte)'>' || op[0] == (byte)'#')
        {
            string hash;
            if (op[0] == (byte)'>')
            {
                hash = PasswordHasher.Hash(op[1..]);
            }
            else
            {
                if (!PasswordHasher.IsValidHash(op[1..]))
                {
                    return AclRuleError.BadPasswordHash;
                }

                hash = Encoding.ASCII.GetString(op[1..]);
            }

            if (!_passwords.Contains(hash))
            {
                _passwords.Add(hash);
            }

            NoPass = false;
        }
        else if (op[0] == (byte)'<' || op[0] == (byte)'!')
        {
            string hash;
            if (op[0] == (byte)'<')
            {
                hash = PasswordHasher.Hash(op[1..]);
            }
            else
            {
                if (!PasswordHasher.IsValidHash(op[1..]))
                {
                    return AclRuleError.BadPasswordHash;
                }

                hash = Encoding.ASCII.GetString(op[1..]);
            }

            if (!_passwords.Remove(hash))
            {
                return AclRuleError.PasswordNotFound;
            }
        }
        else if (op[0] == (byte)'(' && op[^1] == (byte)')')
        {
            return AddSelector(op, options);
        }
        else if (Ascii.EqualsIgnoreCase(cop, "clearselectors"u8))
        {
            _selectors.RemoveRange(1, _selectors.Count - 1);
        }
        else if (Ascii.EqualsIgnoreCase(cop, "reset"u8))
        {
            NoPass = false;
            _passwords.Clear();
            Enabled = false;
            SkipSanitizePayload = false;
            _selectors.Clear();
            _selectors.Add(AclSelector.CreateEmpty(isRoot: true, options));
        }
        else
        {
            return Root.Apply(op, options);
        }

        return AclRuleError.None;
    }

    /// <summary><c>aclCreateSelectorFromOpSet</c>: split the body with sdssplitargs, apply each token to a new selector.</summary>
    private AclRuleError AddSelector(ReadOnlySpan<byte> op, AclOptions options)
    {
        // The body is used as a C string: a NUL ends it (Redis drops the rest silently).
        var body = AclText.CString(op[1..^1]);
        var tokens = SdsSplitArgs.Split(body);
        if (tokens is null)
        {
            // Redis silently adds an empty selector on unbalanced quotes (spec §10.5); we report it.
            return AclRuleError.SyntaxError;
        }

        var selector = AclSelector.CreateEmpty(isRoot: false, options);
        foreach (var t in tokens)
        {
            var err = selector.Apply(t, options);
            if (err != AclRuleError.None)
            {
                return err;
            }
        }

        _selectors.Add(selector);
        return AclRuleError.None;
    }
}
