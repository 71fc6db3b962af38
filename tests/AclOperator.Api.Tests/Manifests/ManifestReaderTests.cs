using System.Text;
using AclOperator.Api.Compilation;
using AclOperator.Api.Manifests;
using AclOperator.Api.Tests.Compilation;
using AclOperator.Api.V1Alpha1;
using k8s.Models;
using Xunit;

namespace AclOperator.Api.Tests.Manifests;

public sealed class ManifestReaderTests
{
    private const string Alice = """
        apiVersion: aclop.dev/v1alpha1
        kind: RedisAclUser
        metadata:
          name: alice
          namespace: apps
        spec:
          serverRef:
            name: local
          username: "alice@app"
          enabled: yes
          acls: [app-readwrite]
          rules:
            - "%R~cache:*"
            - "+@nosuch"
          passwords:
            - secretKeyRef: {name: pw, key: alice}
        """;

    private static List<string> Errors(string yaml) =>
        ManifestReader.Read(yaml, "m.yaml").Errors.Select(e => e.ToString()).ToList();

    [Fact]
    public void Reads_every_kind_of_a_multi_document_file_and_skips_others()
    {
        var yaml = Alice + """

            ---
            # a comment-only document is skipped
            ---
            apiVersion: aclop.dev/v1alpha1
            kind: RedisAcl
            metadata: {name: app-readwrite, namespace: apps}
            spec:
              rules: ["~app:*", "+@read"]
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: pw, namespace: apps}
            data:
              alice: YWxpY2Vwdw==
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: unrelated}
            data: {x: y}
            """;

        var r = ManifestReader.Read(yaml, "m.yaml");

        Assert.Empty(r.Errors);
        Assert.Equal(["v1 ConfigMap unrelated"], r.Ignored);
        var user = Assert.IsType<RedisAclUser>(r.Documents[0].Object);
        Assert.Equal("alice@app", user.Spec.Username);
        Assert.True(user.Spec.Enabled);
        Assert.Equal(["%R~cache:*", "+@nosuch"], user.Spec.Rules);
        Assert.Equal("pw", user.Spec.Passwords![0].SecretKeyRef.Name);
        Assert.Equal(["~app:*", "+@read"], Assert.IsType<RedisAcl>(r.Documents[1].Object).Spec.Rules);
        Assert.Equal("alicepw", Encoding.UTF8.GetString(Assert.IsType<V1Secret>(r.Documents[2].Object).Data["alice"]));
        Assert.Equal([1, 20, 26], r.Documents.Select(d => d.Line));
    }

    [Fact]
    public void Compiler_diagnostics_are_located_on_the_line_of_their_field()
    {
        var set = new ManifestSet();
        set.Add(ManifestReader.Read(Alice, "config/samples/alice.yaml"));
        set.Add(ManifestReader.Read("apiVersion: aclop.dev/v1alpha1\nkind: RedisAcl\nmetadata: {name: app-readwrite, namespace: apps}\nspec:\n  rules: [\"~app:*\"]\n", "acl.yaml"));

        var result = AclCompiler.Compile(set.ToRequest(new TestSecrets().With("pw", "alice", "alicepw"), Acl.AclOptions.Default));

        Assert.Equal(
            ["config/samples/alice.yaml:14: Error in ACL SETUSER modifier '+@nosuch': Unknown command or category name in ACL"],
            result.Diagnostics.Select(d => set.Locate(d).ToString()));
    }

    [Fact]
    public void Unknown_fields_are_errors_at_their_line() =>
        Assert.Equal(
            ["m.yaml:6: unknown field \"spec.rule\"", "m.yaml:8: unknown field \"spec.serverRef.nam\"", "m.yaml:8: spec.serverRef.name: Required value"],
            Errors("apiVersion: aclop.dev/v1alpha1\nkind: RedisAclUser\nmetadata:\n  name: a\nspec:\n  rule: [\"+get\"]\n  serverRef:\n    nam: x\n"));

    [Fact]
    public void Required_enum_pattern_and_range_follow_the_schema_attributes()
    {
        Assert.Equal(["m.yaml:5: spec.serverRef: Required value"], Errors("apiVersion: aclop.dev/v1alpha1\nkind: RedisAclUser\nmetadata: {name: a}\nspec:\n  rules: [\"+get\"]\n"));
        Assert.Equal(
            ["m.yaml:6: spec.backend.type: Unsupported value: \"garnet\": supported values: \"embedded\", \"sidecar\", \"upstream\""],
            Errors("apiVersion: aclop.dev/v1alpha1\nkind: RedisAclServer\nmetadata: {name: s}\nspec:\n  backend:\n    type: garnet\n"));
        Assert.Equal(
            ["m.yaml:5: spec.replicas: Invalid value: 65: must be less than or equal to 64"],
            Errors("apiVersion: aclop.dev/v1alpha1\nkind: RedisAclServer\nmetadata: {name: s}\nspec:\n  replicas: 65\n"));
        Assert.Equal(
            ["m.yaml:5: spec.serverRef.namespace: Invalid value: \"Apps\": should match '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'"],
            Errors("apiVersion: aclop.dev/v1alpha1\nkind: RedisAclUser\nmetadata: {name: a}\nspec:\n  serverRef: {name: s, namespace: Apps}\n"));
        Assert.Equal(
            ["m.yaml:5: spec.rules: Required value: must list at least one item"],
            Errors("apiVersion: aclop.dev/v1alpha1\nkind: RedisAcl\nmetadata: {name: a}\nspec:\n  rules: []\n"));
    }

