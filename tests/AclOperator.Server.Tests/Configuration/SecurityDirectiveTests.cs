using AclOperator.Server.Configuration;
using Xunit;

namespace AclOperator.Server.Tests.Configuration;

/// <summary>E3: security and limit directives are implemented or fail start-up; never silently ignored.</summary>
public sealed class SecurityDirectiveTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("aclop-e3-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private ConfigLoadResult Parse(string text) => ConfigFileParser.Parse(text, null, _dir);

    private static string Fatal(string line, string reason) =>
        $"\n*** FATAL CONFIG FILE ERROR (Redis 7.4.1) ***\nReading the configuration file, at line 1\n>>> '{line}'\n{reason}\n";

    [Theory]
    [InlineData("rename-command CONFIG \"\"", "rename-command is not supported by aclop-server: restrict commands with ACL rules instead")]
    [InlineData("enable-debug-command yes", "enable-debug-command can only be 'no': DEBUG is always refused by aclop-server")]
    [InlineData("enable-debug-command local", "enable-debug-command can only be 'no': DEBUG is always refused by aclop-server")]
    [InlineData("enable-module-command yes", "enable-module-command can only be 'no': MODULE is always refused by aclop-server")]
    [InlineData("daemonize yes", "daemonize yes is not supported by aclop-server: run it in the foreground under a supervisor")]
    [InlineData("replicaof 10.0.0.1 6379", "replicaof is not supported by aclop-server: replication is not available")]
    [InlineData("slaveof 10.0.0.1 6379", "replicaof is not supported by aclop-server: replication is not available")]
    [InlineData("cluster-enabled yes", "cluster-enabled yes is not supported by aclop-server: cluster support disabled")]
    [InlineData("loadmodule /x.so", "loadmodule is not supported by aclop-server: modules are never loaded")]
    [InlineData("maxmemory-policy allkeys-lru", "only maxmemory-policy noeviction is supported by aclop-server: data is never evicted silently")]
    [InlineData("notify-keyspace-events KEA", "Bad directive or wrong number of arguments")]
    public void E3_refused_directives_fail_startup(string line, string reason)
    {
        var r = Parse(line);
        Assert.False(r.Succeeded);
        Assert.Equal(Fatal(line, reason), r.Error);
    }

    [Fact]
    public void E3_refused_masterauth_never_echoes_its_password()
    {
        var r = Parse("masterauth secret");
        Assert.False(r.Succeeded);
        Assert.Equal(Fatal("masterauth (redacted)", "masterauth is not supported by aclop-server: replication is not available"), r.Error);
    }

    [Fact]
    public void E3_accepted_safe_values_of_restricted_directives()
    {
        var r = Parse("enable-debug-command no\nenable-module-command no\ndaemonize no\nreplicaof no one\ncluster-enabled no\nmasterauth \"\"");
        Assert.True(r.Succeeded, r.Error);
        Assert.Empty(r.Warnings);
    }

    [Fact]
    public void E3_limit_directives_are_implemented()
    {
        var c = Parse("protected-mode no\nproto-max-bulk-len 2mb\nclient-query-buffer-limit 64mb\nclient-output-buffer-limit normal 1mb 512kb 10 replica 1 2 3\ntimeout 30\nmaxclients 50").Config!;
        Assert.False(c.ProtectedMode);
        Assert.Equal(2L * 1024 * 1024, c.ProtoMaxBulkLen);
        Assert.Equal(64L * 1024 * 1024, c.ClientQueryBufferLimit);
        Assert.Equal(new ClientBufferLimit(1024 * 1024, 512 * 1024, 10), c.ClientOutputBufferLimits.Normal);
        Assert.Equal(new ClientBufferLimit(1, 2, 3), c.ClientOutputBufferLimits.Replica);
        Assert.Equal(ClientOutputBufferLimits.Default.Pubsub, c.ClientOutputBufferLimits.Pubsub);
        Assert.Equal(30, c.Timeout);
        Assert.Equal(50, c.MaxClients);
    }

    [Fact]
    public void E3_E19_tls_files_must_exist_and_tls_port_needs_cert_and_key()
    {
        var missing = Parse("tls-cert-file nope.crt");
        Assert.Equal("\n*** FATAL CONFIG FILE ERROR (Redis 7.4.1) ***\nFailed to configure TLS: tls-cert-file 'nope.crt': No such file or directory\n", missing.Error);

        var noKey = Parse("tls-port 6380");
        Assert.Equal("\n*** FATAL CONFIG FILE ERROR (Redis 7.4.1) ***\nFailed to configure TLS: No tls-cert-file configured!\n", noKey.Error);

        File.WriteAllText(Path.Combine(_dir, "s.crt"), "x");
        File.WriteAllText(Path.Combine(_dir, "s.key"), "x");
        File.WriteAllText(Path.Combine(_dir, "ca.crt"), "x");
        var ok = Parse("tls-port 6380\ntls-cert-file s.crt\ntls-key-file s.key\ntls-ca-cert-file ca.crt\ntls-auth-clients optional");
        Assert.True(ok.Succeeded, ok.Error);
        Assert.Equal(6380, ok.Config!.TlsPort);
        Assert.Equal(TlsAuthClients.Optional, ok.Config.TlsAuthClients);
        Assert.Equal(Path.Combine(_dir, "s.crt"), ok.Config.ResolvePath(ok.Config.TlsCertFile!));
    }

    [Fact]
    public void E3_every_named_security_directive_is_known_and_never_ignored()
    {
        string[] e3 =
        [
            "protected-mode", "tls-port", "tls-cert-file", "tls-key-file", "tls-ca-cert-file", "tls-auth-clients",
            "enable-debug-command", "enable-module-command", "proto-max-bulk-len", "client-query-buffer-limit",
            "client-output-buffer-limit", "timeout", "maxclients",
        ];
        foreach (var name in e3)
        {
            var d = ConfigRegistry.Find(name);
            Assert.NotNull(d);
            Assert.NotEqual(DirectiveSupport.IgnoredWithWarning, d!.Support);
            Assert.DoesNotContain(name, ConfigRegistry.CosmeticDirectives);
        }

        Assert.True(ConfigRegistry.RefusedDirectives.ContainsKey("rename-command"));
    }

    [Fact]
    public void E8_E2_extensions_parse()
    {
        var c = Parse("trust-scripts yes\nallow-migrate yes\nadmin-port 7000\nbackend embedded\nsanitize-dump-payload clients").Config!;
        Assert.True(c.TrustScripts);
        Assert.True(c.AllowMigrate);
        Assert.Equal(7000, c.AdminPort);
        Assert.Equal(SanitizeDumpPayload.Clients, c.SanitizeDumpPayload);
        var u = Parse("upstream 10.0.0.5:6379\nupstream-user aclop\nupstream-password-file /run/secrets/pw\nupstream-tls yes\nmanifests ./crs\nadmin-bind 0.0.0.0").Config!;
        Assert.Equal("10.0.0.5:6379", u.Upstream);
        Assert.Equal("aclop", u.UpstreamUser);
        Assert.Equal("/run/secrets/pw", u.UpstreamPasswordFile);
        Assert.True(u.UpstreamTls);
        Assert.Equal("./crs", u.Manifests);
        Assert.Equal("0.0.0.0", u.AdminBind);
    }

    [Fact]
    public void Pidfile_is_written_and_removed()
    {
        var c = Parse("pidfile run.pid").Config!;
        Assert.Null(PidFile.Write(c, 4242));
        Assert.Equal("4242\n", File.ReadAllText(Path.Combine(_dir, "run.pid")));
        PidFile.Remove(c);
        Assert.False(File.Exists(Path.Combine(_dir, "run.pid")));
    }
}
