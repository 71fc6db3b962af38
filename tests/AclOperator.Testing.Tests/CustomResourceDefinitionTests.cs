using System.Text.Json.Nodes;
using AclOperator.Testing.FakeKube;
using AclOperator.Testing.Tests.Support;

namespace AclOperator.Testing.Tests;

/// <summary>
/// CRD registration with structural schemas (apiextensions-apiserver validation), and serving custom resources with
/// OpenAPI v3 validation (kube-openapi messages as kubeOpenAPIResultToFieldErrors reports them), defaulting, pruning
/// and fieldValidation. CEL rules (x-kubernetes-validations) are accepted and kept but not evaluated here.
/// </summary>
public sealed class CustomResourceDefinitionTests
{
    private const string Crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

    private static string CrdWithSchema(string schema) => $$$"""
        {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"things.example.com"},
         "spec":{"group":"example.com","names":{"kind":"Thing","plural":"things"},"scope":"Namespaced",
           "versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{{{schema}}}}}]}}
        """;

    [Fact]
    public async Task Registered_CRD_is_established_and_served()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var raw = new RawApi(server);
        var r = await raw.PostAsync(Crds, Samples.WidgetCrd);
        Assert.Equal(201, r.Status);
        var conditions = r.Json["status"]!["conditions"]!.AsArray();
        Assert.Equal("True", conditions.First(c => c!["type"]!.ToString() == "Established")!["status"]!.ToString());
        Assert.Equal("True", conditions.First(c => c!["type"]!.ToString() == "NamesAccepted")!["status"]!.ToString());
        Assert.Equal("WidgetList", r.Str("status", "acceptedNames", "listKind"));
        Assert.Equal("""["v1"]""", r.Json["status"]!["storedVersions"]!.ToJsonString());
        Assert.Contains(CustomResourceCleanupFinalizer, r.Json["metadata"]!["finalizers"]!.AsArray().Select(f => f!.ToString()));
        // CEL rules are kept in the stored schema.
        Assert.NotNull(r.Json["spec"]!["versions"]![0]!["schema"]!["openAPIV3Schema"]!["x-kubernetes-validations"]);
        var resources = await raw.GetAsync("/apis/example.com/v1");
        Assert.Contains("\"name\":\"widgets\"", resources.Text, StringComparison.Ordinal);
        Assert.Contains("\"name\":\"widgets/status\"", resources.Text, StringComparison.Ordinal);
        Assert.Equal(201, (await raw.PostAsync(Samples.WidgetsPath, Samples.Widget("w1", 1))).Status);
    }

    private const string CustomResourceCleanupFinalizer = "customresourcecleanup.apiextensions.k8s.io";

    [Theory]
    [InlineData("""{"type":"object","properties":{"spec":{"properties":{"a":{"type":"string"}}}}}""",
        "spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields")]
    [InlineData("""{"properties":{"spec":{"type":"object"}}}""",
        "spec.versions[0].schema.openAPIV3Schema.type: Required value: must not be empty at the root")]
    [InlineData("""{"type":"object","properties":{"spec":{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":{"type":"string"}}}}""",
        "spec.versions[0].schema.openAPIV3Schema.properties[spec].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive")]
    [InlineData("""{"type":"object","properties":{"metadata":{"type":"object","properties":{"labels":{"type":"object"}}}}}""",
        "spec.versions[0].schema.openAPIV3Schema.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified")]
    [InlineData("""{"type":"object","properties":{"l":{"type":"array"}}}""",
        "spec.versions[0].schema.openAPIV3Schema.properties[l].items: Required value: must be specified")]
    [InlineData("""{"type":"object","properties":{"l":{"type":"array","x-kubernetes-list-type":"map","items":{"type":"object"}}}}""",
        "spec.versions[0].schema.openAPIV3Schema.properties[l].x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map")]
    [InlineData("""{"type":"object","x-kubernetes-preserve-unknown-fields":false}""",
        "spec.versions[0].schema.openAPIV3Schema.x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true or undefined")]
    public async Task Non_structural_schemas_are_rejected(string schema, string error)
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var raw = new RawApi(server);
        var r = await raw.PostAsync(Crds, CrdWithSchema(schema));
        Assert.Equal(422, r.Status);
        Assert.Equal($"CustomResourceDefinition.apiextensions.k8s.io \"things.example.com\" is invalid: {error}", r.Str("message"));
    }

    [Fact]
    public async Task Crd_names_must_match_and_int_or_string_is_structural()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var raw = new RawApi(server);
        var ok = await raw.PostAsync(Crds, CrdWithSchema("""{"type":"object","properties":{"p":{"x-kubernetes-int-or-string":true,"anyOf":[{"type":"integer"},{"type":"string"}]},"any":{"x-kubernetes-preserve-unknown-fields":true}}}"""));
        Assert.Equal(201, ok.Status);
        var bad = await raw.PostAsync(Crds, CrdWithSchema("""{"type":"object"}""").Replace("things.example.com", "wrong.example.com", StringComparison.Ordinal));
        Assert.Equal(422, bad.Status);
        Assert.Equal("CustomResourceDefinition.apiextensions.k8s.io \"wrong.example.com\" is invalid: metadata.name: Invalid value: \"wrong.example.com\": must be spec.names.plural+\".\"+spec.group", bad.Str("message"));
    }

    [Theory]
    [InlineData("""{"size":"3"}""", "spec.size", "FieldValueTypeInvalid", "spec.size: Invalid value: \"string\": spec.size in body must be of type integer: \"string\"")]
    [InlineData("""{}""", "spec.size", "FieldValueRequired", "spec.size: Required value")]
    [InlineData("""{"size":0}""", "spec.size", "FieldValueInvalid", "spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1")]
    [InlineData("""{"size":11}""", "spec.size", "FieldValueInvalid", "spec.size: Invalid value: 11: spec.size in body should be less than or equal to 10")]
    [InlineData("""{"size":1,"color":"green"}""", "spec.color", "FieldValueNotSupported", "spec.color: Unsupported value: \"green\": supported values: \"red\", \"blue\"")]
    [InlineData("""{"size":1,"owner":"abcdefghi"}""", "spec.owner", "FieldValueTooLong", "spec.owner: Too long: may not be longer than 8")]
    [InlineData("""{"size":1,"owner":"a1"}""", "spec.owner", "FieldValueInvalid", "spec.owner: Invalid value: \"a1\": spec.owner in body should match '^[a-z]+$'")]
    [InlineData("""{"size":1,"tags":["a","b","c"]}""", "spec.tags", "FieldValueTooMany", "spec.tags: Too many: 3: must have at most 2 items")]
    [InlineData("""{"size":1,"tags":["a","a"]}""", "spec.tags[1]", "FieldValueDuplicate", "spec.tags[1]: Duplicate value: \"a\"")]
    [InlineData("""{"size":1,"ports":[{"name":"x"},{"name":"x"}]}""", "spec.ports[1]", "FieldValueDuplicate", "spec.ports[1]: Duplicate value: map[string]interface {}{\"name\":\"x\"}")]
    public async Task Custom_resources_are_validated_against_the_schema(string spec, string field, string reason, string error)
    {
        var (server, raw) = await Crd.StartWithWidgetsAsync();
        await using var _ = server;
        using var __ = raw;
        var r = await raw.PostAsync(Samples.WidgetsPath, $$$"""{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w1"},"spec":{{{spec}}}}""");
        Assert.Equal(422, r.Status);
        Assert.Equal($"Widget.example.com \"w1\" is invalid: {error}", r.Str("message"));
        var cause = r.Json["details"]!["causes"]![0]!;
        Assert.Equal(field, cause["field"]!.ToString());
        Assert.Equal(reason, cause["reason"]!.ToString());
        Assert.Equal("example.com", r.Str("details", "group"));
        Assert.Equal("Widget", r.Str("details", "kind"));
    }

    [Fact]
    public async Task Several_errors_are_listed_in_brackets()
    {
        var (server, raw) = await Crd.StartWithWidgetsAsync();
        await using var _ = server;
        using var __ = raw;
        var r = await raw.PostAsync(Samples.WidgetsPath, """{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w1"},"spec":{"size":20,"color":"x"}}""");
        Assert.Equal("Widget.example.com \"w1\" is invalid: [spec.size: Invalid value: 20: spec.size in body should be less than or equal to 10, spec.color: Unsupported value: \"x\": supported values: \"red\", \"blue\"]", r.Str("message"));
    }

    [Fact]
    public async Task Defaults_are_applied_and_unknown_fields_pruned_or_rejected_by_fieldValidation()
    {
        var (server, raw) = await Crd.StartWithWidgetsAsync();
        await using var _ = server;
        using var __ = raw;
        const string body = """{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"NAME","bogus":1},"spec":{"size":1,"extra":true,"free":{"any":{"thing":1}}},"top":1}""";
        var warn = await raw.PostAsync(Samples.WidgetsPath, body.Replace("NAME", "w1", StringComparison.Ordinal));
        Assert.Equal(201, warn.Status);
        Assert.Equal("red", warn.Str("spec", "color"));
        Assert.Null(warn.Json["spec"]!["extra"]);
        Assert.Null(warn.Json["top"]);
        Assert.Null(warn.Json["metadata"]!["bogus"]);
        JsonAssert.Equal("""{"any":{"thing":1}}""", warn.Json["spec"]!["free"]);
        Assert.Equal("299 - \"unknown field \\\"metadata.bogus\\\"\",299 - \"unknown field \\\"spec.extra\\\"\",299 - \"unknown field \\\"top\\\"\"", warn.Headers["Warning"]);

        var strict = await raw.SendAsync(HttpMethod.Post, Samples.WidgetsPath + "?fieldValidation=Strict", body.Replace("NAME", "w2", StringComparison.Ordinal));
        Assert.Equal(400, strict.Status);
        Assert.Equal("strict decoding error: unknown field \"metadata.bogus\", unknown field \"spec.extra\", unknown field \"top\"", strict.Str("message"));

        var ignore = await raw.SendAsync(HttpMethod.Post, Samples.WidgetsPath + "?fieldValidation=Ignore", body.Replace("NAME", "w3", StringComparison.Ordinal));
        Assert.Equal(201, ignore.Status);
        Assert.False(ignore.Headers.ContainsKey("Warning"));
    }

    [Fact]
    public async Task Deleting_a_CRD_deletes_its_custom_resources_and_stops_serving_them()
    {
        var (server, raw) = await Crd.StartWithWidgetsAsync();
        await using var _ = server;
        using var __ = raw;
        await raw.PostAsync(Samples.WidgetsPath, Samples.Widget("w1", 1));
        await raw.DeleteAsync(Crds + "/widgets.example.com");
        await Eventually.TrueAsync(async () => (await raw.GetAsync(Crds + "/widgets.example.com")).Status == 404, "the CRD is gone");
        Assert.Null(server.GetStoredJson("example.com", "widgets", "default", "w1"));
        Assert.Equal(404, (await raw.GetAsync(Samples.WidgetsPath)).Status);
        Assert.DoesNotContain("example.com", (await raw.GetAsync("/apis")).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cluster_scoped_custom_resources_have_no_namespace()
    {
        await using var server = await FakeKubeServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        using var raw = new RawApi(server);
        var crd = CrdWithSchema("""{"type":"object","properties":{"spec":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}""")
            .Replace("\"Namespaced\"", "\"Cluster\"", StringComparison.Ordinal);
        Assert.Equal(201, (await raw.PostAsync(Crds, crd)).Status);
        var created = await raw.PostAsync("/apis/example.com/v1/things", """{"apiVersion":"example.com/v1","kind":"Thing","metadata":{"name":"t1"},"spec":{"x":1}}""");
        Assert.Equal(201, created.Status);
        Assert.Null(created.Json["metadata"]!["namespace"]);
        Assert.Equal(404, (await raw.GetAsync("/apis/example.com/v1/namespaces/default/things/t1")).Status);
        var list = await raw.GetAsync("/apis/example.com/v1/things");
        Assert.Equal("ThingList", list.Str("kind"));
        Assert.Equal("Thing", list.Json["items"]![0]!["kind"]!.ToString());
        _ = JsonNode.Parse(list.Text);
    }
}
