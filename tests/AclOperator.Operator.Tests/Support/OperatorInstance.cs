using AclOperator.Api.V1Alpha1;
using AclOperator.Operator.Hosting;
using AclOperator.Operator.Runtime;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AclOperator.Operator.Tests.Support;

/// <summary>
/// One operator replica in this process, built exactly as Program builds it (OperatorHost + the runtime), with a
/// recording RedisAclUser reconciler, Kestrel on a free port, short lease durations and resync off.
/// </summary>
internal sealed class OperatorInstance : IAsyncDisposable
{
    private readonly Kubernetes _client;
    private bool _stopped;

    private OperatorInstance(WebApplication app, Kubernetes client, RecordingReconciler<RedisAclUser> reconciler, string identity)
    {
        App = app;
        _client = client;
        Reconciler = reconciler;
        Identity = identity;
        Http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
    }

    public WebApplication App { get; }

    public string Identity { get; }

    public RecordingReconciler<RedisAclUser> Reconciler { get; }

    public HttpClient Http { get; }

    public LeaderElectionService Leadership => App.Services.GetRequiredService<LeaderElectionService>();

    public bool Stopping => App.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested;

    public static async Task<OperatorInstance> StartAsync(TestCluster cluster, string identity, params string[] extraArgs)
    {
        string[] args =
        [
            "--http-address", "http://127.0.0.1:0",
            "--identity", identity,
            "--lease-namespace", "default",
            "--lease-duration", "00:00:02",
            "--renew-deadline", "00:00:01.500",
            "--retry-period", "00:00:00.200",
            "--resync-period", "00:00:00",
            "--Operator:MinRetryDelay", "00:00:00.050",
            "--Operator:MaxRetryDelay", "00:00:00.500",
            .. extraArgs,
        ];
        var (builder, op) = OperatorHost.CreateBuilder(args);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var client = cluster.Server.CreateClient();
        builder.Services.AddSingleton<IKubernetes>(client);
        var reconciler = new RecordingReconciler<RedisAclUser> { Instance = identity };
        builder.Services.AddSingleton(reconciler);
        op.AddController<RedisAclUser, RecordingReconciler<RedisAclUser>>();
        var app = builder.Build();
        app.MapOperatorEndpoints();
        await app.StartAsync(TestContext.Current.CancellationToken);
        return new OperatorInstance(app, client, reconciler, identity);
    }

    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }
        _stopped = true;
        await App.StopAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await App.DisposeAsync();
        Http.Dispose();
        _client.Dispose();
    }
}
