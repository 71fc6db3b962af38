using System.Text.Json.Nodes;
using AclOperator.Cli.Tests.Support;
using AclOperator.Testing.FakeKube;
using k8s;

namespace AclOperator.Cli.Tests.Crds;

/// <summary>
/// Every x-kubernetes-validations rule of crds/ evaluated with a real CEL implementation (@bufbuild/cel, see
/// tests/cel/evaluate.mjs) on objects the API server would accept and on objects it must reject (O1, O11, O13).
/// Each object first goes through the fake API server (dry run), so the rules see it pruned and defaulted as the real
/// API server evaluates them; it must pass the OpenAPI schema there, so a rejection here is the CEL rule's own.
/// </summary>
public sealed class CelRuleTests
{
    private const string Acl = "RedisAcl";
    private const string Server = "RedisAclServer";
    private const string User = "RedisAclUser";

    private static readonly string[] None = [];

    private const string NoPassword = "noPassword excludes passwords, passwordHashes and generatePassword";
    private const string UserRules = "passwords, nopass and on/off are set by passwords, passwordHashes, noPassword and enabled, not by rules";
    private const string AclRules = "a RedisAcl holds permissions only: no passwords, nopass or on/off";
    private const string Spaces = "Usernames can't contain spaces or null characters";
    private const string DefaultName = "the default user is configured on the RedisAclServer (spec.defaultUser)";
    private const string DefaultObject = "the default user is configured on the RedisAclServer (spec.defaultUser); a RedisAclUser named 'default' needs another spec.username";
    private const string Reserved = "usernames starting with _aclop are reserved";
    private const string Replicas = "replicas > 1 needs an upstream backend: embedded and sidecar replicas would be separate databases behind one Service (O11)";
    private const string NeedsUpstream = "an upstream backend needs spec.backend.upstream";
    private const string OnlyUpstream = "spec.backend.upstream is only for type upstream";
    private const string BuiltIn = "full-access, read-only and not-dangerous are built-in ACL names";
    private const string PrefixReserved = "the _aclop prefix is reserved";
    private const string DefaultUserNoPassword = "noPassword excludes passwords and passwordHashes";

