using System.Text;
using AclOperator.Acl.Tests.Infrastructure;
using AclOperator.Server.Hosting;
using AclOperator.Server.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;
using static AclOperator.Server.Tests.EndToEnd.E2E;

namespace AclOperator.Server.Tests.LocalMode;

/// <summary>
/// Local mode end to end: a server started on a folder of CR files (<c>--manifests crs</c>) in its own temp
/// directory, changed on disk while clients are connected.
/// </summary>
public sealed class LocalModeTests
{
    private const string Folder = "crs";

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>A RedisAclUser whose <c>rules[i]</c> is on line <c>9 + i</c>, with its password in Secret <c>pw</c>.</summary>
    private static string UserYaml(string name, params string[] rules)
    {
        var sb = new StringBuilder();
        sb.Append("apiVersion: aclop.dev/v1alpha1\nkind: RedisAclUser\nmetadata:\n  name: ").Append(name)
          .Append("\nspec:\n  serverRef:\n    name: local\n  rules:\n");
        foreach (var r in rules)
        {
            sb.Append("    - \"").Append(r).Append("\"\n");
        }

        sb.Append("  passwords:\n    - secretKeyRef:\n        name: pw\n        key: ").Append(name).Append('\n');
        return sb.ToString();
    }

    private static string SecretYaml(params (string Key, string Value)[] values) =>
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: pw\nstringData:\n" +
        string.Concat(values.Select(v => $"  {v.Key}: \"{v.Value}\"\n"));

    private static Task<InProcessServer> StartAsync(Dictionary<string, string> files, LogCapture? logs = null) =>
        InProcessServer.StartAsync(
            args: ["--manifests", Folder],
            files: files.ToDictionary(kv => $"{Folder}/{kv.Key}", kv => kv.Value),
            loggerFactory: logs?.Factory);

    private static string PathIn(InProcessServer s, string file) => Path.Combine(s.Directory, Folder, file);

    /// <summary>Replaces a file in one rename, as editors and <c>kubectl cp</c> do.</summary>
    private static async Task WriteAsync(InProcessServer s, string file, string content)
    {
        var path = PathIn(s, file);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var tmp = path + ".tmp-" + Guid.NewGuid().ToString("N");
        await File.WriteAllTextAsync(tmp, content, Ct);
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Polls <paramref name="probe"/> until <paramref name="done"/> or the deadline; returns the last value.</summary>
    private static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what)
    {
        var end = DateTime.UtcNow + Deadline;
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow > end)
            {
                Assert.Fail($"timed out waiting for {what}; last value: {value}");
            }

