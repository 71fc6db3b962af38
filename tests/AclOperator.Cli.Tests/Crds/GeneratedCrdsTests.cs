using AclOperator.Api.Crds;
using AclOperator.Api.V1Alpha1;
using AclOperator.Cli.Tests.Support;
using k8s;
using k8s.Models;

namespace AclOperator.Cli.Tests.Crds;

/// <summary>crds/ is what `aclctl crds` generates from the C# types, and it is what kubectl and KubernetesClient read.</summary>
public sealed class GeneratedCrdsTests
{
    private const string Regenerate = "run `dotnet run --project src/AclOperator.Cli -- crds` from the repository root and commit the result";

    public static TheoryData<string> OutputFolders => ["crds", "config/crd/bases"];

    [Theory]
    [MemberData(nameof(OutputFolders))]
    public void Committed_crds_equal_a_fresh_generation(string folder)
    {
        var generated = CrdGenerator.GenerateFiles();
        var dir = Repository.PathOf(folder);
        var committed = Directory.GetFiles(dir, "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.True(generated.Select(f => f.Key).SequenceEqual(committed),
            $"{folder}/ holds [{string.Join(", ", committed)}] but the types generate [{string.Join(", ", generated.Select(f => f.Key))}]: {Regenerate}");
        foreach (var (name, content) in generated)
        {
            var onDisk = File.ReadAllText(Path.Combine(dir, name));
            Assert.True(onDisk == content, $"{folder}/{name} differs from the C# types: {Regenerate}");
        }
    }

    [Fact]
    public void Generation_is_deterministic_and_stably_ordered()
    {
        var first = CrdGenerator.GenerateFiles();
        var second = CrdGenerator.GenerateFiles();
        Assert.Equal(first, second);
        Assert.Equal(["aclop.dev_redisacls.yaml", "aclop.dev_redisaclservers.yaml", "aclop.dev_redisaclusers.yaml"], first.Select(f => f.Key));
        // Keys are sorted as controller-gen (sigs.k8s.io/yaml) sorts them.
        var lines = first[1].Value.Split('\n');
        Assert.Equal(CrdYamlWriter.Header, lines[0]);
        Assert.Equal(["---", "apiVersion: apiextensions.k8s.io/v1", "kind: CustomResourceDefinition", "metadata:"], lines[1..5]);
    }

    [Fact]
    public void Every_crd_file_strictly_loads_with_KubernetesClient_yaml()
    {
        foreach (var path in CrdFiles.Paths)
        {
            var text = File.ReadAllText(path);
            var crd = KubernetesYaml.Deserialize<V1CustomResourceDefinition>(text, strict: true);
            Assert.Equal("apiextensions.k8s.io/v1", crd.ApiVersion);
            Assert.Equal("CustomResourceDefinition", crd.Kind);
            var all = KubernetesYaml.LoadAllFromString(text, null, strict: true);
            Assert.IsType<V1CustomResourceDefinition>(Assert.Single(all));
            // Through the model and back the schema is unchanged: nothing in the file is unknown to apiextensions/v1.
            Assert.Equal(
                CrdYamlWriter.CanonicalJson(KubernetesJson.Serialize(CrdGenerator.Generate(KindOf(crd)))),
                CrdYamlWriter.CanonicalJson(KubernetesJson.Serialize(crd)));
        }
    }

    [Fact]
    public void Names_scope_categories_and_short_names()
    {
        var crds = CrdFiles.Load().ToDictionary(c => c.Spec.Names.Kind);
        Assert.Equal(["RedisAcl", "RedisAclServer", "RedisAclUser"], crds.Keys.Order(StringComparer.Ordinal));
        foreach (var crd in crds.Values)
        {
            Assert.Equal("aclop.dev", crd.Spec.Group);
            Assert.Equal("Namespaced", crd.Spec.Scope);
            Assert.Equal(["redis", "aclop"], crd.Spec.Names.Categories);
            Assert.Equal(crd.Spec.Names.Plural + ".aclop.dev", crd.Metadata.Name);
            Assert.Equal(crd.Spec.Names.Kind + "List", crd.Spec.Names.ListKind);
            Assert.Equal(crd.Spec.Names.Kind.ToLowerInvariant(), crd.Spec.Names.Singular);
            var version = Assert.Single(crd.Spec.Versions);
            Assert.Equal(("v1alpha1", true, true), (version.Name, version.Served, version.Storage));
            Assert.NotNull(version.Subresources?.Status);
            Assert.Null(version.Subresources.Scale);
            Assert.Equal(CrdGenerator.SchemaHash(crd.Spec), crd.Metadata.Annotations[CrdGenerator.SchemaHashAnnotation]);
            var root = version.Schema.OpenAPIV3Schema;
            Assert.Equal(["apiVersion", "kind", "metadata", "spec", "status"], root.Properties.Keys);
            Assert.Equal(["spec"], root.Required);
        }

        Assert.Equal(["ras"], crds["RedisAclServer"].Spec.Names.ShortNames);
        Assert.Equal(["racl"], crds["RedisAcl"].Spec.Names.ShortNames);
        Assert.Equal(["rau", "redisuser"], crds["RedisAclUser"].Spec.Names.ShortNames);
    }

