using AclOperator.Server.AclRuntime.Kubernetes;
using AclOperator.Server.Configuration;
using AclOperator.Server.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;
using static AclOperator.Server.Tests.EndToEnd.E2E;

namespace AclOperator.Server.Tests.Kubernetes;

/// <summary>The <c>kubernetes</c> directives: defaults from the pod's environment, and what they exclude.</summary>
public sealed class KubernetesModeConfigurationTests
{
    private static readonly string Dir = Path.GetTempPath().TrimEnd('/');

    private static ServerConfig Config(params string[] args)
    {
        var parsed = AclOperator.Server.Configuration.CommandLine.Parse(["--dir", Dir, .. args], workingDirectory: Dir);
        return parsed.Load?.Config ?? throw new InvalidOperationException(parsed.Load?.Error ?? parsed.Output);
    }

    [Fact]
    public void Namespace_and_pod_come_from_the_downward_API_and_last_good_from_dir()
    {
        var env = new Dictionary<string, string> { ["POD_NAMESPACE"] = "team-a", ["POD_NAME"] = "main-2", ["KUBECONFIG"] = "/home/u/.kube/config" };
        var o = KubernetesSourceOptions.FromConfig(Config("--kubernetes", "main"), env.GetValueOrDefault, _ => "from-file\n");

        Assert.Equal("main", o.Server);
        Assert.Equal("team-a", o.Namespace);
        Assert.Equal("main-2", o.PodName);
        Assert.Equal(Path.Combine(Dir, "aclop-last-good.json"), o.LastGoodPath);
        Assert.Equal("/home/u/.kube/config", o.KubeconfigPath);
        Assert.Equal("main-acl", o.ManifestName);
        Assert.Equal("main-acl-runtime", o.RuntimeSecretName);
    }

    [Fact]
    public void Directives_win_over_the_environment_and_the_namespace_file_is_the_last_resort()
    {
        var env = new Dictionary<string, string> { ["POD_NAMESPACE"] = "team-a", ["POD_NAME"] = "main-2" };
        var o = KubernetesSourceOptions.FromConfig(
            Config("--kubernetes", "main", "--kubernetes-namespace", "ns", "--kubernetes-pod", "main-0", "--kubernetes-last-good", "/var/run/aclop/last-good.json", "--kubeconfig", "kc"),
            env.GetValueOrDefault, _ => null);
        Assert.Equal(("ns", "main-0", "/var/run/aclop/last-good.json", Path.Combine(Dir, "kc")), (o.Namespace, o.PodName, o.LastGoodPath, o.KubeconfigPath));

        var fromFile = KubernetesSourceOptions.FromConfig(Config("--kubernetes", "main"), _ => null,
            path => path == "/var/run/secrets/kubernetes.io/serviceaccount/namespace" ? "team-b\n" : null);
        Assert.Equal("team-b", fromFile.Namespace);
        Assert.Null(fromFile.PodName);

        var e = Assert.Throws<StartupException>(() => KubernetesSourceOptions.FromConfig(Config("--kubernetes", "main"), _ => null, _ => null));
        Assert.Equal("kubernetes main: the namespace is unknown: set kubernetes-namespace, or POD_NAMESPACE (downward API), or run in a pod with a service account token", e.Message);
    }

    [Theory]
    [InlineData("--aclfile", "users.acl")]
    [InlineData("--manifests", "crs")]
    [InlineData("--requirepass", "secret")]
    public async Task Kubernetes_excludes_every_other_source_of_users(string directive, string value)
    {
        var parsed = AclOperator.Server.Configuration.CommandLine.Parse(["--port", "0", "--kubernetes", "main", "--kubernetes-namespace", "default", directive, value]);
        var e = await Assert.ThrowsAsync<StartupException>(() => AclopServer.StartAsync(parsed.Load!.Config!, NullLoggerFactory.Instance, allowEphemeralPort: true, cancellationToken: Ct));
        Assert.Equal("Configuring Redis with a Kubernetes ACL source and at the same time an ACL file, a manifests folder, users or requirepass defined in redis.conf is invalid: the RedisAclServer's published ACL defines every user, the default user included (Kubernetes mode), please define only one of them.", e.Message);
    }
}
