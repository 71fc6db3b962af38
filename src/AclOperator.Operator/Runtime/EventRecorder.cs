using System.Globalization;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AclOperator.Operator.Runtime;

/// <summary>
/// Writes core/v1 Events and aggregates exact repeats the way client-go's EventCorrelator does for identical events:
/// the first occurrence creates an Event named <c>&lt;object&gt;.&lt;hex nanoseconds&gt;</c> with count 1; a repeat of
/// the same object, type, reason, message and source patches that Event's count and lastTimestamp instead of creating
/// another (recreating it if it was deleted meanwhile). Simplified: client-go also folds similar events (same reason,
/// different messages) after ten within ten minutes and rate-limits with a token bucket; neither is done here.
/// </summary>
public sealed partial class EventRecorder : IEventRecorder, IDisposable
{
    private readonly IKubernetes _client;
    private readonly EventRecorderOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    // Repeats of one event are written one at a time so they aggregate; different events are written concurrently (one
    // gate for all queued every event of every reconcile behind each other's API round trip). Keys hash to a gate.
    private readonly SemaphoreSlim[] _gates = Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1)).ToArray();
    private readonly Lock _cache = new();
    private readonly Dictionary<string, Seen> _seen = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();

    private sealed record Seen(string Namespace, string Name, int Count, DateTime FirstTimestamp);

    public EventRecorder(IKubernetes client, IOptions<EventRecorderOptions> options, ILogger<EventRecorder> logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _client = client;
        _options = options.Value;
        _logger = logger;
        _time = time ?? TimeProvider.System;
    }

    public async Task RecordAsync(IKubernetesObject<V1ObjectMeta> regarding, string type, string reason, string message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(regarding);
        var meta = regarding.Metadata;
        var ns = string.IsNullOrEmpty(meta.NamespaceProperty) ? "default" : meta.NamespaceProperty;
        var key = string.Join('\u0000', meta.Uid, regarding.Kind, ns, meta.Name, type, reason, message, _options.Component);
        var gate = _gates[(uint)StringComparer.Ordinal.GetHashCode(key) % (uint)_gates.Length];
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // metav1.Time has whole seconds; truncating keeps lastTimestamp >= firstTimestamp after the round trip.
            var utc = _time.GetUtcNow().UtcDateTime;
            var now = new DateTime(utc.Ticks - (utc.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
            Seen? seen;
            lock (_cache)
            {
                _seen.TryGetValue(key, out seen);
            }

            if (seen is not null)
            {
                var count = seen.Count + 1;
                var patch = new JsonObject
                {
                    ["count"] = count,
                    ["lastTimestamp"] = now.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                };
                try
                {
                    await _client.CoreV1.PatchNamespacedEventAsync(new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), seen.Name, seen.Namespace,
                        cancellationToken: cancellationToken).ConfigureAwait(false);
                    lock (_cache)
                    {
                        // Unless another event's create evicted it meanwhile (it would then be in _seen but not in _order).
                        if (_seen.ContainsKey(key))
                        {
                            _seen[key] = seen with { Count = count };
                        }
                    }

                    return;
                }
                catch (Exception ex) when (KubernetesErrors.IsNotFound(ex))
                {
                    // Deleted (or expired by the event TTL) meanwhile: record it again, keeping the count.
                    await CreateAsync(key, regarding, ns, type, reason, message, count, seen.FirstTimestamp, now, cancellationToken).ConfigureAwait(false);
                    return;
                }
            }
            await CreateAsync(key, regarding, ns, type, reason, message, 1, now, now, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // Events are best effort: a failure is logged, never passed to the reconciler.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogFailed(_logger, reason, meta.Name, ex.Message);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task CreateAsync(string key, IKubernetesObject<V1ObjectMeta> regarding, string ns, string type, string reason, string message,
        int count, DateTime first, DateTime now, CancellationToken cancellationToken)
    {
        var meta = regarding.Metadata;
        var unixNanos = (_time.GetUtcNow().UtcDateTime - DateTime.UnixEpoch).Ticks * 100;
        var evt = new Corev1Event
        {
            Metadata = new V1ObjectMeta { Name = string.Create(CultureInfo.InvariantCulture, $"{meta.Name}.{unixNanos:x}"), NamespaceProperty = ns },
            InvolvedObject = new V1ObjectReference
            {
                ApiVersion = regarding.ApiVersion,
                Kind = regarding.Kind,
                Name = meta.Name,
                NamespaceProperty = meta.NamespaceProperty,
                Uid = meta.Uid,
                ResourceVersion = meta.ResourceVersion,
            },
            Type = type,
            Reason = reason,
            Message = message,
            Count = count,
            FirstTimestamp = first,
            LastTimestamp = now,
            Source = new V1EventSource { Component = _options.Component, Host = _options.Instance },
            ReportingComponent = _options.Component,
            ReportingInstance = _options.Instance,
        };
        var created = await _client.CoreV1.CreateNamespacedEventAsync(evt, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
        lock (_cache)
        {
            if (!_seen.ContainsKey(key))
            {
                _order.Enqueue(key);
                while (_order.Count > _options.CacheSize && _order.TryDequeue(out var oldest))
                {
                    _seen.Remove(oldest);
                }
            }
            _seen[key] = new Seen(ns, created.Metadata.Name, count, first);
        }
    }

    public void Dispose()
    {
        foreach (var gate in _gates)
        {
            gate.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record event {Reason} for {Name}: {Error}")]
    private static partial void LogFailed(ILogger logger, string reason, string name, string error);
}
