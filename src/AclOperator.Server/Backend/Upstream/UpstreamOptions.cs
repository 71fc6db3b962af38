using System.Globalization;
using AclOperator.Server.Configuration;
using AclOperator.Server.Hosting;

namespace AclOperator.Server.Backend.Upstream;

/// <summary>
/// Where the upstream Redis-protocol server is and how to authenticate to it (E13). A sidecar is the same with
/// 127.0.0.1. The password comes from a file (a mounted Kubernetes Secret) or the <c>ACLOP_UPSTREAM_PASSWORD</c>
/// environment variable, never from the command line, so it does not show in <c>ps</c>.
/// </summary>
public sealed class UpstreamOptions
{
    public const string PasswordEnvironmentVariable = "ACLOP_UPSTREAM_PASSWORD";

    public required string Host { get; init; }

    public required int Port { get; init; }

    /// <summary>ACL user on the upstream, or null for <c>AUTH &lt;password&gt;</c> / no AUTH.</summary>
    public string? User { get; init; }

    /// <summary>Upstream password, or null when the upstream needs none.</summary>
    public string? Password { get; init; }

    public bool Tls { get; init; }

    /// <summary>PEM bundle of the CAs that may sign the upstream's certificate; null = the system trust store.</summary>
    public string? TlsCaFile { get; init; }

    /// <summary>Name checked against the certificate; null = <see cref="Host"/>.</summary>
    public string? TlsServerName { get; init; }

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the health probe PINGs the upstream.</summary>
    public TimeSpan HealthInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>First and longest wait before a new session is tried again after a failed connect.</summary>
    public TimeSpan MinBackoff { get; init; } = TimeSpan.FromMilliseconds(50);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(5);

    public string Address => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    /// <summary>Reads the <c>upstream*</c> directives; throws <see cref="StartupException"/> with a clear reason.</summary>
    public static UpstreamOptions FromConfig(ServerConfig config, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        environment ??= Environment.GetEnvironmentVariable;
        var address = config.Upstream ?? throw new StartupException("backend upstream needs the address of the upstream server: upstream <host>:<port>");
        var (host, port) = ParseAddress(address);
        string? password = null;
        if (config.UpstreamPasswordFile is { } file)
        {
            try
            {
                password = File.ReadAllText(config.ResolvePath(file)).TrimEnd('\r', '\n');
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new StartupException($"Can't read upstream-password-file '{file}': {e.Message}");
            }
        }
        else if (environment(PasswordEnvironmentVariable) is { Length: > 0 } fromEnv)
        {
            password = fromEnv;
        }

        if (config.UpstreamUser is not null && password is null)
        {
            throw new StartupException("upstream-user is set but no upstream password was given (upstream-password-file or " + PasswordEnvironmentVariable + ")");
        }

        return new UpstreamOptions
        {
            Host = host,
            Port = port,
            User = config.UpstreamUser,
            Password = password,
            Tls = config.UpstreamTls,
            TlsCaFile = config.UpstreamTlsCaFile is { } ca ? config.ResolvePath(ca) : null,
            TlsServerName = config.UpstreamTlsServerName,
        };
    }

    /// <summary><c>host:port</c>, <c>[v6]:port</c>.</summary>
    internal static (string Host, int Port) ParseAddress(string address)
    {
        int colon = address.LastIndexOf(':');
        if (colon <= 0 || colon == address.Length - 1
            || !int.TryParse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
        {
            throw new StartupException($"Invalid upstream address '{address}': expected <host>:<port>");
        }

        string host = address[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }

        return (host, port);
    }
}