    /// <summary>id → (kind, metadata.name, spec, the messages of the rules that must fail).</summary>
    private static readonly Dictionary<string, (string Kind, string Name, string Spec, string[] Violations)> Cases = new()
    {
        // Accepted.
        ["user with rules, selectors and rule sets"] = (User, "app", """{"serverRef":{"name":"s"},"username":"app.alice@x","acls":["read-only","app-rw"],"rules":["~app:*","%R~cache:*","&app.*","+@read","-@dangerous","(+get ~x:*)","resetkeys","allkeys"],"selectors":["+get ~cache:*"],"passwords":[{"secretKeyRef":{"name":"s","key":"p"}}]}""", None),
        ["user without username and a name that is not default"] = (User, "default-reader", """{"serverRef":{"name":"s"}}""", None),
        ["user named default with another username"] = (User, "default", """{"serverRef":{"name":"s"},"username":"app-default"}""", None),
        ["user with noPassword only"] = (User, "anon", """{"serverRef":{"name":"s"},"noPassword":true,"rules":["+ping"]}""", None),
        ["user with generatePassword and hashes"] = (User, "gen", """{"serverRef":{"name":"s"},"generatePassword":true,"passwordHashes":[{"secretKeyRef":{"name":"h","key":"k"}}]}""", None),
        ["user whose rule merely contains on"] = (User, "onish", """{"serverRef":{"name":"s"},"rules":["+@connection","~on:*","-config|set"]}""", None),
        ["username defaulted and aclop inside"] = (User, "x", """{"serverRef":{"name":"s"},"username":"team._aclop"}""", None),
        ["server upstream with replicas"] = (Server, "up", """{"replicas":3,"backend":{"type":"upstream","upstream":{"host":"redis.data","port":6380,"tls":true}}}""", None),
        ["server scaled to zero"] = (Server, "off", """{"replicas":0,"backend":{"type":"sidecar","sidecar":{"flavor":"redis"}}}""", None),
        ["server with defaults only"] = (Server, "min", """{}""", None),
        ["server with tenants and a default user"] = (Server, "tenants", """{"userNamespaces":[{"namespace":"team-a","usernamePrefix":"team-a.","ceiling":["+@read","~team-a:*"]},{"namespace":"team-b"}],"defaultUser":{"enabled":true,"passwords":[{"secretKeyRef":{"name":"d","key":"p"}}],"rules":["+@read"]}}""", None),
        ["acl with selectors"] = (Acl, "app-rw", """{"rules":["~app:*","+@all","-@dangerous","(+get ~other:*)"]}""", None),

        // Rejected.
        ["user noPassword with passwords"] = (User, "u1", """{"serverRef":{"name":"s"},"noPassword":true,"passwords":[{"secretKeyRef":{"name":"s","key":"p"}}]}""", [NoPassword]),
        ["user noPassword with hashes"] = (User, "u2", """{"serverRef":{"name":"s"},"noPassword":true,"passwordHashes":[{"secretKeyRef":{"name":"s","key":"p"}}]}""", [NoPassword]),
        ["user noPassword with generatePassword"] = (User, "u3", """{"serverRef":{"name":"s"},"noPassword":true,"generatePassword":true}""", [NoPassword]),
        ["username with a space"] = (User, "u4", """{"serverRef":{"name":"s"},"username":"a b"}""", [Spaces]),
        ["username with a tab"] = (User, "u5", """{"serverRef":{"name":"s"},"username":"a\tb"}""", [Spaces]),
        ["username with a vertical tab"] = (User, "u6", """{"serverRef":{"name":"s"},"username":"a\u000bb"}""", [Spaces]),
        ["username with NUL"] = (User, "u7", """{"serverRef":{"name":"s"},"username":"a\u0000b"}""", [Spaces]),
        ["username default"] = (User, "u8", """{"serverRef":{"name":"s"},"username":"default"}""", [DefaultName]),
        ["username with the reserved prefix"] = (User, "u9", """{"serverRef":{"name":"s"},"username":"_aclop.ceiling"}""", [Reserved]),
        ["user named default without username"] = (User, "default", """{"serverRef":{"name":"s"}}""", [DefaultObject]),
        ["user rule with a password"] = (User, "u10", """{"serverRef":{"name":"s"},"rules":["+@read",">secret"]}""", [UserRules]),
        ["user rule with a hash"] = (User, "u11", """{"serverRef":{"name":"s"},"rules":["#5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"]}""", [UserRules]),
        ["user rule removing a password"] = (User, "u12", """{"serverRef":{"name":"s"},"rules":["<old"]}""", [UserRules]),
        ["user rule with on in capitals"] = (User, "u13", """{"serverRef":{"name":"s"},"rules":["ON"]}""", [UserRules]),
        ["user rule nopass"] = (User, "u14", """{"serverRef":{"name":"s"},"rules":["NoPass"]}""", [UserRules]),
        ["user rule resetpass"] = (User, "u15", """{"serverRef":{"name":"s"},"rules":["resetpass"]}""", [UserRules]),
        ["user rule with a password inside a selector"] = (User, "u16", """{"serverRef":{"name":"s"},"rules":["(>pw ~x)"]}""", [UserRules]),
        ["several rules fail at once"] = (User, "u17", """{"serverRef":{"name":"s"},"username":"default","noPassword":true,"generatePassword":true,"rules":["off"]}""", [NoPassword, DefaultName, UserRules]),
        ["acl with a password"] = (Acl, "a1", """{"rules":["~x",">pw"]}""", [AclRules]),
        ["acl with off"] = (Acl, "a2", """{"rules":["off"]}""", [AclRules]),
        ["acl named like a built-in"] = (Acl, "read-only", """{"rules":["+@read"]}""", [BuiltIn]),
        ["acl named full-access"] = (Acl, "full-access", """{"rules":["+@all"]}""", [BuiltIn]),
        ["sidecar server with replicas"] = (Server, "s1", """{"replicas":2,"backend":{"type":"sidecar"}}""", [Replicas]),
        ["server with replicas and no backend (sidecar by default)"] = (Server, "s2", """{"replicas":2}""", [Replicas]),
        ["embedded server with replicas"] = (Server, "s3", """{"replicas":3,"backend":{"type":"embedded"}}""", [Replicas]),
        ["upstream type without upstream"] = (Server, "s4", """{"backend":{"type":"upstream"}}""", [NeedsUpstream]),
        ["upstream settings on a sidecar"] = (Server, "s5", """{"backend":{"type":"sidecar","upstream":{"host":"h"}}}""", [OnlyUpstream]),
        ["tenant prefix with the reserved prefix"] = (Server, "s6", """{"userNamespaces":[{"namespace":"t","usernamePrefix":"_aclop."}]}""", [PrefixReserved]),
        ["default user noPassword with passwords"] = (Server, "s7", """{"defaultUser":{"enabled":true,"noPassword":true,"passwords":[{"secretKeyRef":{"name":"d","key":"p"}}]}}""", [DefaultUserNoPassword]),
        ["default user noPassword with hashes"] = (Server, "s8", """{"defaultUser":{"noPassword":true,"passwordHashes":[{"secretKeyRef":{"name":"d","key":"p"}}]}}""", [DefaultUserNoPassword]),
    };

    private static readonly Lazy<Task<Evaluation>> Run = new(EvaluateAllAsync);

