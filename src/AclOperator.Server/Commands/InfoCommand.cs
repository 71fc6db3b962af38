using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using AclOperator.Acl;
using AclOperator.Acl.Evaluation;
using AclOperator.Server.Connections;
using AclOperator.Server.Hosting;

namespace AclOperator.Server.Commands;

/// <summary>
/// INFO describes the enforcement server itself (E9): server, clients, stats (with Redis's
/// <c>acl_access_denied_*</c> counters), replication and cluster from our state; keyspace from an allow-list of the
/// backend's own INFO, so no backend address or internals leak.
/// </summary>
internal static class InfoCommand
{
    private static readonly string[] DefaultSections = ["server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules", "errorstats", "cluster", "keyspace"];

    public static void Execute(ServerContext ctx, ClientConnection c, CommandArgs argv)
    {
        var sections = new List<string>();
        if (argv.Count == 1)
        {
            sections.AddRange(DefaultSections);
        }
        else
        {
            for (int i = 1; i < argv.Count; i++)
            {
                var s = AclText.FromBytes(argv[i]).ToLowerInvariant();
                if (s is "all" or "everything" or "default")
                {
                    sections.AddRange(DefaultSections);
                }
                else if (!sections.Contains(s))
                {
                    sections.Add(s);
                }
            }
        }

        var sb = new StringBuilder(2048);
        foreach (var s in sections.Distinct())
        {
            int before = sb.Length;
            AppendSection(ctx, c, s, sb);
            if (sb.Length > before)
            {
                sb.Append("\r\n");
            }
        }

        if (sb.Length >= 2)
        {
            sb.Length -= 2;
        }

        c.BeginReply().WriteVerbatim(sb.ToString());
        c.CommitReply();
    }

