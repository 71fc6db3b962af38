using System.Security.Cryptography;
using System.Text;
using AclOperator.Acl;
using AclOperator.Acl.Containment;
using AclOperator.Acl.Passwords;
using AclOperator.Acl.Rendering;
using AclOperator.Acl.Users;
using AclOperator.Api.V1Alpha1;

namespace AclOperator.Api.Compilation;

/// <summary>
/// Turns RedisAcl and RedisAclUser objects (plus Secret values) into one server's ACL. Pure: no I/O besides the
/// <see cref="ISecretResolver"/>. Each user is compiled like one <c>ACL SETUSER</c> on a new user, so its errors are
/// Redis's own texts: the rules of each <c>acls</c> entry, then <c>rules</c>, then each selector, then <c>on</c>/<c>off</c>,
/// the password hashes and <c>nopass</c>.
/// </summary>
/// <remarks>
/// Usernames (O1): <c>spec.username</c> or metadata.name; in a tenant namespace the server's usernamePrefix goes in front;
/// <c>default</c> and the <c>_aclop</c> prefix are reserved; a name claimed twice goes to the older object
/// (creationTimestamp, then uid) and the other gets <see cref="DiagnosticReasons.UsernameConflict"/> — also when the
/// older object is invalid, so a typo never hands a name (and its clients) to someone else. Tenant users must stay
/// within their namespace's ceiling (O2). Cleartext passwords are hashed as soon as they are read and their buffers
/// zeroed; diagnostics name Secrets and keys, never values.
/// </remarks>
public static class AclCompiler
{
    /// <summary>The name RedisAcl rules are validated under on their own (reserved prefix, never in a table).</summary>
    internal const string AclValidationUserName = "_aclop.acl";

    /// <summary>What Redis refuses in a username: NUL and C isspace.</summary>
    private static readonly System.Buffers.SearchValues<char> SpaceOrNul = System.Buffers.SearchValues.Create("\0 \t\n\v\f\r");

    public static AclCompileResult Compile(AclCompileRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new Run(request).Execute();
    }

    /// <summary>
    /// The Redis user name (UTF-8 text) a RedisAclUser gets on <paramref name="server"/> (O1): spec.username or
    /// metadata.name, with the tenant prefix in front outside the server's namespace. Does not check validity.
    /// </summary>
    public static string UsernameFor(RedisAclServer server, RedisAclUser user)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(user);
        var name = user.Spec?.Username ?? user.Metadata?.Name ?? "";
        var ns = ObjectRef.NullIfEmpty(user.Metadata?.NamespaceProperty);
        var serverNs = ObjectRef.NullIfEmpty(server.Metadata?.NamespaceProperty);
        if (ns is null || serverNs is null || ns == serverNs)
        {
            return name;
        }

