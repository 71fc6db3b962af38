using AclOperator.Acl.Passwords;
using AclOperator.Api.Compilation;
using AclOperator.Api.V1Alpha1;
using k8s.Models;
using Xunit;
using static AclOperator.Api.Tests.Compilation.TestObjects;

namespace AclOperator.Api.Tests.Compilation;

public sealed class AclCompilerTests
{
    private static readonly string AliceHash = PasswordHasher.Hash("alicepw"u8);

    [Fact]
    public void Rules_and_password_compile_to_the_exact_acl_list_line()
    {
        var r = Compile(
            [User("alice", "~app:*", "&app.*", "+@read", "+@write", "-@dangerous").WithPassword("pw", "alice")],
            secrets: new TestSecrets().With("pw", "alice", "alicepw"));

        Assert.Empty(r.Diagnostics);
        Assert.Equal(
            $"user alice on sanitize-payload #{AliceHash} ~app:* resetchannels &app.* -@all +@read +@write -@dangerous",
            r.Line("alice"));
        var u = Assert.Single(r.Users);
        Assert.Equal("alice", u.Username);
        Assert.Equal(1, u.PasswordCount);
        Assert.Equal("on sanitize-payload ~app:* resetchannels &app.* -@all +@read +@write -@dangerous", u.CanonicalRules);
        Assert.Equal(["~app:*", "&app.*", "+@read", "+@write", "-@dangerous", "on"], u.RequestedRules);
    }

    [Fact]
    public void Username_defaults_to_metadata_name_and_spec_username_allows_redis_only_characters()
    {
        var u = User("app-user", "+ping");
        u.Spec.Username = "App:User@1";
        var r = Compile([u, User("plain", "+ping")]);

        Assert.Empty(r.Diagnostics);
        Assert.Equal("user App:User@1 on sanitize-payload resetchannels -@all +ping", r.Line("App:User@1"));
        Assert.Equal("user plain on sanitize-payload resetchannels -@all +ping", r.Line("plain"));
    }

    [Theory]
    [InlineData(BuiltInAcls.FullAccess, "user u on nopass sanitize-payload ~* &* +@all")]
    [InlineData(BuiltInAcls.ReadOnly, "user u on nopass sanitize-payload ~* resetchannels -@all +@read")]
    [InlineData(BuiltInAcls.NotDangerous, "user u on nopass sanitize-payload ~* resetchannels +@all -@dangerous")]
    public void Built_in_rule_sets_are_usable_by_name(string acl, string line)
    {
        var u = User("u");
        u.Spec.Acls = [acl];
        u.Spec.NoPassword = true;

        var r = Compile([u]);

        Assert.Empty(r.Diagnostics);
        Assert.Equal(line, r.Line("u"));
    }

    [Fact]
    public void RedisAcl_rules_apply_first_then_the_users_rules_and_selectors()
    {
        var u = User("bob", "-@dangerous", "-set");
        u.Spec.Acls = ["app-readwrite"];
        u.Spec.Selectors = ["+get ~cache:*"];

        var r = Compile([u], [TestObjects.Acl("app-readwrite", "~app:*", "+@read", "+@write")]);

        Assert.Empty(r.Diagnostics);
        Assert.Equal(
            "user bob on sanitize-payload ~app:* resetchannels -@all +@read +@write -@dangerous -set (~cache:* resetchannels -@all +get)",
            r.Line("bob"));
        Assert.Equal(["~app:*", "+@read", "+@write", "-@dangerous", "-set", "(+get ~cache:*)", "on"], r.Users[0].RequestedRules);
    }

