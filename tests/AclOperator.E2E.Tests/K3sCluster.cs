using k8s;
using Testcontainers.K3s;

namespace AclOperator.E2E.Tests;

/// <summary>
/// One K3s cluster (rancher/k3s in a container) for the tests of a class, started only where a container engine
/// answers. The image is pinned: CEL validation rules with fieldPath and reason need Kubernetes 1.28 or later.
/// </summary>
public sealed class K3sCluster : IAsyncLifetime
{
    public const string Image = "rancher/k3s:v1.32.4-k3s1";

    private K3sContainer? _container;

    public Kubernetes? Client { get; private set; }

    public async ValueTask InitializeAsync()
    {
        if (ContainerEngine.Unavailable is not null)
        {
            return;
        }

        _container = new K3sBuilder(Image).Build();
        await _container.StartAsync();
        var kubeconfig = await _container.GetKubeconfigAsync();
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(kubeconfig));
        Client = new Kubernetes(await KubernetesClientConfiguration.BuildConfigFromConfigFileAsync(stream));
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }
    }

    /// <summary>The client, or a skip with the reason there is no cluster.</summary>
    public Kubernetes Require()
    {
        Assert.SkipWhen(ContainerEngine.Unavailable is not null, ContainerEngine.Unavailable ?? "");
        return Client ?? throw new InvalidOperationException("the K3s cluster did not start");
    }
}
