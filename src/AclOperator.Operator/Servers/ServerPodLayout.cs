namespace AclOperator.Operator.Servers;

/// <summary>
/// Ports, paths, names and pinned images of the enforcement pod (issue 7 contract), in one place for the renderer and
/// its tests.
/// </summary>
public static class ServerPodLayout
{
    // Ports.
    public const int RespPort = 6379;
    public const int TlsPort = 6380;
    public const int AdminPort = 8080;

    /// <summary>The sidecar store listens here on 127.0.0.1 only (not <see cref="TlsPort"/>: both live in one pod).</summary>
    public const int SidecarPort = 6381;

    public const string RespPortName = "resp";
    public const string TlsPortName = "resp-tls";
    public const string AdminPortName = "admin";

    // Containers.
    public const string ServerContainer = "server";
    public const string StoreContainer = "store";

    // Volumes and where they are mounted.
    public const string LastGoodVolume = "last-good";
    public const string LastGoodDirectory = "/var/run/aclop";
    public const string LastGoodFile = LastGoodDirectory + "/last-good.json";
    public const string DataVolume = "data";
    public const string DataDirectory = "/data";
    public const string TlsVolume = "tls";
    public const string TlsDirectory = "/etc/aclop/tls";
    public const string TlsCertFile = TlsDirectory + "/tls.crt";
    public const string TlsKeyFile = TlsDirectory + "/tls.key";
    public const string ApiAccessVolume = "kube-api-access";
    public const string ServiceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount";

    /// <summary>The lifetime the kubelet rotates the projected token at (what the ServiceAccount admission plugin asks for).</summary>
    public const long ServiceAccountTokenSeconds = 3607;

    // Probes on the admin port.
    public const string LivenessPath = "/healthz";
    public const string ReadinessPath = "/readyz";

    // Environment.
    public const string PodNameVariable = "POD_NAME";
    public const string PodNamespaceVariable = "POD_NAMESPACE";
    public const string UpstreamPasswordVariable = "ACLOP_UPSTREAM_PASSWORD";

    // Sidecar images by flavor (spec.backend.sidecar.image overrides).
    public const string ValkeyImage = "valkey/valkey:8.0.2";
    public const string RedisImage = "redis:7.4.2";

    /// <summary>
    /// The server runs as the .NET images' non-root <c>app</c> user; fsGroup makes a PersistentVolume at /data writable
    /// for it.
    /// </summary>
    public const long ServerUser = 1654;

    /// <summary>
    /// The <c>valkey</c>/<c>redis</c> user of the official images: their entrypoint starts as root and steps down, which
    /// runAsNonRoot forbids, so the store container starts as that user directly.
    /// </summary>
    public const long StoreUser = 999;
}
