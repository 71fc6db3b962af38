using System.Text;
using AclOperator.Acl;
using AclOperator.Acl.Users;
using AclOperator.Api.Snapshots;
using AclOperator.Server.Hosting;
using AclOperator.Testing.FakeKube;
using k8s;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace AclOperator.Server.Tests.Kubernetes;

/// <summary>
/// A fake Kubernetes API server (namespace <c>default</c>) holding the snapshot of RedisAclServer <c>main</c>, written
/// with the operator's <see cref="SnapshotPublisher"/> from real <see cref="AclUser"/>s, and aclop-servers started
/// in-process in Kubernetes mode against it (pods <c>main-0</c>, <c>main-1</c>, ...). Each test owns one.
/// </summary>
internal sealed class KubernetesModeCluster : IAsyncDisposable
{
    public const string Namespace = "default";
    public const string ServerName = "main";

    private readonly string _root;

    private KubernetesModeCluster(FakeKubeServer api, string root)
    {
        Api = api;
        _root = root;
        Client = api.CreateClient();
        Publisher = new SnapshotPublisher(Client, Namespace, ServerName);
        // The fake's own kubeconfig has a user without credentials, which kubectl accepts and KubernetesClient refuses;
        // the fake does not authenticate, so any bearer token will do.
        KubeconfigPath = Path.Combine(root, "kubeconfig");
        File.WriteAllText(KubeconfigPath, api.Kubeconfig().Replace("  user: {}", "  user:\n    token: aclop-test", StringComparison.Ordinal));
    }

    public FakeKubeServer Api { get; }

    public k8s.Kubernetes Client { get; }

    public SnapshotPublisher Publisher { get; }

    public string KubeconfigPath { get; }

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<KubernetesModeCluster> StartAsync()
    {
        var root = Path.Combine(Path.GetTempPath(), "aclop-k8s-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var api = await FakeKubeServer.StartAsync(new FakeKubeOptions { BookmarkInterval = TimeSpan.FromMilliseconds(500) }, Ct);
        return new KubernetesModeCluster(api, root);
    }

    /// <summary>A user as the compiler would build it: <c>ACL SETUSER name rules…</c> on a new user.</summary>
    public static SnapshotUser User(string name, params string[] rules)
    {
        var result = AclUserRules.Apply(name, null, rules.Select(r => Encoding.UTF8.GetBytes(r)).ToList(), AclOptions.Default);
        return SnapshotUser.From(result.User ?? throw new InvalidOperationException(result.Error));
    }

    /// <summary>Publishes exactly these users (plus <c>default off</c> unless given) and the runtime users Secret; returns the revision.</summary>
    public Task<long> PublishAsync(bool runtimeAcl, params SnapshotUser[] users) => PublishAsync(runtimeAcl, null, users);

    /// <summary>As <see cref="PublishAsync(bool, SnapshotUser[])"/>, with the tenant ceilings of the manifest (O2).</summary>
    public async Task<long> PublishAsync(bool runtimeAcl, IReadOnlyList<TenantCeiling>? tenants, params SnapshotUser[] users)
    {
        var all = users.ToList();
        if (all.All(u => u.Name != AclUserTable.DefaultUserName))
        {
            all.Add(User(AclUserTable.DefaultUserName, "off"));
        }

        var outcome = await Publisher.PublishAsync(all, runtimeAcl, tenants, Ct);
        await Publisher.EnsureRuntimeSecretAsync(Ct);
        return outcome.Revision;
    }

    public Task<long> PublishAsync(params SnapshotUser[] users) => PublishAsync(false, users);

    /// <summary>The runtime users as stored in the Secret.</summary>
    public async Task<RuntimeUsersDocument> RuntimeUsersAsync()
    {
        var secret = await Client.CoreV1.ReadNamespacedSecretAsync(SnapshotNames.RuntimeSecret(ServerName), Namespace, cancellationToken: Ct);
        return SnapshotCodec.DecodeRuntimeUsers(secret.Data?[SnapshotNames.RuntimeUsersKey]);
    }

    /// <summary>A pod's working directory (its <c>--dir</c>, holding the last-good file); the same pod name gets the same one across restarts.</summary>
    public string PodDirectory(string pod)
    {
        var dir = Path.Combine(_root, pod);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Starts pod <paramref name="pod"/>'s aclop-server (<c>--kubernetes main</c>) with an admin port.</summary>
    public async Task<KubernetesModeServer> StartServerAsync(string pod = "main-0", params string[] extraArgs)
    {
        var dir = PodDirectory(pod);
        var args = new List<string>
        {
            "--port", "0", "--bind", "127.0.0.1", "--dir", dir, "--save", "",
            "--kubernetes", ServerName, "--kubernetes-namespace", Namespace, "--kubernetes-pod", pod,
            "--kubeconfig", KubeconfigPath,
        };
        args.AddRange(extraArgs);
        var parsed = AclOperator.Server.Configuration.CommandLine.Parse(args, workingDirectory: dir);
        var config = parsed.Load?.Config ?? throw new InvalidOperationException("bad test configuration: " + parsed.Output);
        var server = await AclopServer.StartAsync(config, NullLoggerFactory.Instance, allowEphemeralPort: true, allowEphemeralAdminPort: true, cancellationToken: Ct);
        return new KubernetesModeServer(server, dir);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Api.DisposeAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
