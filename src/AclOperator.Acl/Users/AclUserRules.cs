using AclOperator.Acl.Rules;

namespace AclOperator.Acl.Users;

/// <summary>The ACL SETUSER pipeline (§2.1): validate the name, merge selectors, apply all rules to a copy.</summary>
public static class AclUserRules
{
    public const string InvalidUsernameError = "Usernames can't contain spaces or null characters";

    /// <summary>
    /// Applies <paramref name="rules"/> to a copy of <paramref name="existing"/> (or to a new user named
    /// <paramref name="name"/>). All-or-nothing: on error no user object is changed.
    /// </summary>
    public static SetUserResult Apply(string name, AclUser? existing, IReadOnlyList<byte[]> rules, AclOptions options)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(options);
        if (AclText.HasSpaceOrNul(AclText.GetBytes(name)))
        {
            return new SetUserResult(null, InvalidUsernameError);
        }

        var merged = SelectorArgumentMerger.Merge(rules, out int openIndex);
        if (merged is null)
        {
            var open = AclText.FromBytes(AclText.CString(rules[openIndex]));
            return new SetUserResult(null, $"Unmatched parenthesis in acl selector starting at '{open}'.");
        }

        var user = existing?.Clone() ?? AclUser.Create(name, options);
        foreach (var op in merged)
        {
            var err = user.ApplyRule(op, options);
            if (err != AclRuleError.None)
            {
                var token = AclText.FromBytes(AclText.CString(op));
                return new SetUserResult(null, SanitizeLine($"Error in ACL SETUSER modifier '{token}': {AclRuleErrors.Message(err)}"));
            }
        }

        return new SetUserResult(user, null);
    }

    /// <summary>Convenience overload for rule strings typed as UTF-8 text.</summary>
    public static SetUserResult Apply(string name, AclUser? existing, IEnumerable<string> rules, AclOptions options) =>
        Apply(name, existing, rules.Select(r => AclText.GetBytes(AclText.FromUtf8(r))).ToList(), options);

    /// <summary>Redis maps CR and LF inside an error text to spaces so the reply stays one line.</summary>
    internal static string SanitizeLine(string s) =>
        s.AsSpan().IndexOfAny('\r', '\n') < 0 ? s : s.Replace('\r', ' ').Replace('\n', ' ');
}
