using System.Text;
using AclOperator.Api.Compilation;
using AclOperator.Api.Manifests;
using AclOperator.Api.V1Alpha1;
using AclOperator.Server.AclRuntime;
using Xunit;

namespace AclOperator.Server.Tests.LocalMode;

public sealed class LocalSecretResolverTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "aclop-secrets-" + Guid.NewGuid().ToString("N"));

    public LocalSecretResolverTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ManifestSet Manifests(string yaml)
    {
        var set = new ManifestSet();
        set.Add(ManifestReader.Read(yaml, "secret.yaml"));
        Assert.Empty(set.Errors);
        return set;
    }

    private static SecretKeyRef Ref(string name, string key) => new() { Name = name, Key = key };

    private static string Text(SecretLookup l) => Encoding.UTF8.GetString(Assert.IsType<byte[]>(l.Value));

    [Fact]
    public void Manifest_then_secret_volume_file_then_environment()
    {
        var set = Manifests("apiVersion: v1\nkind: Secret\nmetadata:\n  name: app-pw\ndata:\n  a: ZnJvbS1kYXRh\nstringData:\n  b: from-string-data\n");
        Directory.CreateDirectory(Path.Combine(_dir, "secrets", "app-pw"));
        File.WriteAllText(Path.Combine(_dir, "secrets", "app-pw", "a"), "from-file-a");
        File.WriteAllText(Path.Combine(_dir, "secrets", "app-pw", "c"), "from-file-c\n");
        var env = new Dictionary<string, string> { ["ACLOP_SECRET_APP_PW_C"] = "from-env-c", ["ACLOP_SECRET_APP_PW_D_KEY"] = "from-env-d" };
        var resolver = new LocalSecretResolver(set, _dir, name => env.GetValueOrDefault(name));

        Assert.Equal("from-data", Text(resolver.Resolve(null, Ref("app-pw", "a"))));
        Assert.Equal("from-string-data", Text(resolver.Resolve(null, Ref("app-pw", "b"))));
        Assert.Equal("from-file-c\n", Text(resolver.Resolve(null, Ref("app-pw", "c"))));
        Assert.Equal("from-env-d", Text(resolver.Resolve(null, Ref("app-pw", "d.key"))));
        var missing = resolver.Resolve(null, Ref("other", "x"));
        Assert.Equal(SecretLookupStatus.NotFound, missing.Status);
        Assert.Equal("no Secret manifest, no file secrets/other/x, no environment variable ACLOP_SECRET_OTHER_X", missing.Detail);
    }

    [Theory]
    [InlineData("sample-passwords", "alice", "ACLOP_SECRET_SAMPLE_PASSWORDS_ALICE")]
    [InlineData("db.creds", "user.Pass-1", "ACLOP_SECRET_DB_CREDS_USER_PASS_1")]
    public void Environment_variable_names_are_upper_case_with_underscores(string name, string key, string variable) =>
        Assert.Equal(variable, LocalSecretResolver.EnvironmentVariableName(Ref(name, key)));

    [Fact]
    public void Dot_names_never_leave_the_secrets_folder()
    {
        // secrets/../outside.yaml would be the folder's own file.
        File.WriteAllText(Path.Combine(_dir, "outside.yaml"), "nope");
        Directory.CreateDirectory(Path.Combine(_dir, "secrets"));
        var resolver = new LocalSecretResolver(new ManifestSet(), _dir, _ => null);

        Assert.Equal(SecretLookupStatus.NotFound, resolver.Resolve(null, Ref("..", "outside.yaml")).Status);
    }
}