    private static void AppendSection(ServerContext ctx, ClientConnection c, string section, StringBuilder sb)
    {
        var ci = CultureInfo.InvariantCulture;
        long now = ctx.NowMs;
        switch (section)
        {
            case "server":
            {
                long uptime = (now - ctx.StartedAt.ToUnixTimeMilliseconds()) / 1000;
                sb.Append("# Server\r\n")
                  .Append("redis_version:").Append(ServerInfo.RedisVersion).Append("\r\n")
                  .Append("redis_git_sha1:00000000\r\nredis_git_dirty:0\r\n")
                  .Append("redis_build_id:aclop-").Append(ServerInfo.ProductVersion).Append("\r\n")
                  .Append("redis_mode:standalone\r\n")
                  .Append("os:").Append(RuntimeInformation.OSDescription).Append(' ').Append(RuntimeInformation.OSArchitecture).Append("\r\n")
                  .Append("arch_bits:64\r\nmonotonic_clock:POSIX clock_gettime\r\nmultiplexing_api:epoll\r\n")
                  .Append("process_id:").Append(Environment.ProcessId.ToString(ci)).Append("\r\n")
                  .Append("process_supervised:no\r\n")
                  .Append("run_id:").Append(ctx.RunId).Append("\r\n")
                  .Append("tcp_port:").Append(ctx.TcpPort.ToString(ci)).Append("\r\n")
                  .Append("server_time_usec:").Append((now * 1000).ToString(ci)).Append("\r\n")
                  .Append("uptime_in_seconds:").Append(uptime.ToString(ci)).Append("\r\n")
                  .Append("uptime_in_days:").Append((uptime / 86400).ToString(ci)).Append("\r\n")
                  .Append("executable:").Append(Environment.ProcessPath ?? "").Append("\r\n")
                  .Append("config_file:").Append(ctx.Config?.Current.ConfigFile ?? "").Append("\r\n")
                  .Append("acl_source:").Append(ctx.Acl.Source?.Description ?? "").Append("\r\n")
                  .Append("aclop_backend:").Append(ctx.Backend.Name).Append("\r\n");
                return;
            }

            case "clients":
            {
                var clients = ctx.Clients.All();
                sb.Append("# Clients\r\n")
                  .Append("connected_clients:").Append(clients.Count.ToString(ci)).Append("\r\n")
                  .Append("cluster_connections:0\r\n")
                  .Append("maxclients:").Append(ctx.Settings.MaxClients.ToString(ci)).Append("\r\n")
                  .Append("client_recent_max_input_buffer:0\r\nclient_recent_max_output_buffer:0\r\n")
                  .Append("blocked_clients:").Append(clients.Count(x => x.Blocked).ToString(ci)).Append("\r\n")
                  .Append("tracking_clients:0\r\n")
                  .Append("pubsub_clients:").Append(clients.Count(x => x.IsPubSub).ToString(ci)).Append("\r\n")
                  .Append("watching_clients:").Append(clients.Count(x => x.Watching).ToString(ci)).Append("\r\n")
                  .Append("clients_in_timeout_table:0\r\n")
                  .Append("total_watched_keys:0\r\ntotal_blocking_keys:0\r\ntotal_blocking_keys_on_nokey:0\r\n");
                return;
            }

            case "memory":
            {
                using var p = Process.GetCurrentProcess();
                long used = GC.GetTotalMemory(false);
                sb.Append("# Memory\r\n")
                  .Append("used_memory:").Append(used.ToString(ci)).Append("\r\n")
                  .Append("used_memory_rss:").Append(p.WorkingSet64.ToString(ci)).Append("\r\n")
                  .Append("used_memory_peak:").Append(p.PeakWorkingSet64.ToString(ci)).Append("\r\n");
                if (ctx.Backend.Memory is { } store)
                {
                    // E17: the embedded store's fill level and the limit above which denyoom commands get OOM.
                    sb.Append("used_memory_dataset:").Append(store.UsedBytes.ToString(ci)).Append("\r\n")
                      .Append("maxmemory:").Append(store.LimitBytes.ToString(ci)).Append("\r\n");
                }
                else
                {
                    sb.Append("maxmemory:0\r\n");
                }

                sb.Append("maxmemory_policy:noeviction\r\nmem_allocator:libc\r\n");
                return;
            }

            case "persistence":
                sb.Append("# Persistence\r\nloading:0\r\nasync_loading:0\r\nrdb_changes_since_last_save:0\r\nrdb_bgsave_in_progress:0\r\naof_enabled:0\r\naof_rewrite_in_progress:0\r\n");
                return;
            case "stats":
            {
                var acl = ctx.Acl.Stats;
                sb.Append("# Stats\r\n")
                  .Append("total_connections_received:").Append(ctx.Stats.ConnectionsReceived.ToString(ci)).Append("\r\n")
                  .Append("total_commands_processed:").Append(ctx.Stats.CommandsProcessed.ToString(ci)).Append("\r\n")
                  .Append("rejected_connections:").Append(ctx.Stats.RejectedConnections.ToString(ci)).Append("\r\n")
                  .Append("pubsub_channels:0\r\npubsub_patterns:0\r\npubsubshard_channels:0\r\n")
                  .Append("total_error_replies:").Append(ctx.Stats.ErrorReplies.ToString(ci)).Append("\r\n")
                  .Append("acl_access_denied_auth:").Append(acl.DeniedAuth.ToString(ci)).Append("\r\n")
                  .Append("acl_access_denied_cmd:").Append(acl.DeniedCommand.ToString(ci)).Append("\r\n")
                  .Append("acl_access_denied_key:").Append(acl.DeniedKey.ToString(ci)).Append("\r\n")
                  .Append("acl_access_denied_channel:").Append(acl.DeniedChannel.ToString(ci)).Append("\r\n");
                return;
            }

            case "replication":
                sb.Append("# Replication\r\nrole:master\r\nconnected_slaves:0\r\nmaster_failover_state:no-failover\r\nmaster_repl_offset:0\r\nrepl_backlog_active:0\r\n");
                return;
            case "cpu":
            {
                using var p = Process.GetCurrentProcess();
                sb.Append("# CPU\r\n")
                  .Append("used_cpu_sys:").Append(p.PrivilegedProcessorTime.TotalSeconds.ToString("F6", ci)).Append("\r\n")
                  .Append("used_cpu_user:").Append(p.UserProcessorTime.TotalSeconds.ToString("F6", ci)).Append("\r\n");
                return;
            }

            case "modules":
                sb.Append("# Modules\r\n");
                return;
            case "errorstats":
                sb.Append("# Errorstats\r\n");
                return;
            case "cluster":
                sb.Append("# Cluster\r\ncluster_enabled:0\r\n");
                return;
            case "keyspace":
                sb.Append("# Keyspace\r\n");
                AppendBackendKeyspace(c, sb);
                return;
        }
    }

    /// <summary>Only <c>db&lt;n&gt;:keys=…</c> lines of the backend's INFO keyspace are passed on (allow-list).</summary>
    private static void AppendBackendKeyspace(ClientConnection c, StringBuilder sb)
    {
        var reply = c.ExecuteCaptured("INFO", "keyspace");
        var text = Encoding.UTF8.GetString(reply);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith("db", StringComparison.Ordinal) && line.Contains(":keys=", StringComparison.Ordinal))
            {
                int colon = line.IndexOf(':', StringComparison.Ordinal);
                if (int.TryParse(line.AsSpan(2, colon - 2), NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    sb.Append(line).Append("\r\n");
                }
            }
        }
    }
}
