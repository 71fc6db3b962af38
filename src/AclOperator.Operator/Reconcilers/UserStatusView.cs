using System.Globalization;
using AclOperator.Api.Compilation;
using AclOperator.Api.Snapshots;
using AclOperator.Api.V1Alpha1;
using AclOperator.Operator.Runtime;

namespace AclOperator.Operator.Reconcilers;

/// <summary>
/// The status one RedisAclUser should have after a reconcile of its server, and the events its transitions deserve.
/// Never holds a password or a hash (O4): rules without <c>#hash</c>es, a password count, conditions.
/// </summary>
internal sealed class UserStatusView
{
    /// <summary>Condition type for passwords shorter than 16 bytes (O4).</summary>
    public const string WeakPassword = "WeakPassword";

    private UserStatusView()
    {
    }

    public long? Generation { get; private init; }

    public bool Valid { get; private init; }

    public string ValidReason { get; private init; } = "";

    public string ValidMessage { get; private init; } = "";

    public bool Enforced { get; private init; }

    public string EnforcedReason { get; private init; } = "";

    public string EnforcedMessage { get; private init; } = "";

    public string? EnforcedRevision { get; private init; }

    public bool Stalled { get; private init; }

    public bool Weak { get; private init; }

    public string Username { get; private init; } = "";

    public CompiledUser? Compiled { get; private init; }

    public static UserStatusView Compute(RedisAclServer server, RedisAclUser user, IReadOnlyList<AclDiagnostic> diagnostics, CompiledUser? compiled,
        SnapshotEntry? entry, int running, long minRevision, SecretHashCache secrets, string username)
    {
        bool valid = diagnostics.Count == 0 && compiled is not null;
        string validReason = valid ? "Compiled" : (diagnostics.Count > 0 ? diagnostics[0].Reason : "NotCompiled");
        string validMessage = valid
            ? "the rules compile"
            : diagnostics.Count == 0 ? "the user was not compiled" : string.Join("; ", diagnostics.Select(d => d.FieldPath is null ? d.Message : $"{d.FieldPath}: {d.Message}"));
        bool enforced = entry is not null && running > 0 && minRevision >= entry.Since;
        string enforcedReason;
        string enforcedMessage;
        if (entry is null)
        {
            enforcedReason = "NotPublished";
            enforcedMessage = "the user is not in the published ACL";
        }
        else if (running == 0)
        {
            enforcedReason = "NoReplicas";
            enforcedMessage = $"no replica of RedisAclServer {server.Metadata.Name} is running";
        }
        else if (!enforced)
        {
            enforcedReason = "WaitingForReplicas";
            enforcedMessage = $"published in ACL revision {entry.Since}; not every running replica enforces it yet";
        }
        else
        {
            // Named by the revision of the user's own entry, not the replicas' current one: a publish that does not change
            // this user then leaves its status alone (O12: an edit rewrites only the changed users' status).
            enforcedReason = valid ? "Enforced" : "PreviousEntryEnforced";
            enforcedMessage = valid
                ? $"{running}/{running} replicas enforce this user's entry of revision {entry.Since.ToString(CultureInfo.InvariantCulture)}"
                : $"the last valid entry stays enforced by {running}/{running} replicas";
        }

        var ns = user.Metadata.NamespaceProperty ?? "";
        bool weak = (user.Spec?.Passwords ?? []).Any(p => p?.SecretKeyRef is { } r && secrets.IsWeak(ns, r) == true);
        return new UserStatusView
        {
            Generation = user.Metadata.Generation,
            Valid = valid,
            ValidReason = validReason,
            ValidMessage = validMessage,
            Enforced = enforced,
            EnforcedReason = enforcedReason,
            EnforcedMessage = enforcedMessage,
            EnforcedRevision = enforced ? entry!.Since.ToString(CultureInfo.InvariantCulture) : null,
            Stalled = !valid && !diagnostics.All(d => d.Reason == DiagnosticReasons.SecretUnavailable),
            Weak = weak,
            Username = compiled?.Username ?? username,
            Compiled = compiled,
        };
    }

    public void ApplyTo(RedisAclUser user, DateTime now)
    {
        var st = user.Status ??= new RedisAclUserStatus();
        st.ObservedGeneration = Generation;
        st.Username = Username;
        if (Compiled is not null)
        {
            st.RequestedRules = string.Join(' ', Compiled.RequestedRules);
            st.CanonicalRules = Compiled.CanonicalRules;
            st.PasswordCount = Compiled.PasswordCount;
        }

        st.EnforcedRevision = EnforcedRevision ?? st.EnforcedRevision;
        var c = st.Conditions;
        c = ConditionList.Set(c, ConditionTypes.Valid, Valid, ValidReason, ValidMessage, Generation, now);
        c = ConditionList.Set(c, ConditionTypes.Enforced, Enforced, EnforcedReason, EnforcedMessage, Generation, now);
        bool ready = Valid && Enforced;
        c = ConditionList.Set(c, ConditionTypes.Ready, ready, ready ? "Ready" : (!Valid ? ValidReason : EnforcedReason),
            ready ? EnforcedMessage : (!Valid ? ValidMessage : EnforcedMessage), Generation, now);
        if (Valid && !Enforced)
        {
            ConditionList.Set(c, ConditionTypes.Reconciling, true, EnforcedReason, EnforcedMessage, Generation, now);
        }
        else
        {
            ConditionList.Remove(c, ConditionTypes.Reconciling);
        }

        if (Stalled)
        {
            ConditionList.Set(c, ConditionTypes.Stalled, true, ValidReason, ValidMessage, Generation, now);
        }
        else
        {
            ConditionList.Remove(c, ConditionTypes.Stalled);
        }

        if (Weak)
        {
            ConditionList.Set(c, WeakPassword, true, "ShortPassword", "a password is shorter than 16 bytes", Generation, now);
        }
        else
        {
            ConditionList.Remove(c, WeakPassword);
        }

        st.Conditions = c;
    }

    /// <summary>Events for the transitions from <paramref name="before"/> (no key names, no secrets).</summary>
    public IEnumerable<(string Type, string Reason, string Message)> Events(RedisAclUserStatus? before, bool entryChanged, long revision)
    {
        var wasValid = ConditionList.Find(before?.Conditions, ConditionTypes.Valid);
        if (!Valid && (wasValid is null || wasValid.Status != "False" || wasValid.Message != ValidMessage))
        {
            yield return (EventTypes.Warning, ValidReason, ValidMessage);
        }

        if (entryChanged)
        {
            yield return (EventTypes.Normal, "Published", $"published in ACL revision {revision.ToString(CultureInfo.InvariantCulture)}");
        }

        if (Enforced && Valid && !ConditionList.IsTrue(before?.Conditions, ConditionTypes.Enforced))
        {
            yield return (EventTypes.Normal, "Enforced", EnforcedMessage);
        }

        if (Weak && !ConditionList.IsTrue(before?.Conditions, WeakPassword))
        {
            yield return (EventTypes.Warning, WeakPassword, "a password is shorter than 16 bytes");
        }
    }
}
