using AclOperator.Api.Snapshots;
using AclOperator.Server.Configuration;
using AclOperator.Server.Hosting;
using k8s;

namespace AclOperator.Server.AclRuntime.Kubernetes;

/// <summary>
/// Kubernetes mode (<c>kubernetes &lt;server&gt;</c>): which RedisAclServer's snapshot this pod enforces, who the pod is,
/// where the last-good copy lives and how the API is reached. Defaults follow the pod spec the operator writes: the
/// namespace and pod name come from the downward API (<c>POD_NAMESPACE</c>, <c>POD_NAME</c>).
/// </summary>
public sealed class KubernetesSourceOptions
{
    public const string NamespaceEnvironmentVariable = "POD_NAMESPACE";
    public const string PodEnvironmentVariable = "POD_NAME";
    public const string KubeconfigEnvironmentVariable = "KUBECONFIG";
    public const string ServiceAccountNamespaceFile = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";
    public const string DefaultLastGoodFile = "aclop-last-good.json";

    /// <summary>The RedisAclServer's name.</summary>
    public required string Server { get; init; }

    public required string Namespace { get; init; }

    /// <summary>This pod's name (and its Lease's, O5/O12); null when unknown: no Lease is reported then.</summary>
    public string? PodName { get; init; }

    /// <summary>Absolute path of the last-good snapshot file (O7).</summary>
    public required string LastGoodPath { get; init; }

    /// <summary>The kubeconfig file, or null for the in-cluster configuration.</summary>
    public string? KubeconfigPath { get; init; }

    /// <summary>Safety net under the watches: the snapshot is re-read and verified this often.</summary>
    public TimeSpan ResyncPeriod { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the pod's Lease is renewed (also after every apply).</summary>
    public TimeSpan LeaseRenewPeriod { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Seconds a Lease this pod has to create claims (three renew periods).</summary>
    public int LeaseDurationSeconds { get; init; } = 30;

    /// <summary>The API server ends each watch after about this long; it is then resumed.</summary>
    public TimeSpan WatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>First and longest pause before a failed list, watch or load is tried again.</summary>
    public TimeSpan MinRetryDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Timeout of one API request (watches excepted), so ACL LOAD and ACL SETUSER answer when the API hangs.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public string ManifestName => SnapshotNames.Manifest(Server);

    public string RuntimeSecretName => SnapshotNames.RuntimeSecret(Server);

    /// <summary>
    /// Reads the <c>kubernetes*</c> and <c>kubeconfig</c> directives with their environment defaults; throws
    /// <see cref="StartupException"/> when the namespace cannot be determined.
    /// </summary>
    /// <param name="config">The server configuration (<c>kubernetes</c> set).</param>
    /// <param name="environment">Environment lookup (tests pass their own).</param>
    /// <param name="readFile">Reads a file, or null when it does not exist (tests pass their own).</param>
    public static KubernetesSourceOptions FromConfig(ServerConfig config, Func<string, string?>? environment = null, Func<string, string?>? readFile = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        environment ??= Environment.GetEnvironmentVariable;
        readFile ??= ReadFileOrNull;
        var server = config.Kubernetes ?? throw new StartupException("kubernetes mode needs the RedisAclServer's name: kubernetes <server>");
        var ns = config.KubernetesNamespace
            ?? NonEmpty(environment(NamespaceEnvironmentVariable))
            ?? NonEmpty(readFile(ServiceAccountNamespaceFile)?.Trim())
            ?? throw new StartupException($"kubernetes {server}: the namespace is unknown: set kubernetes-namespace, or {NamespaceEnvironmentVariable} (downward API), or run in a pod with a service account token");
        var kubeconfig = config.Kubeconfig is { } k ? config.ResolvePath(k)
            : KubernetesClientConfiguration.IsInCluster() ? null
            : NonEmpty(environment(KubeconfigEnvironmentVariable));
        return new KubernetesSourceOptions
        {
            Server = server,
            Namespace = ns,
            PodName = config.KubernetesPod ?? NonEmpty(environment(PodEnvironmentVariable)),
            LastGoodPath = config.ResolvePath(config.KubernetesLastGood ?? DefaultLastGoodFile),
            KubeconfigPath = kubeconfig,
            LeaseRenewPeriod = TimeSpan.FromSeconds(config.KubernetesLeaseRenewSeconds),
            LeaseDurationSeconds = 3 * config.KubernetesLeaseRenewSeconds,
        };
    }

    /// <summary>A client for the API: the kubeconfig file when one is set, otherwise the in-cluster configuration.</summary>
    public k8s.Kubernetes CreateClient()
    {
        KubernetesClientConfiguration configuration;
        try
        {
            if (KubeconfigPath is not null)
            {
                configuration = KubernetesClientConfiguration.BuildConfigFromConfigFile(KubeconfigPath);
            }
            else if (KubernetesClientConfiguration.IsInCluster())
            {
                configuration = KubernetesClientConfiguration.InClusterConfig();
            }
            else
            {
                throw new StartupException($"kubernetes {Server}: no API access: not running in a pod (no service account token) and neither kubeconfig nor {KubeconfigEnvironmentVariable} is set");
            }
        }
        catch (Exception e) when (e is k8s.Exceptions.KubeConfigException or IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new StartupException($"kubernetes {Server}: cannot configure the API client: {e.Message}");
        }

        configuration.HttpClientTimeout = RequestTimeout;
        return new k8s.Kubernetes(configuration);
    }

    private static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    private static string? ReadFileOrNull(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
