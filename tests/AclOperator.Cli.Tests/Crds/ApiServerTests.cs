using System.Text.Json.Nodes;
using AclOperator.Cli.Tests.Support;
using AclOperator.Testing.FakeKube;

namespace AclOperator.Cli.Tests.Crds;

/// <summary>
/// crds/ loaded into the fake API server: the structural-schema rules of apiextensions-apiserver accept them, the
/// sample CRs are accepted (and defaulted), and objects the OpenAPI schema forbids are rejected with 422 and the
/// API server's messages. (CEL rules: <see cref="CelRuleTests"/>.)
/// </summary>
public sealed class ApiServerTests(AclopApiServer api) : IClassFixture<AclopApiServer>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Every_crd_is_structural_and_established()
    {
        Assert.Equal(["redisacls.aclop.dev", "redisaclservers.aclop.dev", "redisaclusers.aclop.dev"], api.Registered.Select(c => c.Metadata.Name));
        foreach (var crd in api.Registered)
        {
            Assert.Equal("True", crd.Status.Conditions.Single(c => c.Type == "Established").Status);
            Assert.Equal("True", crd.Status.Conditions.Single(c => c.Type == "NamesAccepted").Status);
            Assert.Equal(["redis", "aclop"], crd.Status.AcceptedNames.Categories);
        }
    }

    [Fact]
    public async Task Discovery_serves_short_names_categories_and_the_status_subresource()
    {
        var (status, body) = await api.GetAsync("apis/aclop.dev/v1alpha1");
        Assert.Equal(200, status);
        var resources = JsonNode.Parse(body)!["resources"]!.AsArray().ToDictionary(r => (string)r!["name"]!, r => r!);
        Assert.Equal(
            ["redisacls", "redisacls/status", "redisaclservers", "redisaclservers/status", "redisaclusers", "redisaclusers/status"],
            resources.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("""["rau","redisuser"]""", resources["redisaclusers"]["shortNames"]!.ToJsonString());
        Assert.Equal("""["redis","aclop"]""", resources["redisaclservers"]["categories"]!.ToJsonString());
        Assert.True((bool)resources["redisaclusers"]["namespaced"]!);
    }

    [Fact]
    public async Task Sample_custom_resources_are_accepted_and_defaulted()
    {
        var created = new Dictionary<string, JsonObject>();
        foreach (var file in Directory.GetFiles(Repository.PathOf("config/samples"), "*.yaml").Where(f => Path.GetFileName(f) != "kustomization.yaml"))
        {
            foreach (var doc in ManifestYaml.JsonDocuments(File.ReadAllText(file)))
            {
                var (status, body) = await api.CreateAsync(doc);
                Assert.True(status == 201, $"{Path.GetFileName(file)}: {status} {body.ToJsonString()}");
                created[(string)body["metadata"]!["name"]!] = body;
            }
        }

        Assert.Equal(["alice", "app-readwrite", "local", "reporting", "sample-passwords"], created.Keys.Order(StringComparer.Ordinal));
        // Schema defaults, as the API server writes them before the operator sees the object.
        Assert.Equal(1, (int)created["local"]["spec"]!["replicas"]!);
        Assert.Equal("resetchannels", (string)created["local"]["spec"]!["aclPubsubDefault"]!);
        Assert.Equal("Deny", (string)created["local"]["spec"]!["runtimeAcl"]!);
        Assert.Null(created["local"]["spec"]!["service"]); // defaults apply inside objects that are present only
        Assert.True((bool)created["alice"]["spec"]!["enabled"]!);
        Assert.False((bool)created["alice"]["spec"]!["noPassword"]!);
        Assert.False((bool)created["alice"]["spec"]!["generatePassword"]!);
    }

    [Fact]
    public async Task Status_is_a_subresource()
    {
        const string ns = "default";
        var user = User("status-sub", """{"serverRef":{"name":"s"}}""");
        user["status"] = JsonNode.Parse("""{"username":"forged","passwordCount":3}""");
        var (status, body) = await api.CreateAsync(user, ns, dryRun: false);
        Assert.Equal(201, status);
        Assert.Null(body["status"]);
        Assert.Equal(1, (long)body["metadata"]!["generation"]!);
    }

    public static TheoryData<string, string, string> Rejected => new()
    {
        { "RedisAclServer", """{"replicas":65}""", "spec.replicas: Invalid value: 65: spec.replicas in body should be less than or equal to 64" },
        { "RedisAclServer", """{"backend":{"type":"garnet"}}""", "spec.backend.type: Unsupported value: \"garnet\": supported values: \"embedded\", \"sidecar\", \"upstream\"" },
        { "RedisAclServer", """{"backend":{"type":"upstream","upstream":{"host":""}}}""", "spec.backend.upstream.host: Invalid value: \"\": spec.backend.upstream.host in body should be at least 1 chars long" },
        { "RedisAclServer", """{"service":{"port":0}}""", "spec.service.port: Invalid value: 0: spec.service.port in body should be greater than or equal to 1" },
        { "RedisAclServer", """{"runtimeAcl":"allow"}""", "spec.runtimeAcl: Unsupported value: \"allow\": supported values: \"Deny\", \"Allow\"" },
        { "RedisAclServer", """{"userNamespaces":[{"namespace":"Team_A"}]}""", "spec.userNamespaces[0].namespace: Invalid value: \"Team_A\": spec.userNamespaces[0].namespace in body should match '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'" },
        { "RedisAclServer", """{"userNamespaces":[{"namespace":"a"},{"namespace":"a"}]}""", "spec.userNamespaces[1]: Duplicate value: map[string]interface {}{\"namespace\":\"a\"}" },
        { "RedisAclServer", """{"backend":{"type":"embedded","embedded":{"storageSize":"10 GB"}}}""", "spec.backend.embedded.storageSize: Invalid value: \"10 GB\": spec.backend.embedded.storageSize in body should match '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$'" },
        { "RedisAcl", """{"rules":[]}""", "spec.rules: Invalid value: 0: spec.rules in body should have at least 1 items" },
        { "RedisAcl", """{}""", "spec.rules: Required value" },
        { "RedisAclUser", """{}""", "spec.serverRef: Required value" },
        { "RedisAclUser", """{"serverRef":{"name":"s"},"passwords":[{"secretKeyRef":{"name":"s"}}]}""", "spec.passwords[0].secretKeyRef.key: Required value" },
        { "RedisAclUser", """{"serverRef":{"name":"s"},"passwords":[{"secretKeyRef":{"name":"S","key":"k"}}]}""", "spec.passwords[0].secretKeyRef.name: Invalid value: \"S\": spec.passwords[0].secretKeyRef.name in body should match '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$'" },
        { "RedisAclUser", """{"serverRef":{"name":"s"},"rules":[""]}""", "spec.rules[0]: Invalid value: \"\": spec.rules[0] in body should be at least 1 chars long" },
        { "RedisAclUser", """{"serverRef":{"name":"s"},"enabled":"yes"}""", "spec.enabled: Invalid value: \"string\": spec.enabled in body must be of type boolean: \"string\"" },
        { "RedisAclUser", """{"serverRef":{"name":"s"},"username":""}""", "spec.username: Invalid value: \"\": spec.username in body should be at least 1 chars long" },
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public async Task Objects_the_schema_forbids_get_422(string kind, string spec, string error)
    {
        var obj = new JsonObject
        {
            ["apiVersion"] = "aclop.dev/v1alpha1",
            ["kind"] = kind,
            ["metadata"] = new JsonObject { ["name"] = "x" },
            ["spec"] = JsonNode.Parse(spec),
        };
        var (status, body) = await api.CreateAsync(obj);
        Assert.Equal(422, status);
        Assert.Equal($"{kind}.aclop.dev \"x\" is invalid: {error}", (string)body["message"]!);
    }

    [Fact]
    public async Task Unknown_fields_are_refused_with_strict_field_validation()
    {
        var (status, body) = await api.CreateAsync(User("u", """{"serverRef":{"name":"s"},"rule":["+get"]}"""));
        Assert.Equal(400, status);
        Assert.Equal("strict decoding error: unknown field \"spec.rule\"", (string)body["message"]!);
    }

    [Fact]
    public async Task Kubectl_applies_the_samples_kustomization_and_lists_the_redis_category()
    {
        Assert.SkipWhen(Kubectl.Executable is null, "kubectl is not installed on this machine");
        using var kubectl = new Kubectl(api.Server);
        var ns = "kubectl-samples";
        Ok(await kubectl.RunAsync("create", "namespace", ns));
        var applied = await kubectl.RunAsync("apply", "-n", ns, "-k", Repository.PathOf("config/samples"));
        Ok(applied);
        Assert.Equal(
            "secret/sample-passwords created\nredisacl.aclop.dev/app-readwrite created\nredisaclserver.aclop.dev/local created\n" +
            "redisacluser.aclop.dev/alice created\nredisacluser.aclop.dev/reporting created\n",
            applied.Stdout);

        var all = await kubectl.RunAsync("get", "redis", "-n", ns, "-o", "name");
        Ok(all);
        Assert.Equal(
            ["redisacl.aclop.dev/app-readwrite", "redisaclserver.aclop.dev/local", "redisacluser.aclop.dev/alice", "redisacluser.aclop.dev/reporting"],
            all.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));

        var users = await kubectl.RunAsync("get", "rau", "-n", ns);
        Ok(users);
        var lines = users.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches("^NAME +USERNAME +SERVER +ENABLED +VALID +ENFORCED +AGE$", lines[0]);
        // No status yet (no operator here): the status columns are empty.
        Assert.Matches("^alice +local +true +[0-9]+s$", lines[1]);
    }

    private static void Ok(KubectlResult r) => Assert.True(r.ExitCode == 0, r.ToString());

    private static JsonObject User(string name, string spec) => new()
    {
        ["apiVersion"] = "aclop.dev/v1alpha1",
        ["kind"] = "RedisAclUser",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = JsonNode.Parse(spec),
    };
}