    [Fact]
    public void A_bad_rule_gives_redis_exact_error_at_its_index_and_the_other_users_still_compile()
    {
        var r = Compile([User("bad", "+get", "~x y"), User("worse", "+get", "+@nosuch"), User("good", "+ping")]);

        Assert.Equal(
            [
                new AclDiagnostic(new ObjectRef("RedisAclUser", null, "bad"), DiagnosticReasons.InvalidRules, "Error in ACL SETUSER modifier '~x y': Syntax error", "spec.rules[1]"),
                new AclDiagnostic(new ObjectRef("RedisAclUser", null, "worse"), DiagnosticReasons.InvalidRules, "Error in ACL SETUSER modifier '+@nosuch': Unknown command or category name in ACL", "spec.rules[1]"),
            ],
            r.Diagnostics);
        Assert.Null(r.Table.Find("bad"));
        Assert.Null(r.Table.Find("worse"));
        Assert.Equal(["user default on nopass sanitize-payload ~* &* +@all", "user good on sanitize-payload resetchannels -@all +ping"], r.AclListLines);
    }

    [Fact]
    public void Selector_errors_point_at_the_selector_with_redis_text()
    {
        var u = User("s", "+ping");
        u.Spec.Selectors = ["+get ~a", "+get ~* ~b"];

        var d = Assert.Single(Compile([u]).Diagnostics);

        Assert.Equal(
            "Error in ACL SETUSER modifier '(+get ~* ~b)': Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns",
            d.Message);
        Assert.Equal("spec.selectors[1]", d.FieldPath);
    }

    [Fact]
    public void Unknown_acl_reference_is_reported_at_its_entry()
    {
        var u = User("u", "+ping");
        u.Spec.Acls = ["read-only", "nope"];

        var d = Assert.Single(Compile([u]).Diagnostics);

        Assert.Equal(DiagnosticReasons.UnknownAcl, d.Reason);
        Assert.Equal("RedisAcl 'nope' not found (built-in: full-access, read-only, not-dangerous)", d.Message);
        Assert.Equal("spec.acls[1]", d.FieldPath);
    }

    [Fact]
    public void RedisAcl_references_resolve_in_the_users_namespace_only()
    {
        var u = User("u").In("team-a");
        u.Spec.Acls = ["shared"];
        var acl = TestObjects.Acl("shared", "+ping");
        acl.Metadata.NamespaceProperty = "team-b";

        var d = Assert.Single(Compile([u], [acl]).Diagnostics);

        Assert.Equal(DiagnosticReasons.UnknownAcl, d.Reason);
    }

    [Fact]
    public void An_invalid_RedisAcl_is_reported_on_itself_and_on_its_users()
    {
        var u = User("u");
        u.Spec.Acls = ["broken"];

        var r = Compile([u, User("other", "+ping")], [TestObjects.Acl("broken", "+get", "%Q~x")]);

        Assert.Equal(
            [
                new AclDiagnostic(new ObjectRef("RedisAcl", null, "broken"), DiagnosticReasons.InvalidRules, "Error in ACL SETUSER modifier '%Q~x': Syntax error", "spec.rules[1]"),
                new AclDiagnostic(new ObjectRef("RedisAclUser", null, "u"), DiagnosticReasons.AclInvalid, "RedisAcl 'broken' is not valid", "spec.acls[0]"),
            ],
            r.Diagnostics);
        Assert.NotNull(r.Table.Find("other"));
    }

    [Fact]
    public void A_RedisAcl_may_not_take_a_built_in_name()
    {
        var d = Assert.Single(Compile(acls: [TestObjects.Acl("read-only", "+@all")]).Diagnostics);

        Assert.Equal(DiagnosticReasons.ReservedName, d.Reason);
        Assert.Equal("'read-only' is the name of a built-in ACL (full-access, read-only, not-dangerous); choose another name", d.Message);
    }

    [Theory]
    [InlineData("default", "the username 'default' is reserved: the default user is configured on the RedisAclServer (spec.defaultUser)")]
    [InlineData("_aclop", "the username '_aclop' is reserved: names starting with _aclop belong to the operator")]
    [InlineData("_aclop.ceiling", "the username '_aclop.ceiling' is reserved: names starting with _aclop belong to the operator")]
    public void Reserved_usernames_are_refused(string username, string message)
    {
        var u = User("u", "+ping");
        u.Spec.Username = username;

        var r = Compile([u]);

        var d = Assert.Single(r.Diagnostics);
        Assert.Equal(DiagnosticReasons.ReservedName, d.Reason);
        Assert.Equal(message, d.Message);
        Assert.Equal("spec.username", d.FieldPath);
        Assert.Equal(["user default on nopass sanitize-payload ~* &* +@all"], r.AclListLines);
    }

