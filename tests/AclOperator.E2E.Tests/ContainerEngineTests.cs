using System.Net;
using System.Net.Sockets;

namespace AclOperator.E2E.Tests;

/// <summary>The reason the K3s tests give when they skip is right: each way of not having an engine is named.</summary>
public sealed class ContainerEngineTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("engine-probe-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Func<string, string?> Env(params (string Name, string Value)[] values) =>
        name => values.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void No_docker_host_and_no_socket()
    {
        var reason = ContainerEngine.Probe(Env(("HOME", "/nonexistent-home")));
        // /var/run/docker.sock may exist on a machine with Docker; then the probe tries it instead.
        Assert.SkipWhen(File.Exists("/var/run/docker.sock"), "this machine has /var/run/docker.sock");
        Assert.Equal(
            "no container engine (Docker socket not found: DOCKER_HOST is unset and none of /var/run/docker.sock, /nonexistent-home/.docker/run/docker.sock, /nonexistent-home/.docker/desktop/docker.sock exists)",
            reason);
    }

    [Fact]
    public void A_docker_host_socket_that_does_not_exist()
    {
        var path = Path.Combine(_dir, "missing.sock");
        Assert.Equal($"no container engine (Docker socket not found at DOCKER_HOST=unix://{path})",
            ContainerEngine.Probe(Env(("DOCKER_HOST", "unix://" + path))));
    }

    [Fact]
    public void A_stale_socket_file_refuses_connections()
    {
        var path = Path.Combine(_dir, "stale.sock");
        // What a crashed daemon leaves behind: the path exists, nobody accepts (.NET unlinks its own sockets on close,
        // so a plain file stands in; connect(2) refuses both alike).
        File.WriteAllText(path, "");

        var reason = ContainerEngine.Probe(Env(("DOCKER_HOST", "unix://" + path)));
        Assert.StartsWith($"no container engine (the Docker socket DOCKER_HOST=unix://{path} refuses connections: ", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_listening_socket_is_an_engine()
    {
        var path = Path.Combine(_dir, "docker.sock");
        using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        s.Bind(new UnixDomainSocketEndPoint(path));
        s.Listen();
        Assert.Null(ContainerEngine.Probe(Env(("DOCKER_HOST", "unix://" + path))));
    }

    [Fact]
    public void A_tcp_docker_host_that_refuses()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var reason = ContainerEngine.Probe(Env(("DOCKER_HOST", $"tcp://127.0.0.1:{port}")));
        Assert.StartsWith($"no container engine (DOCKER_HOST=tcp://127.0.0.1:{port}", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unsupported_docker_host()
    {
        Assert.Equal("no container engine (DOCKER_HOST=npipe:////./pipe/docker_engine is neither unix:// nor tcp://)",
            ContainerEngine.Probe(Env(("DOCKER_HOST", "npipe:////./pipe/docker_engine"))));
    }
}