    [Fact]
    public void Kubernetes_names_are_checked()
    {
        Assert.Equal(
            ["m.yaml:3: metadata.name: Invalid value: \"Alice\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"],
            Errors("apiVersion: aclop.dev/v1alpha1\nkind: RedisAcl\nmetadata: {name: Alice}\nspec:\n  rules: [\"+get\"]\n"));
        Assert.Equal(
            ["m.yaml:3: metadata.name: Required value: name is required"],
            Errors("apiVersion: aclop.dev/v1alpha1\nkind: RedisAcl\nmetadata: {}\nspec:\n  rules: [\"+get\"]\n"));
    }

    [Fact]
    public void Unquoted_yaml_values_are_typed_as_kubectl_types_them()
    {
        Assert.Equal(
            ["m.yaml:7: spec.rules[1]: Invalid value: on: expected a string; YAML reads the unquoted value as a boolean, quote it"],
            Errors("apiVersion: aclop.dev/v1alpha1\nkind: RedisAcl\nmetadata: {name: a}\nspec:\n  rules:\n  - +get\n  - on\n"));
        Assert.Equal(
            ["m.yaml:6: spec.rules[0]: Invalid value: null: expected a string (YAML reads an unquoted value starting with '&' as an anchor: quote it, e.g. \"&app.*\")"],
            Errors("apiVersion: aclop.dev/v1alpha1\nkind: RedisAcl\nmetadata: {name: a}\nspec:\n  rules:\n  - &app.*\n"));
        Assert.Equal(
            ["m.yaml:6: spec.enabled: Invalid value: maybe: expected true or false"],
            Errors("apiVersion: aclop.dev/v1alpha1\nkind: RedisAclUser\nmetadata: {name: a}\nspec:\n  serverRef: {name: s}\n  enabled: maybe\n"));
    }

    [Fact]
    public void Yaml_syntax_errors_and_unknown_kinds_are_reported()
    {
        Assert.Equal(["m.yaml:6: While scanning for the next token, found character that cannot start any token."],
            Errors("apiVersion: aclop.dev/v1alpha1\nkind: RedisAcl\nmetadata: {name: a}\nspec:\n  rules:\n  - %R~app:*\n"));
        Assert.Equal(["m.yaml:1: no matches for kind \"RedisAclUsr\" in version \"aclop.dev/v1alpha1\""],
            Errors("apiVersion: aclop.dev/v1alpha1\nkind: RedisAclUsr\nmetadata: {name: a}\n"));
        Assert.Equal(["m.yaml:1: Object 'Kind' is missing"], Errors("apiVersion: v1\nmetadata: {name: a}\n"));
        Assert.Equal(["m.yaml:1: a document must be an object (a YAML mapping)"], Errors("- a\n- b\n"));
    }

    [Fact]
    public void Secret_data_must_be_base64_and_is_never_echoed()
    {
        var errors = Errors("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  pw: not-base64-cleartext!\n");

        Assert.Equal(["m.yaml:5: data.pw: illegal base64 data (data values are base64; use stringData for plain text)"], errors);
    }

    [Fact]
    public void Duplicate_objects_and_a_second_server_are_errors_naming_the_first()
    {
        var set = new ManifestSet();
        set.Add(ManifestReader.Read("apiVersion: aclop.dev/v1alpha1\nkind: RedisAclServer\nmetadata: {name: local}\nspec: {}\n", "a.yaml"));
        set.Add(ManifestReader.Read("apiVersion: aclop.dev/v1alpha1\nkind: RedisAclServer\nmetadata: {name: local}\nspec: {}\n---\napiVersion: aclop.dev/v1alpha1\nkind: RedisAclServer\nmetadata: {name: other}\nspec: {}\n", "b.yaml"));

        Assert.Equal(
            ["b.yaml:1: RedisAclServer local is already defined at a.yaml:1", "b.yaml:6: only one RedisAclServer may be defined (the first is at a.yaml:1)"],
            set.Errors.Select(e => e.ToString()));
        Assert.Equal("local", set.Server!.Metadata.Name);
    }

    [Fact]
    public void Secret_values_come_from_string_data_over_data()
    {
        var set = new ManifestSet();
        set.Add(ManifestReader.Read("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {k: ZGF0YQ==, only: ZGF0YQ==}\nstringData: {k: text}\n", "s.yaml"));

        Assert.Equal("text", Encoding.UTF8.GetString(set.SecretValue(null, "s", "k")!));
        Assert.Equal("data", Encoding.UTF8.GetString(set.SecretValue(null, "s", "only")!));
        Assert.Null(set.SecretValue(null, "s", "missing"));
        Assert.Null(set.SecretValue("other-namespace", "s", "k"));
    }
}