    [Theory]
    [InlineData("two words")]
    [InlineData("tab\there")]
    [InlineData("nul\0byte")]
    public void Usernames_with_spaces_or_nul_get_redis_text(string username)
    {
        var u = User("u", "+ping");
        u.Spec.Username = username;

        var d = Assert.Single(Compile([u]).Diagnostics);

        Assert.Equal(DiagnosticReasons.InvalidUsername, d.Reason);
        Assert.Equal("Usernames can't contain spaces or null characters", d.Message);
    }

    [Fact]
    public void Username_collision_goes_to_the_older_object_whatever_the_input_order()
    {
        var older = User("first", "+get");
        older.Spec.Username = "app";
        older.Metadata.CreationTimestamp = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var newer = User("second", "+set");
        newer.Spec.Username = "app";
        newer.Metadata.CreationTimestamp = new DateTime(2025, 6, 1, 0, 0, 0, DateTimeKind.Utc);

        var r = Compile([newer, older]);

        var d = Assert.Single(r.Diagnostics);
        Assert.Equal(new ObjectRef("RedisAclUser", null, "second"), d.Subject);
        Assert.Equal(DiagnosticReasons.UsernameConflict, d.Reason);
        Assert.Equal("username 'app' is already claimed by RedisAclUser 'first' (the older object keeps a username)", d.Message);
        Assert.Equal("user app on sanitize-payload resetchannels -@all +get", r.Line("app"));
    }

    [Fact]
    public void Username_collision_with_equal_timestamps_goes_to_the_lower_uid_and_an_invalid_older_object_keeps_the_name()
    {
        var t = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var a = User("a", "+get", "+@nosuch");
        a.Spec.Username = "app";
        a.Metadata.CreationTimestamp = t;
        a.Metadata.Uid = "0001";
        var b = User("b", "+set");
        b.Spec.Username = "app";
        b.Metadata.CreationTimestamp = t;
        b.Metadata.Uid = "0002";

        var r = Compile([b, a]);

        Assert.Equal([DiagnosticReasons.InvalidRules, DiagnosticReasons.UsernameConflict], r.Diagnostics.Select(d => d.Reason).Order(StringComparer.Ordinal));
        Assert.Equal(DiagnosticReasons.UsernameConflict, r.DiagnosticsFor(new ObjectRef("RedisAclUser", null, "b")).Single().Reason);
        Assert.Null(r.Table.Find("app"));
    }

