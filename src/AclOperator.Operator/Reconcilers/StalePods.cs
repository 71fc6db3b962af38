using System.Globalization;
using AclOperator.Api.V1Alpha1;
using AclOperator.Operator.Runtime;
using AclOperator.Operator.Servers;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AclOperator.Operator.Reconcilers;

/// <summary>
/// O15's second half: a running enforcement pod stuck on an old revision stops getting new clients. A revision is the
/// target once it has been published for <see cref="ServerReconcilerOptions.StalePodGrace"/>; a running pod below the
/// target, while another running pod enforces it, gets <c>aclop.dev/serving=false</c> — the client Service selects
/// <c>"true"</c> — and <c>"true"</c> again once its Lease reaches the target. Never every pod: when none enforces the
/// target (a snapshot no pod can load, an API outage) they all keep serving what they have, which is the fail-static
/// rule of O7; the server's Enforced condition tells. Open connections are not closed by this (Service endpoints only
/// route new ones). Events on the server: <c>PodRemovedFromService</c> (Warning), <c>PodRestoredToService</c>.
/// Runs only on the leader.
/// </summary>
public sealed partial class StalePods : PeriodicController
{
    private readonly SharedInformer<RedisAclServer> _servers;
    private readonly SharedInformer<V1Pod> _pods;
    private readonly SharedInformer<V1Lease> _leases;
    private readonly KubernetesResourceClient _client;
    private readonly IEventRecorder _events;
    private readonly ServerReconcilerOptions _options;
    private readonly ILogger _logger;

    // Per server: each revision seen in its status, with when it was first seen (pruned to what can still be a target).
    private readonly Dictionary<ObjectKey, SortedList<long, DateTimeOffset>> _published = [];

    public StalePods(SharedInformerFactory informers, KubernetesResourceClient client, IEventRecorder events, IOptions<ServerReconcilerOptions> options,
        ILogger<StalePods> logger, TimeProvider? time = null)
        : base(time ?? TimeProvider.System, logger)
    {
        ArgumentNullException.ThrowIfNull(informers);
        ArgumentNullException.ThrowIfNull(options);
        _servers = informers.For<RedisAclServer>();
        _pods = informers.ForOwned<V1Pod>(ServerReconciler.Pods);
        _leases = informers.ForOwned<V1Lease>(ApiResource.Leases);
        _client = client;
        _events = events;
        _options = options.Value;
        _logger = logger;
    }

    public override string Name => "stale-pods";

    protected override TimeSpan Period => _options.StalePodCheckPeriod;

    protected override bool Enabled => _options.StalePodGrace > TimeSpan.Zero;

    protected override IEnumerable<ISharedInformer> Reads => [_servers, _pods, _leases];

    protected override Task PassAsync(CancellationToken cancellationToken) => CheckAsync(cancellationToken);

    /// <summary>One pass over every server (the loop runs it every <see cref="ServerReconcilerOptions.StalePodCheckPeriod"/>).</summary>
    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        var now = Time.GetUtcNow();
        var servers = _servers.Cache.List();
        foreach (var key in _published.Keys.Where(k => _servers.Cache.Get(k) is null).ToList())
        {
            _published.Remove(key);
        }

        foreach (var server in servers)
        {
            if (server.Metadata.DeletionTimestamp is not null || Target(server, now) is not { } target)
            {
                continue;
            }

            var running = ServerPods.Running(server, _pods.Cache, _leases.Cache);
            bool someoneCurrent = running.Any(p => p.Revision >= target);
            foreach (var pod in running)
            {
                bool serving = pod.Revision >= target || !someoneCurrent;
                bool labelled = !(pod.Pod.Metadata.Labels?.TryGetValue(ServerLabels.Serving, out var value) == true && value == "false");
                if (serving == labelled)
                {
                    continue;
                }

                var patch = new System.Text.Json.Nodes.JsonObject
                {
                    ["metadata"] = new System.Text.Json.Nodes.JsonObject
                    {
                        ["labels"] = new System.Text.Json.Nodes.JsonObject { [ServerLabels.Serving] = serving ? "true" : "false" },
                    },
                }.ToJsonString();
                await _client.PatchAsync<V1Pod>(ServerReconciler.Pods, pod.Pod.Metadata.NamespaceProperty, pod.Name, patch, "application/merge-patch+json", null, cancellationToken).ConfigureAwait(false);
                var service = ServerObjectNames.Service(server.Metadata.Name);
                if (serving)
                {
                    LogRestored(_logger, server.Metadata.NamespaceProperty ?? "", pod.Name, pod.Revision);
                    await _events.RecordAsync(server, EventTypes.Normal, "PodRestoredToService",
                        string.Create(CultureInfo.InvariantCulture, $"pod {pod.Name} enforces revision {pod.Revision}: back in Service {service}"), cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    LogRemoved(_logger, server.Metadata.NamespaceProperty ?? "", pod.Name, pod.Revision, target);
                    await _events.RecordAsync(server, EventTypes.Warning, "PodRemovedFromService",
                        string.Create(CultureInfo.InvariantCulture,
                            $"pod {pod.Name} enforces revision {pod.Revision} while revision {target} was published over {(long)_options.StalePodGrace.TotalSeconds}s ago and other pods enforce it: taken out of Service {service} until it catches up"),
                        cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>The newest revision of <paramref name="server"/> published at least the grace period ago, or null.</summary>
    private long? Target(RedisAclServer server, DateTimeOffset now)
    {
        if (!long.TryParse(server.Status?.Revision, NumberStyles.None, CultureInfo.InvariantCulture, out var revision) || revision <= 0)
        {
            return null;
        }

        var key = ObjectKey.Of(server);
        if (!_published.TryGetValue(key, out var seen))
        {
            seen = [];
            _published[key] = seen;
        }

        seen.TryAdd(revision, now);
        long? target = null;
        foreach (var (r, at) in seen)
        {
            if (now - at >= _options.StalePodGrace)
            {
                target = r;
            }
        }

        // Older revisions than the target can never be the target again.
        while (target is { } t && seen.Count > 0 && seen.Keys[0] < t)
        {
            seen.RemoveAt(0);
        }

        return target;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pod {Namespace}/{Pod} enforces revision {Revision} below revision {Target} that other pods enforce: taken out of the client Service")]
    private static partial void LogRemoved(ILogger logger, string @namespace, string pod, long revision, long target);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pod {Namespace}/{Pod} caught up (revision {Revision}): back in the client Service")]
    private static partial void LogRestored(ILogger logger, string @namespace, string pod, long revision);
}
