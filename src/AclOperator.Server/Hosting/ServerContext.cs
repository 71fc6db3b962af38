using System.Security.Cryptography;
using AclOperator.Acl.Commands;
using AclOperator.Server.AclRuntime;
using AclOperator.Server.Backend;
using AclOperator.Server.Connections;
using Microsoft.Extensions.Logging;

namespace AclOperator.Server.Hosting;

/// <summary>What every connection shares: the ACL, the backend, the registry, settings and counters.</summary>
internal sealed class ServerContext
{
    public ServerContext(AclManager acl, IBackend backend, ServerSettings settings, ClientRegistry clients, ILoggerFactory loggerFactory, TimeProvider time)
    {
        Acl = acl;
        Backend = backend;
        Settings = settings;
        Clients = clients;
        LoggerFactory = loggerFactory;
        Time = time;
        StartedAt = time.GetUtcNow();
        RunId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        Metrics = new Admin.ServerMetrics(this);
    }

    public AclManager Acl { get; }

    public IBackend Backend { get; }

    public ServerSettings Settings { get; }

    public ClientRegistry Clients { get; }

    public ILoggerFactory LoggerFactory { get; }

    public TimeProvider Time { get; }

    public CommandTable Commands { get; } = CommandTable.Redis74;

    public ServerStats Stats { get; } = new();

    /// <summary>Prometheus metrics of this server (admin port /metrics); never reset.</summary>
    public Admin.ServerMetrics Metrics { get; }

    public ClientPause Pause { get; } = new();

    /// <summary>CONFIG GET/SET state; null when the server was built without one (tests).</summary>
    public AclOperator.Server.Configuration.RuntimeConfig? Config { get; set; }

    public DateTimeOffset StartedAt { get; }

    /// <summary>40 hex characters, new on every start (INFO server run_id).</summary>
    public string RunId { get; }

    /// <summary>The TCP port we listen on (INFO server tcp_port), set by the listener.</summary>
    public int TcpPort { get; set; }

    /// <summary>Set by SHUTDOWN; the host stops the server.</summary>
    public CancellationTokenSource Shutdown { get; } = new();

    public long NowMs => Time.GetUtcNow().ToUnixTimeMilliseconds();
}
