using System.Net;
using AclOperator.Acl.Tests.Infrastructure;
using AclOperator.Server.Configuration;
using AclOperator.Server.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AclOperator.Server.Tests.Infrastructure;

/// <summary>
/// An aclop-server started in-process on a free loopback port with the embedded Garnet backend, configured with
/// redis-server style arguments. Each test owns its server (and temp directory), so tests run in parallel.
/// </summary>
internal sealed class InProcessServer : IAsyncDisposable
{
    private readonly AclopServer _server;

    private InProcessServer(AclopServer server, string directory)
    {
        _server = server;
        Directory = directory;
    }

    /// <summary>A private temporary directory (aclfiles, logs), removed on dispose.</summary>
    public string Directory { get; }

    public IPEndPoint EndPoint => _server.EndPoint;

    public int Port => _server.EndPoint.Port;

    internal ServerContext Context => _server.Context;

    /// <summary>
    /// Starts a server. <paramref name="args"/> are redis-server directives (<c>"--aclfile", "users.acl"</c>);
    /// relative paths resolve in <see cref="Directory"/>. <paramref name="files"/> are written there first
    /// (names may contain folders, e.g. <c>crs/alice.yaml</c>).
    /// </summary>
    public static async Task<InProcessServer> StartAsync(string[]? args = null, IReadOnlyDictionary<string, string>? files = null, ILoggerFactory? loggerFactory = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), "aclop-test-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(dir);
        foreach (var (name, content) in files ?? new Dictionary<string, string>())
        {
            var path = Path.Combine(dir, name);
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, content).ConfigureAwait(false);
        }

        var all = new List<string> { "--port", "0", "--bind", "127.0.0.1", "--dir", dir, "--save", "" };
        all.AddRange(args ?? []);
        var parsed = AclOperator.Server.Configuration.CommandLine.Parse(all, workingDirectory: dir);
        if (parsed.Load?.Config is not { } config)
        {
            throw new InvalidOperationException("bad test configuration: " + parsed.Output);
        }

        var server = await AclopServer.StartAsync(config, loggerFactory ?? NullLoggerFactory.Instance, allowEphemeralPort: true).ConfigureAwait(false);
        return new InProcessServer(server, dir);
    }

    /// <summary>Runs the idle-session sweep now, treating every connection as idle; returns how many were released.</summary>
    internal int ReleaseIdleBackends() => _server.ReleaseIdleBackendSessions(TimeSpan.Zero);

    /// <summary>A raw RESP client connected to this server.</summary>
    public Task<RespClient> ConnectAsync() => RespClient.ConnectAsync(EndPoint.Address.ToString(), Port);

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync().ConfigureAwait(false);
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
