using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using AclOperator.Acl;
using AclOperator.Server.AclRuntime;
using AclOperator.Server.Admin;
using AclOperator.Server.Commands;
using AclOperator.Server.Connections;
using AclOperator.Server.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;
using static AclOperator.Server.Tests.EndToEnd.E2E;

namespace AclOperator.Server.Tests.Admin;

/// <summary>The admin HTTP port: /healthz, /readyz, /status, unknown paths, and when and where it listens.</summary>
public sealed class AdminEndpointTests
{
    private const string TwoUsers = "user default on nopass ~* &* +@all\nuser app on >secret ~app:* +get\n";

    private static Task<AdminTestServer> StartWithAclFileAsync(string acl = TwoUsers, AclOperator.Server.Backend.IBackend? backend = null) =>
        AdminTestServer.StartAsync(["--aclfile", "users.acl"], new Dictionary<string, string> { ["users.acl"] = acl }, backend);

    private static async Task<(HttpStatusCode Status, string Body, string? ContentType)> GetAsync(HttpClient http, string path)
    {
        using var r = await http.GetAsync(path, Ct);
        return (r.StatusCode, await r.Content.ReadAsStringAsync(Ct), r.Content.Headers.ContentType?.ToString());
    }

    [Fact]
    public async Task Healthz_answers_ok()
    {
        await using var s = await StartWithAclFileAsync();
        var (status, body, type) = await GetAsync(s.Http, "healthz");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("ok", body);
        Assert.Equal("text/plain; charset=utf-8", type);
    }

    [Fact]
    public async Task Readyz_follows_the_backend_health()
    {
        var backend = new FakeBackend();
        await using var s = await StartWithAclFileAsync(backend: backend);
        Assert.Equal((HttpStatusCode.OK, "ok"), Pick(await GetAsync(s.Http, "readyz")));

        backend.IsHealthy = false;
        Assert.Equal((HttpStatusCode.ServiceUnavailable, "backend fake is not healthy"), Pick(await GetAsync(s.Http, "readyz")));
        // Liveness is not readiness: the process still serves.
        Assert.Equal((HttpStatusCode.OK, "ok"), Pick(await GetAsync(s.Http, "healthz")));

        backend.IsHealthy = true;
        Assert.Equal((HttpStatusCode.OK, "ok"), Pick(await GetAsync(s.Http, "readyz")));
    }

    [Fact]
    public async Task Readyz_is_503_until_an_acl_is_loaded()
    {
        // A server context whose ACL was never loaded (a watched source that has not delivered yet).
        var clients = new ClientRegistry();
        var acl = new AclManager(AclOptions.Default, null, clients);
        var ctx = new ServerContext(acl, new FakeBackend(), new ServerSettings(), clients, NullLoggerFactory.Instance, TimeProvider.System);
        await using var admin = await AdminListener.StartAsync(ctx, "127.0.0.1", 0, Ct);
        using var http = new HttpClient { BaseAddress = new Uri($"http://{admin.EndPoint}/") };

        Assert.Equal((HttpStatusCode.ServiceUnavailable, "ACL not loaded"), Pick(await GetAsync(http, "readyz")));
        using var status = JsonDocument.Parse((await GetAsync(http, "status")).Body);
        Assert.Equal(JsonValueKind.Null, status.RootElement.GetProperty("revision").ValueKind);

        acl.Replace(new Acl.Users.AclUserTable(AclOptions.Default));
        Assert.Equal((HttpStatusCode.OK, "ok"), Pick(await GetAsync(http, "readyz")));
    }