        var entry = server.Spec?.UserNamespaces?.FirstOrDefault(n => n?.Namespace == ns);
        return (entry is null ? ns + "." : UsernamePrefix(entry)) + name;
    }

    /// <summary>The username prefix of an admitted tenant namespace: its usernamePrefix, else <c>&lt;namespace&gt;.</c>.</summary>
    private static string UsernamePrefix(UserNamespaceSpec entry) => entry.UsernamePrefix ?? entry.Namespace + ".";

    /// <summary>The ceiling of a tenant namespace without one of its own: everything (the tenant floor still applies).</summary>
    private static readonly string[] DefaultCeiling = ["+@all", "~*", "&*"];

    /// <summary>The engine options a server's users are compiled with (spec.aclPubsubDefault); the defaults without a server.</summary>
    public static AclOptions OptionsFor(RedisAclServer? server) =>
        AclOptions.Default with { PubsubDefaultAllChannels = server?.Spec?.AclPubsubDefault == "allchannels" };

    /// <summary>The admitted tenant namespaces of <paramref name="server"/> as the pods check runtime users against them (O2).</summary>
    public static IReadOnlyList<Snapshots.TenantCeiling> TenantCeilings(RedisAclServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var serverNs = server.Metadata?.NamespaceProperty;
        return [.. (server.Spec?.UserNamespaces ?? [])
            .Where(e => e is not null && !string.IsNullOrEmpty(e.Namespace) && e.Namespace != serverNs)
            .Select(e => new Snapshots.TenantCeiling { Namespace = e.Namespace, Prefix = UsernamePrefix(e), Ceiling = [.. e.Ceiling ?? DefaultCeiling] })];
    }

    /// <summary>The rules one user (or the default user) is built from, with the field path prefix for diagnostics.</summary>
    private sealed record UserInputs(
        string FieldPrefix,
        IList<string>? Acls,
        IList<string>? Rules,
        IList<string>? Selectors,
        bool Enabled,
        bool NoPassword,
        IList<PasswordSource>? Passwords,
        IList<PasswordSource>? PasswordHashes,
        SecretKeyRef? GeneratedPassword);

    private sealed record AclEntry(RedisAcl Acl, IReadOnlyList<string> Rules, bool Valid);

    private sealed record Tenant(string Prefix, CeilingBuildResult? Ceiling, bool Admitted);

    private sealed class Run(AclCompileRequest request)
    {
        private readonly AclOptions _options = request.Options;
        private readonly List<AclDiagnostic> _diagnostics = [];
        private readonly List<CompiledUser> _users = [];
        private readonly Dictionary<(string Ns, string Name), AclEntry> _acls = [];
        private readonly Dictionary<string, Tenant> _tenants = new(StringComparer.Ordinal);
        private readonly RedisAclServer? _server = request.Server;
        private readonly string? _serverNs = ObjectRef.NullIfEmpty(request.Server?.Metadata?.NamespaceProperty);

        public AclCompileResult Execute()
        {
            var table = new AclUserTable(_options);
            CompileDefaultUser(table);
            IndexAcls();
            CompileUsers(table);
            return new AclCompileResult(table, _diagnostics, _users);
        }

        private void Add(ObjectRef subject, string reason, string message, string? field = null) =>
            _diagnostics.Add(new AclDiagnostic(subject, reason, message, field));

        private void CompileDefaultUser(AclUserTable table)
        {
            if (_server is null)
            {
                return;
            }

            var subject = ObjectRef.Of(_server);
            var d = _server.Spec?.DefaultUser;
            var inputs = new UserInputs(
                "spec.defaultUser.", d?.Acls, d?.Rules, null, d?.Enabled ?? false, d?.NoPassword ?? false,
                d?.Passwords, d?.PasswordHashes, null);
            var compiled = CompileUser(subject, AclUserTable.DefaultUserName, _serverNs, inputs, null);

            // Fail closed: an invalid default user is off with no permissions, never Redis's open stock default.
            var user = compiled?.User ?? AclUser.Create(AclUserTable.DefaultUserName, _options);
            table.Put(user);
            if (compiled is not null)
            {
                _users.Add(compiled);
            }
        }

        private void IndexAcls()
        {
            foreach (var acl in request.Acls)
            {
                var subject = ObjectRef.Of(acl);
                int before = _diagnostics.Count;
                var key = (subject.Namespace ?? "", subject.Name);
                if (_acls.ContainsKey(key))
                {
                    Add(subject, DiagnosticReasons.DuplicateObject, $"{subject} is defined more than once");
                    continue;
                }

                if (BuiltInAcls.IsBuiltIn(subject.Name))
                {
                    Add(subject, DiagnosticReasons.ReservedName,
                        $"'{subject.Name}' is the name of a built-in ACL ({string.Join(", ", BuiltInAcls.Names)}); choose another name", "metadata.name");
                }

                var rules = acl.Spec?.Rules is { } r ? r.ToList() : [];
                if (rules.Count == 0)
                {
                    Add(subject, DiagnosticReasons.InvalidSpec, "spec.rules must list at least one rule", "spec.rules");
                }

                if (CheckForbidden(subject, rules, "spec.rules", i => $"spec.rules[{i}]") &&
                    rules.Count > 0)
                {
                    _ = ApplyStage(subject, AclValidationUserName, null, rules, i => $"spec.rules[{i}]", null);
                }

                _acls[key] = new AclEntry(acl, rules, _diagnostics.Count == before);
            }
        }

        private void CompileUsers(AclUserTable table)
        {
            var seen = new HashSet<ObjectRef>();
            var claims = new List<(RedisAclUser User, ObjectRef Ref, string Name, Tenant Tenant)>();
            foreach (var u in request.Users)
            {
                var subject = ObjectRef.Of(u);
                if (!seen.Add(subject))
                {
                    Add(subject, DiagnosticReasons.DuplicateObject, $"{subject} is defined more than once");
                    continue;
                }

                if (u.Spec is null)
                {
                    Add(subject, DiagnosticReasons.InvalidSpec, "spec is required", "spec");
                    continue;
                }

                if (!ServerRefMatches(subject, u.Spec.ServerRef))
                {
                    continue;
                }

                var tenant = TenantOf(subject.Namespace);
                if (!tenant.Admitted)
                {
                    Add(subject, DiagnosticReasons.NamespaceNotAdmitted,
                        $"namespace '{subject.Namespace}' is not admitted by RedisAclServer '{_server?.Metadata?.Name}' (spec.userNamespaces)", "spec.serverRef");
                    continue;
                }

                var name = UsernameOf(subject, u, tenant);
                if (name is not null)
                {
                    claims.Add((u, subject, name, tenant));
                }
            }

            // O1: the older object keeps a name; the order is total so every replica of the operator agrees.
            var winners = new HashSet<ObjectRef>();
            foreach (var group in claims.GroupBy(c => c.Name, StringComparer.Ordinal))
            {
                var ordered = group
                    .OrderBy(c => c.User.Metadata?.CreationTimestamp ?? DateTime.MaxValue)
                    .ThenBy(c => c.User.Metadata?.Uid ?? "", StringComparer.Ordinal)
                    .ThenBy(c => c.Ref.Namespace ?? "", StringComparer.Ordinal)
                    .ThenBy(c => c.Ref.Name, StringComparer.Ordinal)
                    .ToList();
                var owner = ordered[0];
                winners.Add(owner.Ref);
                foreach (var loser in ordered.Skip(1))
                {
                    string by = loser.Ref.Namespace == owner.Ref.Namespace
                        ? $"RedisAclUser '{owner.Ref.Name}'"
                        : "a RedisAclUser in another namespace";
                    Add(loser.Ref, DiagnosticReasons.UsernameConflict,
                        $"username '{AclText.ToUtf8(loser.Name)}' is already claimed by {by} (the older object keeps a username)", "spec.username");
                }
            }

            foreach (var c in claims)
            {
                if (!winners.Contains(c.Ref))
                {
                    continue;
                }

                var s = c.User.Spec;
                SecretKeyRef? generated = s.GeneratePassword == true
                    ? new SecretKeyRef { Name = RedisAclUser.GeneratedSecretName(c.Ref.Name), Key = RedisAclUser.GeneratedPasswordKey }
                    : null;
                var inputs = new UserInputs(
                    "spec.", s.Acls, s.Rules, s.Selectors, s.Enabled ?? true, s.NoPassword ?? false,
                    s.Passwords, s.PasswordHashes, generated);
                var compiled = CompileUser(c.Ref, c.Name, c.Ref.Namespace, inputs, c.Tenant.Ceiling);
                if (compiled is not null)
                {
                    table.Put(compiled.User);
                    _users.Add(compiled);
                }
            }
        }

        private bool ServerRefMatches(ObjectRef subject, ServerRef? serverRef)
        {
            if (_server is null || serverRef is null)
            {
                return true;
            }

            string serverName = _server.Metadata?.Name ?? "";
            string? refNs = ObjectRef.NullIfEmpty(serverRef.Namespace) ?? subject.Namespace;
            bool sameNs = refNs is null || _serverNs is null || refNs == _serverNs;
            if (serverRef.Name == serverName && sameNs)
            {
                return true;
            }

            string named = sameNs ? serverRef.Name : $"{refNs}/{serverRef.Name}";
            string compiled = sameNs ? serverName : $"{_serverNs}/{serverName}";
            Add(subject, DiagnosticReasons.ServerRefMismatch,
                $"serverRef names RedisAclServer '{named}', not '{compiled}'", sameNs ? "spec.serverRef.name" : "spec.serverRef");
            return false;
        }

        private Tenant TenantOf(string? ns)
        {
            if (ns is null || _server is null || _serverNs is null || ns == _serverNs)
            {
                return new Tenant("", null, true);
            }

            if (_tenants.TryGetValue(ns, out var t))
            {
                return t;
            }

            var list = _server.Spec?.UserNamespaces ?? [];
            int index = -1;
            for (int i = 0; i < list.Count; i++)
            {
                if (list[i]?.Namespace == ns)
                {
                    index = i;
                    break;
                }
            }

            if (index < 0)
            {
                t = new Tenant("", null, false);
            }
            else
            {
                var entry = list[index];
                var ceiling = AclContainment.BuildCeiling(entry.Ceiling ?? DefaultCeiling, applyTenantFloor: true, _options);
                if (!ceiling.Succeeded)
                {
                    Add(ObjectRef.Of(_server), DiagnosticReasons.InvalidCeiling, ceiling.Error!, $"spec.userNamespaces[{index}].ceiling");
                }

                t = new Tenant(UsernamePrefix(entry), ceiling, true);
            }

            _tenants[ns] = t;
            return t;
        }

        /// <summary>The effective username as a byte-string, or null (with a diagnostic) when it cannot be used.</summary>
        private string? UsernameOf(ObjectRef subject, RedisAclUser u, Tenant tenant)
        {
            string text = u.Spec.Username ?? u.Metadata?.Name ?? "";
            const string field = "spec.username";
            if (text.Length == 0)
            {
                Add(subject, DiagnosticReasons.InvalidUsername, "the username is empty", field);
                return null;
            }

            string name = AclText.FromUtf8(tenant.Prefix + text);
            if (name.AsSpan().IndexOfAny(SpaceOrNul) >= 0)
            {
                Add(subject, DiagnosticReasons.InvalidUsername, AclUserRules.InvalidUsernameError, field);
                return null;
            }

            foreach (var candidate in new[] { text, tenant.Prefix + text })
            {
                if (candidate == AclUserTable.DefaultUserName)
                {
                    Add(subject, DiagnosticReasons.ReservedName,
                        "the username 'default' is reserved: the default user is configured on the RedisAclServer (spec.defaultUser)", field);
                    return null;
                }

                if (candidate.StartsWith("_aclop", StringComparison.Ordinal))
                {
                    Add(subject, DiagnosticReasons.ReservedName, $"the username '{candidate}' is reserved: names starting with _aclop belong to the operator", field);
                    return null;
                }
            }

            return name;
        }

        private CompiledUser? CompileUser(ObjectRef subject, string name, string? ns, UserInputs inputs, CeilingBuildResult? ceiling)
        {
            int before = _diagnostics.Count;
            string p = inputs.FieldPrefix;
            int passwordSources = (inputs.Passwords?.Count ?? 0) + (inputs.PasswordHashes?.Count ?? 0) + (inputs.GeneratedPassword is null ? 0 : 1);
            if (inputs.NoPassword && passwordSources > 0)
            {
                Add(subject, DiagnosticReasons.PasswordConflict, "noPassword excludes passwords, passwordHashes and generatePassword", p + "noPassword");
            }

            var rules = inputs.Rules?.ToList() ?? [];
            var selectors = inputs.Selectors?.ToList() ?? [];
            CheckForbidden(subject, rules, p + "rules", i => $"{p}rules[{i}]");
            CheckForbidden(subject, selectors, p + "selectors", i => $"{p}selectors[{i}]");

            var aclRules = new List<(IReadOnlyList<string> Rules, string Field)>();
            var acls = inputs.Acls ?? [];
            for (int k = 0; k < acls.Count; k++)
            {
                string aclName = acls[k] ?? "";
                string field = $"{p}acls[{k}]";
                if (BuiltInAcls.Rules(aclName) is { } builtIn)
                {
                    aclRules.Add((builtIn, field));
                }
                else if (!_acls.TryGetValue((ns ?? "", aclName), out var entry))
                {
                    Add(subject, DiagnosticReasons.UnknownAcl,
                        $"RedisAcl '{aclName}' not found (built-in: {string.Join(", ", BuiltInAcls.Names)})", field);
                }
                else if (!entry.Valid)
                {
                    Add(subject, DiagnosticReasons.AclInvalid, $"RedisAcl '{aclName}' is not valid", field);
                }
                else
                {
                    aclRules.Add((entry.Rules, field));
                }
            }

            if (ceiling is { Succeeded: false })
            {
                Add(subject, DiagnosticReasons.InvalidCeiling, $"the ceiling of namespace '{ns}' on the RedisAclServer is not valid");
            }

            // Forbidden tokens may hold a password: never hand them to the engine, whose errors quote the token.
            if (_diagnostics.Count > before)
            {
                return null;
            }

            var requested = new List<string>();
            AclUser? user = null;
            foreach (var (tokens, field) in aclRules)
            {
                user = ApplyStage(subject, name, user, tokens, _ => field, requested);
                if (user is null)
                {
                    return null;
                }
            }

            if (rules.Count > 0)
            {
                user = ApplyStage(subject, name, user, rules, i => $"{p}rules[{i}]", requested);
                if (user is null)
                {
                    return null;
                }
            }

            for (int j = 0; j < selectors.Count; j++)
            {
                int index = j;
                user = ApplyStage(subject, name, user, ["(" + selectors[j] + ")"], _ => $"{p}selectors[{index}]", requested);
                if (user is null)
                {
                    return null;
                }
            }

            var hashes = ResolvePasswords(subject, ns, inputs);
            if (hashes is null)
            {
                return null;
            }

            var final = new List<string> { inputs.Enabled ? "on" : "off" };
            if (inputs.NoPassword)
            {
                final.Add("nopass");
            }

            requested.AddRange(final);
            final.AddRange(hashes.Select(h => "#" + h));
            user = ApplyStage(subject, name, user, final, _ => p.TrimEnd('.'), null);
            if (user is null)
            {
                return null;
            }

            if (ceiling?.Ceiling is { } c)
            {
                var check = AclContainment.Check(user, c, ceiling.AllowsNoPass, _options);
                if (!check.IsContained)
                {
                    Add(subject, DiagnosticReasons.CeilingExceeded, check.Summary!);
                    return null;
                }
            }

            return new CompiledUser(subject, AclText.ToUtf8(name), user, requested, CanonicalWithoutHashes(user), user.PasswordHashes.Count);
        }

        /// <summary>The hex hashes of every password source, or null after reporting why one cannot be used.</summary>
        private List<string>? ResolvePasswords(ObjectRef subject, string? ns, UserInputs inputs)
        {
            var hashes = new List<string>();
            bool ok = true;
            string p = inputs.FieldPrefix;
            var passwords = inputs.Passwords ?? [];
            for (int i = 0; i < passwords.Count; i++)
            {
                ok &= Resolve(passwords[i]?.SecretKeyRef, $"{p}passwords[{i}]", cleartext: true);
            }

            var stored = inputs.PasswordHashes ?? [];
            for (int i = 0; i < stored.Count; i++)
            {
                ok &= Resolve(stored[i]?.SecretKeyRef, $"{p}passwordHashes[{i}]", cleartext: false);
            }

            if (inputs.GeneratedPassword is { } generated)
            {
                ok &= Resolve(generated, p + "generatePassword", cleartext: true);
            }

            return ok ? hashes : null;

            bool Resolve(SecretKeyRef? reference, string field, bool cleartext)
            {
                if (reference is null || string.IsNullOrEmpty(reference.Name) || string.IsNullOrEmpty(reference.Key))
                {
                    Add(subject, DiagnosticReasons.InvalidSpec, "secretKeyRef needs a name and a key", field);
                    return false;
                }

                var lookup = cleartext ? request.Secrets.ResolvePasswordHash(ns, reference) : request.Secrets.Resolve(ns, reference);
                string where = $"key '{reference.Key}' of Secret '{reference.Name}'";
                switch (lookup.Status)
                {
                    case SecretLookupStatus.NotFound:
                        Add(subject, DiagnosticReasons.SecretNotFound, $"{where} not found" + Detail(lookup), field);
                        return false;
                    case SecretLookupStatus.Unavailable:
                        Add(subject, DiagnosticReasons.SecretUnavailable, $"{where} cannot be read now" + Detail(lookup), field);
                        return false;
                    case SecretLookupStatus.Conflict:
                        Add(subject, DiagnosticReasons.SecretConflict, $"Secret '{reference.Name}' exists and is not owned by this object; it is never adopted or overwritten" + Detail(lookup), field);
                        return false;
                }

                var value = lookup.Value ?? [];
                try
                {
                    if (cleartext)
                    {
                        hashes.Add(Encoding.ASCII.GetString(value));
                        return true;
                    }

                    var hex = value.AsSpan().Trim(" \t\r\n"u8);
                    if (!PasswordHasher.IsValidHash(hex))
                    {
                        Add(subject, DiagnosticReasons.InvalidPasswordHash, $"{where}: {Acl.Rules.AclRuleErrors.Message(Acl.Rules.AclRuleError.BadPasswordHash)}", field);
                        return false;
                    }

                    hashes.Add(Encoding.ASCII.GetString(hex));
                    return true;
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(value);
                }
            }

            static string Detail(SecretLookup l) => string.IsNullOrEmpty(l.Detail) ? "" : $" ({l.Detail})";
        }

        /// <summary>
        /// Applies one group of rules like one ACL SETUSER; on error reports Redis's text at the first item whose
        /// prefix of the group already fails with it (the group is re-applied item by item only on that path).
        /// </summary>
        private AclUser? ApplyStage(ObjectRef subject, string name, AclUser? current, IReadOnlyList<string> tokens, Func<int, string> fieldOf, List<string>? requested)
        {
            var bytes = tokens.Select(t => Encoding.UTF8.GetBytes(t ?? "")).ToList();
            var result = AclUserRules.Apply(name, current, bytes, _options);
            if (result.Succeeded)
            {
                requested?.AddRange(tokens);
                return result.User;
            }

            int index = bytes.Count - 1;
            for (int n = 1; n < bytes.Count; n++)
            {
                if (AclUserRules.Apply(name, current, bytes.GetRange(0, n), _options).Error == result.Error)
                {
                    index = n - 1;
                    break;
                }
            }

            Add(subject, DiagnosticReasons.InvalidRules, AclText.ToUtf8(result.Error!), fieldOf(Math.Max(index, 0)));
            return null;
        }

        /// <summary>Reports rules that set passwords, nopass or on/off (without quoting them: they may be secrets).</summary>
        private bool CheckForbidden(ObjectRef subject, List<string> tokens, string listField, Func<int, string> fieldOf)
        {
            bool ok = true;
            for (int i = 0; i < tokens.Count; i++)
            {
                string? why = ForbiddenRuleMessage(tokens[i] ?? "");
                if (why is not null)
                {
                    Add(subject, DiagnosticReasons.ForbiddenRule, $"{listField}[{i}]: {why}", fieldOf(i));
                    ok = false;
                }
            }

            return ok;
        }
    }

    /// <summary>Why a rule token may not appear in rules, or null. Looks inside selectors too.</summary>
    internal static string? ForbiddenRuleMessage(string token)
    {
        foreach (var raw in token.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            var piece = raw.TrimStart('(').TrimEnd(')');
            if (piece.Length == 0)
            {
                continue;
            }

            switch (piece[0])
            {
                case '>' or '<':
                    return "passwords are not rules: use passwords (a secretKeyRef)";
                case '#' or '!':
                    return "password hashes are not rules: use passwordHashes (a secretKeyRef)";
            }

            if (piece.Equals("nopass", StringComparison.OrdinalIgnoreCase) || piece.Equals("resetpass", StringComparison.OrdinalIgnoreCase))
            {
                return $"'{piece}' is not allowed in rules: use noPassword and the password fields";
            }

            if (piece.Equals("on", StringComparison.OrdinalIgnoreCase) || piece.Equals("off", StringComparison.OrdinalIgnoreCase))
            {
                return $"'{piece}' is not allowed in rules: use enabled";
            }
        }

        return null;
    }

    /// <summary>ACL LIST's description without the <c>#hash</c> entries (O4: no hash in status), as UTF-8 text.</summary>
    internal static string CanonicalWithoutHashes(AclUser user) => AclText.ToUtf8(Snapshots.SnapshotCodec.RulesWithoutHashes(user));
}