    public static TheoryData<string> CaseIds => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseIds))]
    public async Task Rules_accept_and_reject_as_the_api_server_must(string id)
    {
        var evaluation = await EvaluationAsync();
        var (_, _, _, violations) = Cases[id];
        var outcomes = evaluation.Outcomes.Where(o => o.Id == id).ToList();
        Assert.NotEmpty(outcomes);
        Assert.Empty(outcomes.Where(o => o.Outcome == "error").Select(o => $"{o.Path}: {o.Rule}: {o.Error}"));
        Assert.Equal(violations.Order(StringComparer.Ordinal), outcomes.Where(o => o.Outcome == "false").Select(o => o.Message!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_sample_custom_resources_pass_every_rule()
    {
        var evaluation = await EvaluationAsync();
        var samples = evaluation.Outcomes.Where(o => o.Id.StartsWith("config/samples/", StringComparison.Ordinal)).ToList();
        Assert.Equal(["config/samples/alice.yaml", "config/samples/app-readwrite.yaml", "config/samples/local-server.yaml", "config/samples/reporting.yaml"],
            samples.Select(o => o.Id).Distinct().Order(StringComparer.Ordinal));
        Assert.All(samples, o => Assert.True(o.Outcome == "true", $"{o.Id} {o.Path}: {o.Rule} -> {o.Outcome} {o.Error}"));
    }

    [Fact]
    public async Task Every_rule_is_seen_both_holding_and_failing()
    {
        var evaluation = await EvaluationAsync();
        var rules = SchemaRules.All(CrdFiles.SchemasByKind());
        Assert.Equal(13, rules.Count);
        foreach (var rule in rules)
        {
            var seen = evaluation.Outcomes
                .Where(o => Cases.TryGetValue(o.Id, out var c) ? c.Kind == rule.Kind : o.Id.StartsWith("config/samples/", StringComparison.Ordinal))
                .Where(o => o.Rule == rule.Rule && Normalize(o.Path) == rule.Path)
                .Select(o => o.Outcome)
                .ToHashSet();
            Assert.True(seen.Contains("true") && seen.Contains("false"),
                $"{rule.Kind} {rule.Path}: `{rule.Rule}` needs an accepting and a rejecting case (seen: {string.Join(", ", seen)})");
        }
    }

    private static async Task<Evaluation> EvaluationAsync()
    {
        Assert.SkipWhen(CelEvaluator.Unavailable is not null, CelEvaluator.Unavailable ?? "");
        return await Run.Value;
    }

    /// <summary><c>spec.userNamespaces[0].usernamePrefix</c> → <c>spec.userNamespaces[*].usernamePrefix</c>.</summary>
    private static string Normalize(string path) => System.Text.RegularExpressions.Regex.Replace(path, @"\[\d+\]", "[*]");

    private sealed record Evaluation(IReadOnlyList<CelOutcome> Outcomes);

    private static async Task<Evaluation> EvaluateAllAsync()
    {
        await using var api = new AclopApiServer();
        await api.InitializeAsync();
        var objects = new JsonArray();
        foreach (var (id, (kind, name, spec, _)) in Cases)
        {
            var obj = new JsonObject
            {
                ["apiVersion"] = "aclop.dev/v1alpha1",
                ["kind"] = kind,
                ["metadata"] = new JsonObject { ["name"] = name },
                ["spec"] = JsonNode.Parse(spec),
            };
            objects.Add(await AdmittedAsync(api, id, obj));
        }

        foreach (var file in Directory.GetFiles(Repository.PathOf("config/samples"), "*.yaml").Where(f => Path.GetFileName(f) != "kustomization.yaml").Order(StringComparer.Ordinal))
        {
            foreach (var doc in ManifestYaml.LoadStrict(File.ReadAllText(file)).OfType<IKubernetesObject>().Where(o => o.ApiVersion.StartsWith("aclop.dev/", StringComparison.Ordinal)))
            {
                var id = "config/samples/" + Path.GetFileName(file);
                objects.Add(await AdmittedAsync(api, id, JsonNode.Parse(KubernetesJson.Serialize(doc))!.AsObject()));
            }
        }

        return new Evaluation(await CelEvaluator.EvaluateAsync(CrdFiles.SchemasByKind(), objects));
    }

    /// <summary>The object as the API server stores it (pruned, defaulted), after its OpenAPI validation passed.</summary>
    private static async Task<JsonObject> AdmittedAsync(AclopApiServer api, string id, JsonObject obj)
    {
        var (status, body) = await api.CreateAsync(obj);
        Assert.True(status == 201, $"{id}: the OpenAPI schema must accept it, so that only CEL decides: {status} {body["message"]}");
        return new JsonObject { ["id"] = id, ["kind"] = body["kind"]!.DeepClone(), ["object"] = body };
    }
}
