using System.Net;
using AclOperator.Acl.Tests.Infrastructure;
using AclOperator.Server.Hosting;
using AclOperator.Server.Tests.Admin;
using Xunit;

namespace AclOperator.Server.Tests.Kubernetes;

/// <summary>One in-process aclop-server in Kubernetes mode, with a client for its admin port.</summary>
internal sealed class KubernetesModeServer : IAsyncDisposable
{
    public KubernetesModeServer(AclopServer server, string directory)
    {
        Server = server;
        Directory = directory;
        Http = new HttpClient { BaseAddress = new Uri($"http://{server.AdminEndPoint}/") };
    }

    public AclopServer Server { get; }

    public string Directory { get; }

    public HttpClient Http { get; }

    public ServerContext Context => Server.Context;

    /// <summary>The revision enforced now (null: nothing loaded).</summary>
    public string? Revision => Context.Acl.Revision;

    public string LastGoodPath => Path.Combine(Directory, "aclop-last-good.json");

    public Task<RespClient> ConnectAsync() =>
        RespClient.ConnectAsync(Server.EndPoint.Address.ToString(), Server.EndPoint.Port, TestContext.Current.CancellationToken);

    public async Task<RespClient> ConnectAsAsync(string user, string password)
    {
        var c = await ConnectAsync();
        var reply = await c.CallAsync("AUTH", user, password);
        Assert.True(reply.Type == RespReplyType.SimpleString && reply.Text == "OK", $"AUTH {user}: {reply}");
        return c;
    }

    /// <summary>AUTH on a fresh connection: the reply.</summary>
    public async Task<RespReply> AuthAsync(string user, string password)
    {
        using var c = await ConnectAsync();
        return await c.CallAsync("AUTH", user, password);
    }

    public async Task<(HttpStatusCode Status, string Body)> GetAsync(string path)
    {
        using var r = await Http.GetAsync(path, TestContext.Current.CancellationToken);
        return (r.StatusCode, await r.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    public async Task<Dictionary<string, double>> ScrapeAsync()
    {
        var (status, body) = await GetAsync("metrics");
        Assert.Equal(HttpStatusCode.OK, status);
        return AdminTestServer.ParseMetrics(body);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
    }
}