            await Task.Delay(50, Ct);
        }
    }

    private static async Task<RespReply> AuthAsync(InProcessServer s, string user, string password)
    {
        using var c = await s.ConnectAsync();
        return await c.CallAsync("AUTH", user, password);
    }

    [Fact]
    public async Task Starts_from_the_folder_and_users_authenticate_with_their_secret()
    {
        await using var s = await StartAsync(new()
        {
            ["alice.yaml"] = UserYaml("alice", "~app:*", "+get", "+set"),
            ["pw.yaml"] = SecretYaml(("alice", "alicepw")),
        });
        using var c = await s.ConnectAsync();

        AssertSimple(await c.CallAsync("AUTH", "alice", "alicepw"), "OK");
        AssertSimple(await c.CallAsync("SET", "app:k", "v"), "OK");
        AssertError(await c.CallAsync("GET", "other"), NoPermKey);
        AssertError(await c.CallAsync("AUTH", "alice", "wrong"), WrongPass);
        using var admin = await s.ConnectAsync();
        AssertStrings(
            await admin.CallAsync("ACL", "LIST"),
            $"user alice on sanitize-payload #{Acl.Passwords.PasswordHasher.Hash("alicepw"u8)} ~app:* resetchannels -@all +get +set",
            "user default on nopass sanitize-payload ~* &* +@all");
    }

    [Fact]
    public async Task A_rule_edit_on_disk_applies_to_a_live_connection_without_restart()
    {
        await using var s = await StartAsync(new()
        {
            ["alice.yaml"] = UserYaml("alice", "~app:*", "+get", "+set"),
            ["pw.yaml"] = SecretYaml(("alice", "alicepw")),
        });
        using var c = await s.ConnectAsAsync("alice", "alicepw");
        AssertSimple(await c.CallAsync("SET", "app:k", "v"), "OK");

        await WriteAsync(s, "alice.yaml", UserYaml("alice", "~app:*", "+get"));

        var denied = await UntilAsync(() => c.CallAsync("SET", "app:k", "v"), r => r.IsError, "SET to be refused");
        AssertError(denied, "NOPERM User alice has no permissions to run the 'set' command");
        AssertBulk(await c.CallAsync("GET", "app:k"), "v");
    }

    [Fact]
    public async Task A_broken_edit_keeps_the_old_acl_logs_file_and_line_and_ACL_LOAD_replies_the_error()
    {
        var logs = new LogCapture();
        await using var s = await StartAsync(
            new()
            {
                ["alice.yaml"] = UserYaml("alice", "~app:*", "+get", "+set"),
                ["pw.yaml"] = SecretYaml(("alice", "alicepw")),
            },
            logs);
        using var c = await s.ConnectAsAsync("alice", "alicepw");

        await WriteAsync(s, "alice.yaml", UserYaml("alice", "~app:*", "+get", "+@nosuch"));

        const string Error = "crs/alice.yaml:11: Error in ACL SETUSER modifier '+@nosuch': Unknown command or category name in ACL";
        await UntilAsync(() => Task.FromResult(logs.Messages.Contains(Error)), found => found, "the error to be logged");
        AssertSimple(await c.CallAsync("SET", "app:k", "v"), "OK");
        using var admin = await s.ConnectAsync();
        AssertError(await admin.CallAsync("ACL", "LOAD"), "ERR " + Error);
        AssertSimple(await c.CallAsync("SET", "app:k", "v"), "OK");
        Assert.Contains(logs.Messages, m => m.StartsWith("ACL errors in the manifests folder crs (1): no change to the previously active ACL rules was performed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Yaml_and_schema_errors_are_reported_with_their_line()
    {
        await using var s = await StartAsync(new()
        {
            ["alice.yaml"] = UserYaml("alice", "+get"),
            ["pw.yaml"] = SecretYaml(("alice", "alicepw")),
        });
        using var admin = await s.ConnectAsync();

        await File.WriteAllTextAsync(PathIn(s, "alice.yaml"), UserYaml("alice", "+get").Replace("  rules:", "  rule:", StringComparison.Ordinal), Ct);
        AssertError(await admin.CallAsync("ACL", "LOAD"), "ERR crs/alice.yaml:8: unknown field \"spec.rule\"");

        await File.WriteAllTextAsync(PathIn(s, "alice.yaml"), UserYaml("alice", "+get") + "  enabled: [\n", Ct);
        var r = await admin.CallAsync("ACL", "LOAD");
        Assert.True(r.IsError, r.ToString());
        Assert.StartsWith("ERR crs/alice.yaml:", r.Text, StringComparison.Ordinal);

        await File.WriteAllTextAsync(PathIn(s, "alice.yaml"), UserYaml("alice", "+get").Replace("\"+get\"", "&app.*", StringComparison.Ordinal), Ct);
        AssertError(
            await admin.CallAsync("ACL", "LOAD"),
            "ERR crs/alice.yaml:9: spec.rules[0]: Invalid value: null: expected a string (YAML reads an unquoted value starting with '&' as an anchor: quote it, e.g. \"&app.*\")");

        AssertStrings(await admin.CallAsync("ACL", "USERS"), "alice", "default");
    }

    [Fact]
    public async Task Deleting_a_users_file_disconnects_its_clients_only()
    {
        await using var s = await StartAsync(new()
        {
            ["alice.yaml"] = UserYaml("alice", "+ping"),
            ["bob.yaml"] = UserYaml("bob", "+ping"),
            ["pw.yaml"] = SecretYaml(("alice", "alicepw"), ("bob", "bobpw")),
        });
        using var alice = await s.ConnectAsAsync("alice", "alicepw");
        using var bob = await s.ConnectAsAsync("bob", "bobpw");

        File.Delete(PathIn(s, "bob.yaml"));

        await AssertClosedAsync(bob, Deadline);
        await AssertOpenAsync(alice);
        AssertError(await AuthAsync(s, "bob", "bobpw"), WrongPass);
    }

    [Fact]
    public async Task A_changed_secret_manifest_value_replaces_the_password()
    {
        await using var s = await StartAsync(new()
        {
            ["alice.yaml"] = UserYaml("alice", "+ping"),
            ["pw.yaml"] = SecretYaml(("alice", "alicepw")),
        });

        await WriteAsync(s, "pw.yaml", SecretYaml(("alice", "rotated-pw")));

        AssertSimple(await UntilAsync(() => AuthAsync(s, "alice", "rotated-pw"), r => !r.IsError, "the new password to work"), "OK");
        AssertError(await AuthAsync(s, "alice", "alicepw"), WrongPass);
    }

    [Fact]
    public async Task A_changed_secret_volume_file_replaces_the_password()
    {
        await using var s = await StartAsync(new()
        {
            ["alice.yaml"] = UserYaml("alice", "+ping"),
            ["secrets/pw/alice"] = "file-pw",
        });
        AssertSimple(await AuthAsync(s, "alice", "file-pw"), "OK");

        await WriteAsync(s, "secrets/pw/alice", "file-pw-2");

        AssertSimple(await UntilAsync(() => AuthAsync(s, "alice", "file-pw-2"), r => !r.IsError, "the new password to work"), "OK");
        AssertError(await AuthAsync(s, "alice", "file-pw"), WrongPass);
    }

    [Fact]
    public async Task ACL_SAVE_is_refused_and_runtime_users_are_dropped_with_a_warning_at_the_next_load()
    {
        var logs = new LogCapture();
        await using var s = await StartAsync(
            new() { ["alice.yaml"] = UserYaml("alice", "+ping"), ["pw.yaml"] = SecretYaml(("alice", "alicepw")) },
            logs);
        using var admin = await s.ConnectAsync();
        AssertError(
            await admin.CallAsync("ACL", "SAVE"),
            "ERR The ACL is managed by the manifests folder 'crs': edit the RedisAclUser files there instead of using ACL SAVE (users created with ACL SETUSER are lost at the next reload)");
        AssertSimple(await admin.CallAsync("ACL", "SETUSER", "temp", "on", "nopass", "+ping"), "OK");

        AssertSimple(await admin.CallAsync("ACL", "LOAD"), "OK");

        AssertStrings(await admin.CallAsync("ACL", "USERS"), "alice", "default");
        Assert.Contains(
            "Reloading crs replaces users created or changed at runtime with ACL SETUSER/DELUSER: temp (1 of them are not in the files and are dropped)",
            logs.Messages);
        Assert.Contains("Loaded 1 users from 2 files in crs (revision 2)", logs.Messages);
        Assert.DoesNotContain(logs.Messages, m => m.Contains("alicepw", StringComparison.Ordinal) || m.Contains(Acl.Passwords.PasswordHasher.Hash("alicepw"u8), StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_deleted_folder_keeps_the_acl_and_ACL_LOAD_names_the_folder()
    {
        var logs = new LogCapture();
        await using var s = await StartAsync(
            new() { ["alice.yaml"] = UserYaml("alice", "+ping"), ["pw.yaml"] = SecretYaml(("alice", "alicepw")) },
            logs);
        using var alice = await s.ConnectAsAsync("alice", "alicepw");

        Directory.Delete(Path.Combine(s.Directory, Folder), recursive: true);

        const string Error = "Error loading ACLs, opening folder 'crs': No such file or directory";
        await UntilAsync(() => Task.FromResult(logs.Messages.Contains(Error)), found => found, "the error to be logged");
        await AssertOpenAsync(alice);
        using var admin = await s.ConnectAsync();
        AssertError(await admin.CallAsync("ACL", "LOAD"), "ERR " + Error);
        AssertSimple(await AuthAsync(s, "alice", "alicepw"), "OK");
    }

    [Fact]
    public async Task A_bad_folder_aborts_start_up_like_a_bad_aclfile()
    {
        var ex = await Assert.ThrowsAsync<StartupException>(() => StartAsync(new()
        {
            ["alice.yaml"] = UserYaml("alice", "+get", "~x y"),
            ["pw.yaml"] = SecretYaml(("alice", "alicepw")),
        }));

        Assert.Equal("Aborting Redis startup because of ACL errors: crs/alice.yaml:10: Error in ACL SETUSER modifier '~x y': Syntax error", ex.Message);
    }

    [Fact]
    public async Task A_missing_secret_aborts_start_up_and_names_where_it_was_looked_for()
    {
        var ex = await Assert.ThrowsAsync<StartupException>(() => StartAsync(new() { ["alice.yaml"] = UserYaml("alice", "+get") }));

        Assert.Equal(
            "Aborting Redis startup because of ACL errors: crs/alice.yaml:11: key 'alice' of Secret 'pw' not found (no Secret manifest, no file secrets/pw/alice, no environment variable ACLOP_SECRET_PW_ALICE)",
            ex.Message);
    }

    [Fact]
    public async Task Manifests_and_aclfile_together_are_a_start_up_error()
    {
        var ex = await Assert.ThrowsAsync<StartupException>(() => InProcessServer.StartAsync(
            args: ["--manifests", Folder, "--aclfile", "users.acl"],
            files: new Dictionary<string, string> { ["users.acl"] = DefaultAcl, [$"{Folder}/a.yaml"] = UserYaml("a", "+get") },
            loggerFactory: NullLoggerFactory.Instance));

        Assert.StartsWith("Configuring Redis with a manifests folder and at the same time an ACL file", ex.Message, StringComparison.Ordinal);
    }
}
