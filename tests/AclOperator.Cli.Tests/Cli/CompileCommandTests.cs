using System.Text;
using AclOperator.Acl;
using AclOperator.Acl.AclFile;
using AclOperator.Cli.Tests.Support;

namespace AclOperator.Cli.Tests.Cli;

/// <summary><c>aclctl compile</c>: the aclfile local mode would load, hashes only, nothing written on errors.</summary>
public sealed class CompileCommandTests : IDisposable
{
    private const string User = """
        apiVersion: aclop.dev/v1alpha1
        kind: RedisAclUser
        metadata: {name: app}
        spec:
          serverRef: {name: s}
          rules: ["~app:*", "+@read"]
          passwords:
          - secretKeyRef: {name: app-secret, key: password}
        """;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static IReadOnlyList<string> Lines(string aclfile)
    {
        var r = AclFileReader.Read(Encoding.UTF8.GetBytes(aclfile), "x.acl", AclOptions.Default);
        Assert.True(r.Succeeded, r.ErrorMessage);
        return r.Table!.ListLines();
    }

    [Fact]
    public async Task The_samples_compile_to_users_acl_without_cleartext()
    {
        var r = await AclctlRun.InProcessAsync(Repository.Root, "compile", "config/samples");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Error);
        // Redis's order and canonical form; the same ACL as the hand-written users.acl.
        Assert.Equal(
            "user alice on sanitize-payload #6624974ea2baffac164422e4490376c1c31313cd97724ae8ce62fb3f0a0370f2 ~app:* resetchannels &app.* -@all +@read +@write -@dangerous\n" +
            "user default on nopass sanitize-payload ~* &* +@all\n" +
            "user reporting on sanitize-payload #7bb48a1de97bc6c27e7948dfc111404d9c75d7511f0eb5837f39804a21ceddcf %R~app:* resetchannels -@all +@read -@dangerous\n",
            r.Out);
        Assert.Equal(Lines(File.ReadAllText(Repository.PathOf("config/samples/users.acl"))), Lines(r.Out));
        Assert.DoesNotContain("alicepw", r.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("reportpw", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Secrets_come_from_files_then_the_environment_and_output_goes_to_a_file()
    {
        _dir.Write("m/user.yaml", User);
        _dir.Write("m/secrets/app-secret/password", "from-file");
        var r = await AclctlRun.InProcessWithInputAsync(_dir.Path, null, new Dictionary<string, string> { ["ACLOP_SECRET_APP_SECRET_PASSWORD"] = "from-env" }, "compile", "m", "-o", "out.acl");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Out);
        Assert.Equal("wrote 2 user(s) to out.acl\n", r.Error);
        var hash = Acl.Passwords.PasswordHasher.Hash("from-file"u8);
        Assert.Equal(
            $"user app on sanitize-payload #{hash} ~app:* resetchannels -@all +@read\nuser default on nopass sanitize-payload ~* &* +@all\n",
            File.ReadAllText(Path.Combine(_dir.Path, "out.acl")));

        File.Delete(Path.Combine(_dir.Path, "m/secrets/app-secret/password"));
        r = await AclctlRun.InProcessWithInputAsync(_dir.Path, null, new Dictionary<string, string> { ["ACLOP_SECRET_APP_SECRET_PASSWORD"] = "from-env" }, "compile", "m");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("#" + Acl.Passwords.PasswordHasher.Hash("from-env"u8), r.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("from-env", r.Out + r.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Errors_write_no_aclfile()
    {
        _dir.Write("m/user.yaml", User);
        File.WriteAllText(Path.Combine(_dir.Path, "out.acl"), "previous\n");
        var r = await AclctlRun.InProcessAsync(_dir.Path, "compile", "m", "-o", "out.acl");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal(
            ["m/user.yaml:8: key 'password' of Secret 'app-secret' not found (no Secret manifest, no file secrets/app-secret/password, no environment variable ACLOP_SECRET_APP_SECRET_PASSWORD)",
             "1 error(s); no aclfile written"],
            r.ErrorLines);
        Assert.Equal("previous\n", File.ReadAllText(Path.Combine(_dir.Path, "out.acl")));
    }

    [Fact]
    public async Task Pubsub_default_follows_the_server()
    {
        _dir.Write("m/server.yaml", "apiVersion: aclop.dev/v1alpha1\nkind: RedisAclServer\nmetadata: {name: s}\nspec:\n  aclPubsubDefault: allchannels\n");
        _dir.Write("m/user.yaml", "apiVersion: aclop.dev/v1alpha1\nkind: RedisAclUser\nmetadata: {name: u}\nspec:\n  serverRef: {name: s}\n  noPassword: true\n  rules: [\"+get\"]\n");
        var r = await AclctlRun.InProcessAsync(_dir.Path, "compile", "m");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("user default off sanitize-payload &* -@all\nuser u on nopass sanitize-payload &* -@all +get\n", r.Out);
    }
}