    [Fact]
    public void Collision_across_namespaces_does_not_name_the_other_namespace()
    {
        var server = Server(ns: "redis");
        server.Spec.UserNamespaces = [new UserNamespaceSpec { Namespace = "team-a", UsernamePrefix = "t." }, new UserNamespaceSpec { Namespace = "team-b", UsernamePrefix = "t." }];
        var a = User("app", "+get").In("team-a").BoundTo("redis");
        a.Metadata.CreationTimestamp = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var b = User("app", "+get").In("team-b").BoundTo("redis");
        b.Metadata.CreationTimestamp = new DateTime(2025, 2, 1, 0, 0, 0, DateTimeKind.Utc);

        var d = Assert.Single(Compile([a, b], server: server).Diagnostics);

        Assert.Equal("username 't.app' is already claimed by a RedisAclUser in another namespace (the older object keeps a username)", d.Message);
        Assert.DoesNotContain("team-a", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoPassword_excludes_passwords()
    {
        var u = User("u", "+ping").WithPassword("pw", "u");
        u.Spec.NoPassword = true;

        var d = Assert.Single(Compile([u], secrets: new TestSecrets().With("pw", "u", "x")).Diagnostics);

        Assert.Equal(new AclDiagnostic(new ObjectRef("RedisAclUser", null, "u"), DiagnosticReasons.PasswordConflict, "noPassword excludes passwords, passwordHashes and generatePassword", "spec.noPassword"), d);
    }

    [Fact]
    public void Password_hashes_come_from_the_resolver_trimmed_and_must_be_lowercase_hex()
    {
        var ok = User("ok", "+ping");
        ok.Spec.PasswordHashes = [new PasswordSource { SecretKeyRef = new SecretKeyRef { Name = "hashes", Key = "ok" } }];
        var upper = User("upper", "+ping");
        upper.Spec.PasswordHashes = [new PasswordSource { SecretKeyRef = new SecretKeyRef { Name = "hashes", Key = "upper" } }];
        var secrets = new TestSecrets().With("hashes", "ok", AliceHash + "\n").With("hashes", "upper", AliceHash.ToUpperInvariant());

        var r = Compile([ok, upper], secrets: secrets);

        Assert.Equal($"user ok on sanitize-payload #{AliceHash} resetchannels -@all +ping", r.Line("ok"));
        var d = Assert.Single(r.Diagnostics);
        Assert.Equal(DiagnosticReasons.InvalidPasswordHash, d.Reason);
        Assert.Equal("key 'upper' of Secret 'hashes': The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters", d.Message);
        Assert.Equal("spec.passwordHashes[0]", d.FieldPath);
    }

    [Fact]
    public void Missing_and_unreadable_secrets_remove_only_their_user()
    {
        var secrets = new TestSecrets().With("pw", "a", "apw");
        secrets.Unavailable.Add("flaky");
        var r = Compile(
            [User("a", "+ping").WithPassword("pw", "a"), User("b", "+ping").WithPassword("pw", "b"), User("c", "+ping").WithPassword("flaky", "c")],
            secrets: secrets);

        Assert.Equal(
            [
                new AclDiagnostic(new ObjectRef("RedisAclUser", null, "b"), DiagnosticReasons.SecretNotFound, "key 'b' of Secret 'pw' not found", "spec.passwords[0]"),
                new AclDiagnostic(new ObjectRef("RedisAclUser", null, "c"), DiagnosticReasons.SecretUnavailable, "key 'c' of Secret 'flaky' cannot be read now (API server timeout)", "spec.passwords[0]"),
            ],
            r.Diagnostics);
        Assert.NotNull(r.Table.Find("a"));
    }

    [Fact]
    public void Generated_passwords_are_read_from_the_users_credentials_secret()
    {
        var u = User("gen", "+ping");
        u.Spec.GeneratePassword = true;

        var r = Compile([u], secrets: new TestSecrets().With("gen-redis-credentials", "password", "generated-secret"));

        Assert.Equal($"user gen on sanitize-payload #{PasswordHasher.Hash("generated-secret"u8)} resetchannels -@all +ping", r.Line("gen"));
    }

    [Fact]
    public void Cleartext_never_appears_in_any_output_and_buffers_are_zeroed()
    {
        const string Cleartext = "Sup3r-S3cret-Cleartext";
        var secrets = new TestSecrets().With("pw", "a", Cleartext).With("pw", "b", Cleartext);
        var a = User("a", "+ping").WithPassword("pw", "a");
        var inRules = User("leaky", "+ping", ">" + Cleartext, "(+get >" + Cleartext + ")", "#" + AliceHash);
        var b = User("b", "~x y").WithPassword("pw", "b");

        var r = Compile([a, inRules, b], secrets: secrets);

        var texts = r.Diagnostics.Select(d => d.ToString())
            .Concat(r.AclListLines)
            .Concat(r.Users.SelectMany(u => u.RequestedRules.Append(u.CanonicalRules)));
        foreach (var text in texts)
        {
            Assert.DoesNotContain(Cleartext, text, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(r.Diagnostics, d => d.Message.Contains(AliceHash, StringComparison.Ordinal));
        Assert.Equal(
            [
                "spec.rules[1]: passwords are not rules: use passwords (a secretKeyRef)",
                "spec.rules[2]: passwords are not rules: use passwords (a secretKeyRef)",
                "spec.rules[3]: password hashes are not rules: use passwordHashes (a secretKeyRef)",
            ],
            r.DiagnosticsFor(new ObjectRef("RedisAclUser", null, "leaky")).Select(d => d.Message));
        Assert.Single(secrets.HandedOut); // b fails on its rules before its Secret is read
        Assert.All(secrets.HandedOut, buffer => Assert.All(buffer, b => Assert.Equal(0, b)));
    }

    [Theory]
    [InlineData("nopass", "'nopass' is not allowed in rules: use noPassword and the password fields")]
    [InlineData("RESETPASS", "'RESETPASS' is not allowed in rules: use noPassword and the password fields")]
    [InlineData("off", "'off' is not allowed in rules: use enabled")]
    [InlineData("On", "'On' is not allowed in rules: use enabled")]
    public void User_level_rules_have_their_own_fields(string rule, string message)
    {
        var d = Assert.Single(Compile([User("u", "+ping", rule)]).Diagnostics);

        Assert.Equal(DiagnosticReasons.ForbiddenRule, d.Reason);
        Assert.Equal("spec.rules[1]: " + message, d.Message);
    }

    [Fact]
    public void Disabled_users_are_off()
    {
        var u = User("u", "+ping");
        u.Spec.Enabled = false;

        Assert.Equal("user u off sanitize-payload resetchannels -@all +ping", Compile([u]).Line("u"));
    }

    [Fact]
    public void The_servers_default_user_is_compiled_and_is_off_when_not_configured()
    {
        var open = Server(new DefaultUserSpec { Enabled = true, NoPassword = true, Acls = [BuiltInAcls.FullAccess] });
        Assert.Equal("user default on nopass sanitize-payload ~* &* +@all", Compile(server: open).Line("default"));

        Assert.Equal("user default off sanitize-payload resetchannels -@all", Compile(server: Server()).Line("default"));

        var withPassword = Server(new DefaultUserSpec
        {
            Enabled = true,
            Rules = ["+ping"],
            Passwords = [new PasswordSource { SecretKeyRef = new SecretKeyRef { Name = "pw", Key = "default" } }],
        });
        Assert.Equal(
            $"user default on sanitize-payload #{AliceHash} resetchannels -@all +ping",
            Compile(server: withPassword, secrets: new TestSecrets().With("pw", "default", "alicepw")).Line("default"));
    }

    [Fact]
    public void An_invalid_default_user_fails_closed()
    {
        var r = Compile(server: Server(new DefaultUserSpec { Enabled = true, NoPassword = true, Rules = ["+@all", "~*", "&*", "+@bogus"] }));

        var d = Assert.Single(r.Diagnostics);
        Assert.Equal(new ObjectRef("RedisAclServer", null, "local"), d.Subject);
        Assert.Equal("spec.defaultUser.rules[3]", d.FieldPath);
        Assert.Equal("user default off sanitize-payload resetchannels -@all", r.Line("default"));
    }

    [Fact]
    public void No_server_keeps_redis_stock_default_user()
    {
        Assert.Equal(["user default on nopass sanitize-payload ~* &* +@all"], Compile().AclListLines);
    }

    [Fact]
    public void Tenant_users_get_the_namespace_prefix_and_stay_within_the_ceiling()
    {
        var server = Server(ns: "redis");
        server.Spec.UserNamespaces =
        [
            new UserNamespaceSpec { Namespace = "team-a", Ceiling = ["+@read", "+@write", "~team-a:*"] },
            new UserNamespaceSpec { Namespace = "team-c", UsernamePrefix = "c-" },
        ];
        var own = User("ops", "+@all", "~*").In("redis").BoundTo("redis");
        var tenant = User("app", "~team-a:*", "+get").In("team-a").BoundTo("redis");
        var greedy = User("greedy", "~team-a:*", "+get", "+flushall").In("team-a").BoundTo("redis");
        var outside = User("stranger", "+ping").In("team-b").BoundTo("redis");
        var floor = User("admin", "~*", "+get", "+flushall").In("team-c").BoundTo("redis");

        var r = Compile([own, tenant, greedy, outside, floor], server: server);

        Assert.Equal(
            [
                (DiagnosticReasons.NamespaceNotAdmitted, "stranger", "namespace 'team-b' is not admitted by RedisAclServer 'local' (spec.userNamespaces)"),
                (DiagnosticReasons.CeilingExceeded, "greedy", "selector 0 allows '+flushall', which the ceiling denies"),
                (DiagnosticReasons.CeilingExceeded, "admin", "selector 0 allows '+flushall', which the ceiling denies"),
            ],
            r.Diagnostics.Select(d => (d.Reason, d.Subject.Name, d.Message)));
        Assert.Equal("user ops on sanitize-payload ~* resetchannels +@all", r.Line("ops"));
        Assert.Equal("user team-a.app on sanitize-payload ~team-a:* resetchannels -@all +get", r.Line("team-a.app"));
        Assert.Equal("team-a.app", r.UserFor(new ObjectRef("RedisAclUser", "team-a", "app"))!.Username);
    }

    [Fact]
    public void Tenant_users_must_name_the_servers_namespace()
    {
        var server = Server(ns: "redis");
        server.Spec.UserNamespaces = [new UserNamespaceSpec { Namespace = "team-a" }];

        var d = Assert.Single(Compile([User("app", "+get").In("team-a")], server: server).Diagnostics);

        Assert.Equal("serverRef names RedisAclServer 'team-a/local', not 'redis/local'", d.Message);
    }

    [Fact]
    public void Users_bound_to_another_server_are_reported()
    {
        var u = User("u", "+ping");
        u.Spec.ServerRef = new ServerRef { Name = "elsewhere" };

        var d = Assert.Single(Compile([u], server: Server()).Diagnostics);

        Assert.Equal(new AclDiagnostic(new ObjectRef("RedisAclUser", null, "u"), DiagnosticReasons.ServerRefMismatch, "serverRef names RedisAclServer 'elsewhere', not 'local'", "spec.serverRef.name"), d);
    }

    [Fact]
    public void Pubsub_default_comes_from_the_options()
    {
        var r = AclCompiler.Compile(new AclCompileRequest
        {
            Users = [User("u", "+subscribe")],
            Secrets = new TestSecrets(),
            Options = AclOperator.Acl.AclOptions.Default with { PubsubDefaultAllChannels = true },
        });

        Assert.Equal("user u on sanitize-payload &* -@all +subscribe", r.Line("u"));
    }

    [Fact]
    public void Duplicate_objects_are_reported_once_and_the_first_wins()
    {
        var r = Compile([User("u", "+get"), User("u", "+set")]);

        var d = Assert.Single(r.Diagnostics);
        Assert.Equal(DiagnosticReasons.DuplicateObject, d.Reason);
        Assert.Equal("user u on sanitize-payload resetchannels -@all +get", r.Line("u"));
    }

    [Fact]
    public void Status_type_carries_kstatus_conditions_without_secrets()
    {
        var status = new RedisAclUserStatus
        {
            ObservedGeneration = 3,
            Conditions = [new V1Condition { Type = ConditionTypes.Valid, Status = "False", Reason = DiagnosticReasons.InvalidRules, Message = "Error in ACL SETUSER modifier '~x y': Syntax error", ObservedGeneration = 3 }],
        };

        var json = k8s.KubernetesJson.Serialize(status);

        Assert.Contains("\"observedGeneration\":3", json, StringComparison.Ordinal);
        Assert.Contains("\"reason\":\"InvalidRules\"", json, StringComparison.Ordinal);
    }
}
