using System.Net.Sockets;

namespace AclOperator.E2E.Tests;

/// <summary>
/// Whether a container engine (Docker, or Podman through DOCKER_HOST) answers on this machine, found the way
/// Testcontainers looks for it: DOCKER_HOST, else the usual Docker sockets. Tests that need one skip with
/// <see cref="Unavailable"/> as the reason.
/// </summary>
internal static class ContainerEngine
{
    /// <summary>Why no container engine can be used here, or null when one answers.</summary>
    public static string? Unavailable { get; } = Probe(Environment.GetEnvironmentVariable);

    /// <summary>Why no container engine answers given these environment variables, or null when one does.</summary>
    internal static string? Probe(Func<string, string?> environment)
    {
        var dockerHost = environment("DOCKER_HOST");
        if (!string.IsNullOrEmpty(dockerHost))
        {
            if (dockerHost.StartsWith("unix://", StringComparison.Ordinal))
            {
                return ProbeSocket(dockerHost["unix://".Length..], $"DOCKER_HOST={dockerHost}");
            }

            if (Uri.TryCreate(dockerHost, UriKind.Absolute, out var uri) && uri.Scheme is "tcp" or "http" or "https")
            {
                try
                {
                    using var tcp = new TcpClient();
                    if (tcp.ConnectAsync(uri.Host, uri.Port).Wait(TimeSpan.FromSeconds(3)))
                    {
                        return null;
                    }

                    return $"no container engine (DOCKER_HOST={dockerHost} does not answer within 3 s)";
                }
                catch (Exception e) when (e is SocketException or AggregateException)
                {
                    return $"no container engine (DOCKER_HOST={dockerHost}: {e.GetBaseException().Message})";
                }
            }

            return $"no container engine (DOCKER_HOST={dockerHost} is neither unix:// nor tcp://)";
        }

        var home = environment("HOME") ?? "";
        var runtime = environment("XDG_RUNTIME_DIR");
        string[] candidates =
        [
            "/var/run/docker.sock",
            .. runtime is null ? Array.Empty<string>() : [Path.Combine(runtime, "docker.sock")],
            Path.Combine(home, ".docker/run/docker.sock"),
            Path.Combine(home, ".docker/desktop/docker.sock"),
        ];
        var socket = candidates.FirstOrDefault(File.Exists);
        return socket is null
            ? $"no container engine (Docker socket not found: DOCKER_HOST is unset and none of {string.Join(", ", candidates)} exists)"
            : ProbeSocket(socket, socket);
    }

    private static string? ProbeSocket(string path, string shown)
    {
        if (!File.Exists(path))
        {
            return $"no container engine (Docker socket not found at {shown})";
        }

        try
        {
            using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            s.Connect(new UnixDomainSocketEndPoint(path));
            return null;
        }
        catch (SocketException e)
        {
            return $"no container engine (the Docker socket {shown} refuses connections: {e.Message})";
        }
    }
}
