using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using AclOperator.Testing.FakeKube.Api;
using AclOperator.Testing.FakeKube.Controllers;
using AclOperator.Testing.FakeKube.Json;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AclOperator.Testing.FakeKube;

/// <summary>
/// An in-process Kubernetes API server for tests: Kestrel on 127.0.0.1 (a free port), plain HTTP, spoken to with
/// the real KubernetesClient or kubectl. It serves the built-in kinds the operator uses and any CRD registered
/// through apiextensions.k8s.io/v1, with the API semantics the operator relies on: one global resourceVersion,
/// optimistic concurrency (409), validation (422), list/watch with selectors, pagination, bookmarks and 410 Expired,
/// generation, the status subresource, finalizers, garbage collection, patches and server-side apply, discovery and
/// Table output. See docs on each behaviour in the tests of AclOperator.Testing.Tests.
/// </summary>
public sealed class FakeKubeServer : IAsyncDisposable
{
    private readonly ServerState _state;
    private readonly ApiOperations _ops;
    private readonly ClusterControllers _controllers;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _wake = new(0);
    private WebApplication? _app;
    private Task? _controllerLoop;
    private Task? _bookmarkLoop;
    private string _address = "";

    private FakeKubeServer(FakeKubeOptions options)
    {
        Options = options;
        _state = new ServerState(options, options.TimeProvider);
        _ops = new ApiOperations(_state);
        _controllers = new ClusterControllers(_state, _ops);
        _state.Faults.WatchDropper = DropWatches;
        _state.Store.Committed += _ => _wake.Release();
    }

    public FakeKubeOptions Options { get; }

    /// <summary>The server's base address, http://127.0.0.1:&lt;port&gt;/.</summary>
    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    /// <summary>Fault injection: failing requests, latency, dropped watches, forced 410.</summary>
    public FakeKubeFaults Faults => _state.Faults;

    /// <summary>Every request answered so far, in order of completion.</summary>
    public IReadOnlyList<RecordedRequest> Requests => _requests.ToArray();

    /// <summary>The current global resourceVersion (the revision of the last write).</summary>
    public long ResourceVersion => _state.Store.Revision;

    /// <summary>Exceptions of background controller passes (a bug in the fake if not empty).</summary>
    public ConcurrentQueue<Exception> ControllerErrors { get; } = new();

    /// <summary>The number of watch connections currently open.</summary>
    public int OpenWatches => _state.Store.Subscriptions().Count;

    /// <summary>Starts a server on 127.0.0.1 with a free port and the default namespaces.</summary>
    public static async Task<FakeKubeServer> StartAsync(FakeKubeOptions? options = null, CancellationToken cancellationToken = default)
    {
        var server = new FakeKubeServer(options ?? new FakeKubeOptions());
        await server.StartCoreAsync(cancellationToken).ConfigureAwait(false);
        return server;
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        foreach (var ns in Options.Namespaces)
        {
            _ops.Create(_state.Catalog.Find("", "v1", "namespaces")!, null,
                new JsonObject { ["metadata"] = new JsonObject { ["name"] = ns } },
                new WriteOptions { FieldManager = "kube-apiserver" });
        }
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(FakeKubeServer).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, PassiveHostLifetime>();
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            k.Limits.MaxRequestBodySize = 64 * 1024 * 1024;
            k.Limits.MinResponseDataRate = null;
        });
        var app = builder.Build();
        var handler = new ApiRequestHandler(_state, _ops, () => _address, _requests);
        app.Run(handler.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.TrimEnd('/') + "/");
        _address = $"{BaseAddress.Host}:{BaseAddress.Port}";
        _controllerLoop = Task.Run(ControllerLoopAsync, CancellationToken.None);
        _bookmarkLoop = Task.Run(BookmarkLoopAsync, CancellationToken.None);
    }

    private async Task ControllerLoopAsync()
    {
        var token = _stop.Token;
        while (!token.IsCancellationRequested)
        {
            try
            {
                await _wake.WaitAsync(Options.ControllerInterval, token).ConfigureAwait(false);
                await Task.Delay(Options.ControllerInterval / 5, token).ConfigureAwait(false);
                while (_wake.CurrentCount > 0)
                {
                    await _wake.WaitAsync(token).ConfigureAwait(false);
                }
                _controllers.RunOnce();
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException or NullReferenceException or ArgumentException or InvalidCastException)
            {
                // Keep the controllers running; a failed pass is retried on the next change or tick.
                ControllerErrors.Enqueue(e);
            }
        }
    }

    private async Task BookmarkLoopAsync()
    {
        var token = _stop.Token;
        using var timer = new PeriodicTimer(Options.BookmarkInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(token).ConfigureAwait(false))
            {
                _state.Store.Bookmark();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Runs the background controllers (garbage collector, namespace and CRD cleanup) until they have nothing left to do.</summary>
    public Task SettleAsync()
    {
        for (var i = 0; i < 50 && _controllers.RunOnce(); i++)
        {
        }
        return Task.CompletedTask;
    }

    /// <summary>Compacts the history: every earlier resourceVersion becomes too old for watches and continue tokens (410 Expired).</summary>
    public void CompactHistory() => _state.Store.Compact();

    private int DropWatches(bool abort)
    {
        var subs = _state.Store.Subscriptions();
        foreach (var s in subs)
        {
            s.AbortOnDrop = abort;
            try
            {
                s.Dropped.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The watch ended on its own meanwhile.
            }
        }
        return subs.Count;
    }

    /// <summary>A KubernetesClient configuration for this server (plain HTTP, no credentials).</summary>
    public KubernetesClientConfiguration CreateClientConfiguration() => new()
    {
        Host = BaseAddress.ToString().TrimEnd('/'),
        Namespace = "default",
    };

    /// <summary>A KubernetesClient for this server.</summary>
    public Kubernetes CreateClient() => new(CreateClientConfiguration());

    /// <summary>The kubeconfig document for this server (cluster, user and context named "fakekube").</summary>
    public string Kubeconfig() => string.Create(CultureInfo.InvariantCulture, $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: fakekube
          cluster:
            server: {BaseAddress.ToString().TrimEnd('/')}
        users:
        - name: fakekube
          user: {"{}"}
        contexts:
        - name: fakekube
          context:
            cluster: fakekube
            user: fakekube
            namespace: default
        current-context: fakekube

        """);

    /// <summary>Writes <see cref="Kubeconfig"/> to a file and returns its path.</summary>
    public string WriteKubeconfig(string path)
    {
        File.WriteAllText(path, Kubeconfig());
        return path;
    }

    /// <summary>The stored object (as JSON, in its stored version), or null; for assertions without a client.</summary>
    public string? GetStoredJson(string group, string plural, string? ns, string name)
    {
        var storageKey = group.Length == 0 ? plural : plural + "." + group;
        var obj = _state.Store.Get(storageKey, ns ?? "", name);
        return obj is null ? null : JsonTools.ToJson(obj);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        DropWatches(abort: true);
        if (_app is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _app.StopAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            await _app.DisposeAsync().ConfigureAwait(false);
        }
        foreach (var t in new[] { _controllerLoop, _bookmarkLoop })
        {
            if (t is not null)
            {
                await t.ConfigureAwait(false);
            }
        }
        _stop.Dispose();
        _wake.Dispose();
    }
}
