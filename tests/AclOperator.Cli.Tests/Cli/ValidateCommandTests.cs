using AclOperator.Cli.Tests.Support;

namespace AclOperator.Cli.Tests.Cli;

/// <summary><c>aclctl validate</c>: schema and compiler errors as file:line: message, exit 1 on errors, 2 on unreadable paths.</summary>
public sealed class ValidateCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private void CopySamples(string to)
    {
        foreach (var f in Directory.GetFiles(Repository.PathOf("config/samples"), "*.yaml"))
        {
            File.Copy(f, Path.Combine(_dir.Path, to, Path.GetFileName(f)));
        }
    }

    [Fact]
    public async Task The_samples_are_valid()
    {
        var r = await AclctlRun.InProcessAsync(Repository.Root, "validate", "config/samples");
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("6 file(s) valid: 2 RedisAclUser(s), 1 RedisAcl(s), 1 RedisAclServer(s)\n", r.Out);
        Assert.Equal("", r.Error);
    }

    [Fact]
    public async Task Rule_errors_are_redis_texts_at_their_line()
    {
        Directory.CreateDirectory(Path.Combine(_dir.Path, "m"));
        CopySamples("m");
        File.AppendAllText(Path.Combine(_dir.Path, "m/alice.yaml"), "  rules:\n    - \"+@nosuch\"\n");
        var r = await AclctlRun.InProcessAsync(_dir.Path, "validate", "m");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("", r.Out);
        Assert.Equal(
            ["m/alice.yaml:16: Error in ACL SETUSER modifier '+@nosuch': Unknown command or category name in ACL", "1 error(s) in 6 file(s)"],
            r.ErrorLines);
    }

    [Fact]
    public async Task Schema_errors_name_the_field_and_line_and_stop_before_compiling()
    {
        _dir.Write("u.yaml", """
            apiVersion: aclop.dev/v1alpha1
            kind: RedisAclUser
            metadata:
              name: u
            spec:
              serverRef: {name: s}
              rule: ["+get"]
              enabled: maybe
              rules: ["+@nosuch"]
            """);
        var r = await AclctlRun.InProcessAsync(_dir.Path, "validate", "u.yaml");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal(
            ["u.yaml:7: unknown field \"spec.rule\"", "u.yaml:8: spec.enabled: Invalid value: maybe: expected true or false", "2 error(s) in 1 file(s)"],
            r.ErrorLines);
    }

    [Fact]
    public async Task Secrets_outside_the_files_are_assumed_to_exist_but_keys_of_given_secrets_are_checked()
    {
        _dir.Write("u.yaml", """
            apiVersion: aclop.dev/v1alpha1
            kind: RedisAclUser
            metadata: {name: u}
            spec:
              serverRef: {name: s}
              passwords:
              - secretKeyRef: {name: in-vault, key: pw}
              passwordHashes:
              - secretKeyRef: {name: also-elsewhere, key: hash}
            ---
            apiVersion: aclop.dev/v1alpha1
            kind: RedisAclUser
            metadata: {name: v}
            spec:
              serverRef: {name: s}
              passwords:
              - secretKeyRef: {name: given, key: nokey}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: given}
            stringData: {pw: hunter2}
            """);
        var r = await AclctlRun.InProcessAsync(_dir.Path, "validate", "u.yaml");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal(["u.yaml:17: key 'nokey' of Secret 'given' not found (the Secret manifest among the files has no such key)", "1 error(s) in 1 file(s)"], r.ErrorLines);
        Assert.DoesNotContain("hunter2", r.Error + r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_username_claimed_twice_is_a_conflict_of_the_newer_object()
    {
        _dir.Write("a.yaml", """
            apiVersion: aclop.dev/v1alpha1
            kind: RedisAclUser
            metadata: {name: first, creationTimestamp: "2025-01-01T00:00:00Z"}
            spec: {serverRef: {name: s}, username: app, noPassword: true}
            ---
            apiVersion: aclop.dev/v1alpha1
            kind: RedisAclUser
            metadata: {name: second, creationTimestamp: "2025-06-01T00:00:00Z"}
            spec: {serverRef: {name: s}, username: app, noPassword: true}
            """);
        var r = await AclctlRun.InProcessAsync(_dir.Path, "validate", "a.yaml");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal(["a.yaml:9: username 'app' is already claimed by RedisAclUser 'first' (the older object keeps a username)", "1 error(s) in 1 file(s)"], r.ErrorLines);
    }

    [Fact]
    public async Task A_missing_path_exits_2()
    {
        var r = await AclctlRun.InProcessAsync(_dir.Path, "validate", "nope.yaml");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(["nope.yaml: No such file or directory"], r.ErrorLines);
    }

    [Fact]
    public async Task The_executable_reports_the_same_with_its_exit_status()
    {
        _dir.Write("bad.yaml", "apiVersion: aclop.dev/v1alpha1\nkind: RedisAcl\nmetadata: {name: a}\nspec:\n  rules: [\"~x\", \"+@nosuch\"]\n");
        var r = await AclctlRun.ProcessAsync(_dir.Path, null, "validate", "bad.yaml");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal(["bad.yaml:5: Error in ACL SETUSER modifier '+@nosuch': Unknown command or category name in ACL", "1 error(s) in 1 file(s)"], r.ErrorLines);
        Assert.Equal("", r.Out);
    }
}
