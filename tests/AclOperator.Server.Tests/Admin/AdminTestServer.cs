using System.Globalization;
using System.Net;
using AclOperator.Acl.Tests.Infrastructure;
using AclOperator.Server.Backend;
using AclOperator.Server.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace AclOperator.Server.Tests.Admin;

/// <summary>
/// An in-process server with its admin HTTP port on a free loopback port (unless <c>admin: false</c>), an optional
/// backend double, a private temp directory and an HTTP client for the admin port. Each test owns its server.
/// </summary>
internal sealed class AdminTestServer : IAsyncDisposable
{
    private readonly HttpClient? _http;

    private AdminTestServer(AclopServer server, string directory)
    {
        Server = server;
        Directory = directory;
        if (server.AdminEndPoint is { } admin)
        {
            _http = new HttpClient { BaseAddress = new Uri($"http://{admin}/") };
        }
    }

    public AclopServer Server { get; }

    public ServerContext Context => Server.Context;

    /// <summary>A private temporary directory (aclfiles), removed on dispose.</summary>
    public string Directory { get; }

    /// <summary>A client for the admin port (throws when the admin port is off).</summary>
    public HttpClient Http => _http ?? throw new InvalidOperationException("the admin port is off");

    public static async Task<AdminTestServer> StartAsync(
        string[]? args = null,
        IReadOnlyDictionary<string, string>? files = null,
        IBackend? backend = null,
        bool admin = true)
    {
        var dir = Path.Combine(Path.GetTempPath(), "aclop-admin-test-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(dir);
        foreach (var (name, content) in files ?? new Dictionary<string, string>())
        {
            await File.WriteAllTextAsync(Path.Combine(dir, name), content);
        }

        var all = new List<string> { "--port", "0", "--bind", "127.0.0.1", "--dir", dir, "--save", "" };
        all.AddRange(args ?? []);
        var parsed = AclOperator.Server.Configuration.CommandLine.Parse(all, workingDirectory: dir);
        var config = parsed.Load?.Config ?? throw new InvalidOperationException("bad test configuration: " + parsed.Output);
        try
        {
            var server = await AclopServer.StartAsync(config, NullLoggerFactory.Instance, backend, allowEphemeralPort: true, allowEphemeralAdminPort: admin);
            return new AdminTestServer(server, dir);
        }
        catch
        {
            System.IO.Directory.Delete(dir, recursive: true);
            throw;
        }
    }

    public Task<RespClient> ConnectAsync() =>
        RespClient.ConnectAsync(Server.EndPoint.Address.ToString(), Server.EndPoint.Port, TestContext.Current.CancellationToken);

    /// <summary>GET /metrics, parsed into <c>name{labels}</c> → value.</summary>
    public async Task<Dictionary<string, double>> ScrapeAsync()
    {
        using var response = await Http.GetAsync("metrics", TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        return ParseMetrics(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    /// <summary>Prometheus text format samples (comments skipped); the key is the series as printed.</summary>
    public static Dictionary<string, double> ParseMetrics(string text)
    {
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            int space = line.LastIndexOf(' ');
            samples.Add(line[..space], double.Parse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture));
        }

        return samples;
    }

    public async ValueTask DisposeAsync()
    {
        _http?.Dispose();
        await Server.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