    [Fact]
    public void Printer_columns()
    {
        var crds = CrdFiles.Load().ToDictionary(c => c.Spec.Names.Kind);
        string Columns(string kind) => string.Join(", ", crds[kind].Spec.Versions[0].AdditionalPrinterColumns
            .Select(c => $"{c.Name}:{c.Type}:{c.JsonPath}{(c.Priority is > 0 ? " (wide)" : "")}"));
        Assert.Equal(
            "Username:string:.status.username, Server:string:.spec.serverRef.name, Enabled:boolean:.spec.enabled, " +
            "Valid:string:.status.conditions[?(@.type==\"Valid\")].status, Enforced:string:.status.conditions[?(@.type==\"Enforced\")].status, " +
            "Ready:string:.status.conditions[?(@.type==\"Ready\")].status (wide), Reason:string:.status.conditions[?(@.type==\"Valid\")].reason (wide), " +
            "Age:date:.metadata.creationTimestamp",
            Columns("RedisAclUser"));
        Assert.Equal(
            "Valid:string:.status.conditions[?(@.type==\"Valid\")].status, Users:integer:.status.userCount, " +
            "Ready:string:.status.conditions[?(@.type==\"Ready\")].status, Age:date:.metadata.creationTimestamp",
            Columns("RedisAcl"));
        Assert.Equal(
            "Backend:string:.spec.backend.type, Replicas:integer:.spec.replicas, Enforced:integer:.status.enforcedReplicas, " +
            "Users:integer:.status.userCount, Revision:string:.status.revision (wide), Ready:string:.status.conditions[?(@.type==\"Ready\")].status, " +
            "Age:date:.metadata.creationTimestamp",
            Columns("RedisAclServer"));
    }

    [Fact]
    public void Status_has_observed_generation_kstatus_conditions_and_the_user_facts()
    {
        var crds = CrdGenerator.GenerateAll().ToDictionary(c => c.Spec.Names.Kind);
        V1JSONSchemaProps Status(string kind) => crds[kind].Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["status"];
        foreach (var kind in crds.Keys)
        {
            var status = Status(kind);
            Assert.Equal("integer", status.Properties["observedGeneration"].Type);
            var conditions = status.Properties["conditions"];
            Assert.Equal("map", conditions.XKubernetesListType);
            Assert.Equal(["type"], conditions.XKubernetesListMapKeys);
            var condition = (V1JSONSchemaProps)conditions.Items;
            Assert.Equal(["lastTransitionTime", "message", "reason", "status", "type"], condition.Required);
            Assert.Equal(["True", "False", "Unknown"], condition.Properties["status"].EnumProperty.Select(v => v.ToString()));
            Assert.Equal(32768, condition.Properties["message"].MaxLength);
        }

        var user = Status("RedisAclUser").Properties;
        Assert.Equal(
            ["canonicalRules", "conditions", "enforcedRevision", "observedGeneration", "passwordCount", "requestedRules", "username"],
            user.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("integer", user["passwordCount"].Type);
        Assert.Equal(["conditions", "enforcedReplicas", "image", "observedGeneration", "replicas", "revision", "userCount"],
            Status("RedisAclServer").Properties.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Schemas_carry_the_attributes()
    {
        var server = CrdGenerator.Generate(typeof(RedisAclServer)).Spec.Versions[0].Schema.OpenAPIV3Schema.Properties["spec"];
        var backendType = server.Properties["backend"].Properties["type"];
        Assert.Equal(["embedded", "sidecar", "upstream"], backendType.EnumProperty.Select(v => v.ToString()));
        Assert.Equal("sidecar", backendType.DefaultProperty);
        Assert.Equal(["type"], server.Properties["backend"].Required);
        var replicas = server.Properties["replicas"];
        Assert.Equal(("integer", "int32", 0d, 64d, (object)1), (replicas.Type, replicas.Format, replicas.Minimum, replicas.Maximum, replicas.DefaultProperty));
        var storage = server.Properties["backend"].Properties["embedded"].Properties["storageSize"];
        Assert.True(storage.XKubernetesIntOrString);
        Assert.Null(storage.Type);
        Assert.Equal(["integer", "string"], storage.AnyOf.Select(a => a.Type));
        Assert.Equal("object", server.Properties["resources"].Properties["limits"].Type);
        Assert.True(((V1JSONSchemaProps)server.Properties["resources"].Properties["limits"].AdditionalProperties).XKubernetesIntOrString);
        Assert.Equal("string", ((V1JSONSchemaProps)server.Properties["service"].Properties["annotations"].AdditionalProperties).Type);

        var user = CrdGenerator.Generate(typeof(RedisAclUser)).Spec.Versions[0].Schema.OpenAPIV3Schema;
        Assert.Equal("object", user.Properties["metadata"].Type);
        var spec = user.Properties["spec"];
        Assert.Equal(["serverRef"], spec.Required);
        Assert.Equal("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", spec.Properties["serverRef"].Properties["name"].Pattern);
        Assert.Equal(true, spec.Properties["enabled"].DefaultProperty);
        Assert.Equal((1024L, 1L), (spec.Properties["rules"].ItemsSchema().MaxLength, spec.Properties["rules"].ItemsSchema().MinLength));
        Assert.Contains(spec.XKubernetesValidations, r => r.Message == "noPassword excludes passwords, passwordHashes and generatePassword" && r.FieldPath == ".noPassword");
        Assert.Contains(user.XKubernetesValidations, r => r.Rule == "has(self.spec.username) || self.metadata.name != 'default'");
        // Nothing is free-form: no preserve-unknown-fields anywhere.
        Assert.DoesNotContain("x-kubernetes-preserve-unknown-fields", string.Join("", CrdGenerator.GenerateFiles().Select(f => f.Value)), StringComparison.Ordinal);
    }

    private static Type KindOf(V1CustomResourceDefinition crd) =>
        CrdGenerator.Kinds.Single(t => t.Name == crd.Spec.Names.Kind);
}

internal static class SchemaExtensions
{
    public static V1JSONSchemaProps ItemsSchema(this V1JSONSchemaProps schema) => (V1JSONSchemaProps)schema.Items;
}