    [Fact]
    public async Task Status_reports_revision_source_users_backend_clients_and_version()
    {
        await using var s = await StartWithAclFileAsync();
        await using var c1 = await s.ConnectAsync();
        await using var c2 = await s.ConnectAsync();
        await c1.AssertOk("AUTH", "app", "secret");
        AssertSimple(await c2.CallAsync("PING"), "PONG");

        var (status, body, type) = await GetAsync(s.Http, "status");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("application/json; charset=utf-8", type);
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        Assert.Equal(
            ["revision", "aclSource", "users", "backend", "connectedClients", "uptimeSeconds", "version"],
            root.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("local-1", root.GetProperty("revision").GetString());
        Assert.Equal("aclfile users.acl", root.GetProperty("aclSource").GetString());
        Assert.Equal(2, root.GetProperty("users").GetInt32());
        Assert.Equal("embedded-garnet", root.GetProperty("backend").GetProperty("name").GetString());
        Assert.True(root.GetProperty("backend").GetProperty("healthy").GetBoolean());
        Assert.Equal(2, root.GetProperty("connectedClients").GetInt32());
        Assert.True(root.GetProperty("uptimeSeconds").GetInt64() >= 0);
        Assert.Equal(ServerInfo.ProductVersion, root.GetProperty("version").GetString());

        // Nothing about the users themselves, least of all their password hashes (O4).
        Assert.DoesNotContain("app", body.Replace("aclfile", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("secret"u8)), body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_revision_advances_on_acl_load_and_not_on_runtime_changes()
    {
        await using var s = await StartWithAclFileAsync();
        await using var c = await s.ConnectAsync();

        await c.AssertOk("ACL", "SETUSER", "runtime", "on", ">pw", "+get");
        Assert.Equal(("local-1", 3), await RevisionAndUsersAsync(s));

        await c.AssertOk("ACL", "LOAD");
        Assert.Equal(("local-2", 2), await RevisionAndUsersAsync(s));

        await File.WriteAllTextAsync(Path.Combine(s.Directory, "users.acl"), "user default on nopass ~* &* +@all\n", Ct);
        await c.AssertOk("ACL", "LOAD");
        Assert.Equal(("local-3", 1), await RevisionAndUsersAsync(s));

        // A failed load keeps the ACL and its revision.
        await File.WriteAllTextAsync(Path.Combine(s.Directory, "users.acl"), "user default on nopass +@all nosuchrule\n", Ct);
        Assert.True((await c.CallAsync("ACL", "LOAD")).IsError);
        Assert.Equal(("local-3", 1), await RevisionAndUsersAsync(s));
    }

    [Fact]
    public async Task Status_without_an_aclfile_names_the_configuration_as_the_source()
    {
        await using var s = await AdminTestServer.StartAsync(["--requirepass", "pw"]);
        using var json = JsonDocument.Parse((await GetAsync(s.Http, "status")).Body);
        Assert.Equal("config", json.RootElement.GetProperty("aclSource").GetString());
        Assert.Equal("local-1", json.RootElement.GetProperty("revision").GetString());
        Assert.Equal(1, json.RootElement.GetProperty("users").GetInt32());
        Assert.Equal(0, json.RootElement.GetProperty("connectedClients").GetInt32());
    }

    [Fact]
    public async Task Unknown_paths_and_other_methods_are_refused()
    {
        await using var s = await StartWithAclFileAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(s.Http, "nope")).Status);
        using var post = await s.Http.PostAsync("healthz", new StringContent(""), Ct);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
    }

    [Fact]
    public async Task The_admin_port_is_off_by_default()
    {
        await using var s = await AdminTestServer.StartAsync(admin: false);
        Assert.Null(s.Server.AdminEndPoint);
        await using var c = await s.ConnectAsync();
        AssertStrings(await c.CallAsync("CONFIG", "GET", "admin-port"), "admin-port", "0");
    }

    [Fact]
    public async Task Admin_port_directive_binds_that_port_on_admin_bind()
    {
        int port = FreeLoopbackPort();
        await using var s = await AdminTestServer.StartAsync(["--admin-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)], admin: false);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, port), s.Server.AdminEndPoint);
        Assert.Equal((HttpStatusCode.OK, "ok"), Pick(await GetAsync(s.Http, "healthz")));
    }

    [Fact]
    public async Task A_busy_admin_port_fails_start_up()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var e = await Assert.ThrowsAsync<StartupException>(() =>
            AdminTestServer.StartAsync(["--admin-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)], admin: false));
        Assert.Equal($"Could not create the admin HTTP listener on 127.0.0.1:{port}: Address already in use", e.Message);
    }

    [Fact]
    public async Task An_invalid_admin_bind_fails_start_up()
    {
        var e = await Assert.ThrowsAsync<StartupException>(() => AdminTestServer.StartAsync(["--admin-bind", "not-an-address"]));
        Assert.Equal("Invalid admin-bind address 'not-an-address'", e.Message);
    }

    private static (HttpStatusCode, string) Pick((HttpStatusCode Status, string Body, string? ContentType) r) => (r.Status, r.Body);

    private static async Task<(string? Revision, int Users)> RevisionAndUsersAsync(AdminTestServer s)
    {
        using var json = JsonDocument.Parse(await s.Http.GetStringAsync("status", Ct));
        return (json.RootElement.GetProperty("revision").GetString(), json.RootElement.GetProperty("users").GetInt32());
    }

    private static int FreeLoopbackPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
