using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AclOperator.Api.Snapshots;
using k8s.Autorest;
using Microsoft.Extensions.Logging;

namespace AclOperator.Server.AclRuntime.Kubernetes;

/// <summary>
/// List+watch of ONE namespaced object by name (<c>fieldSelector=metadata.name=…</c>, which RBAC grants by resource
/// name, O5), reporting each new resourceVersion of it (null once it is gone). client-go's reflector in small: the
/// watch resumes from the last resourceVersion seen (events and bookmarks); a 410 Expired, on the watch request or as
/// an ERROR event, relists with resourceVersion "" (O16); other failures retry with backoff. The object's content is
/// not kept: the caller reads what it needs with GETs.
/// </summary>
internal sealed partial class NamedObjectWatch
{
    private readonly k8s.Kubernetes _client;
    private readonly string _collectionPath;
    private readonly string _name;
    private readonly Action _changed;
    private readonly ILogger _logger;
    private readonly KubernetesSourceOptions _options;
    private bool _reported;
    private string? _objectVersion;

    /// <param name="client">The API client (its HttpClient, TLS and credentials are used).</param>
    /// <param name="ns">The object's namespace.</param>
    /// <param name="plural">The core/v1 resource: <c>configmaps</c> or <c>secrets</c>.</param>
    /// <param name="name">The object's name.</param>
    /// <param name="changed">Called when the object appears, changes or goes away (and once after the first list).</param>
    /// <param name="options">Watch timeout and retry delays.</param>
    /// <param name="logger">Retries are logged at debug level, never the object.</param>
    public NamedObjectWatch(k8s.Kubernetes client, string ns, string plural, string name, Action changed, KubernetesSourceOptions options, ILogger logger)
    {
        _client = client;
        _collectionPath = $"api/v1/namespaces/{Uri.EscapeDataString(ns)}/{plural}";
        _name = name;
        _changed = changed;
        _options = options;
        _logger = logger;
        Description = $"{plural}/{name}";
    }

    /// <summary>E.g. <c>configmaps/main-acl</c>.</summary>
    public string Description { get; }

    /// <summary>Lists and watches until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        string position = "";
        var delay = _options.MinRetryDelay;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (position.Length == 0)
                {
                    position = await ListAsync(cancellationToken).ConfigureAwait(false);
                }

                long started = Environment.TickCount64;
                position = await WatchAsync(position, cancellationToken).ConfigureAwait(false);
                if (Environment.TickCount64 - started > 1000)
                {
                    delay = _options.MinRetryDelay;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.Gone)
            {
                LogExpired(_logger, Description);
                position = "";
            }
#pragma warning disable CA1031 // The watch must survive any failure of one list or watch; it retries with backoff.
            catch (Exception e)
#pragma warning restore CA1031
            {
                // A broken watch resumes from the last resourceVersion it delivered; a failed list lists again.
                var reason = KubernetesErrorText.Describe(e);
                LogRetry(_logger, Description, delay.TotalMilliseconds, reason);
                try
                {
                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));
            }
        }
    }

    /// <summary>Lists the one object; returns the list's resourceVersion to watch from.</summary>
    private async Task<string> ListAsync(CancellationToken ct)
    {
        using var response = await SendAsync(_collectionPath + "?fieldSelector=" + Uri.EscapeDataString("metadata.name=" + _name), ct).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var doc = await JsonDocument.ParseAsync(stream, cancellationToken: ct).ConfigureAwait(false);
            var root = doc.RootElement;
            string? objectVersion = null;
            foreach (var item in root.GetProperty("items").EnumerateArray())
            {
                objectVersion = ResourceVersionOf(item);
            }

            Report(objectVersion);
            return root.TryGetProperty("metadata", out var meta) && meta.TryGetProperty("resourceVersion", out var rv) ? rv.GetString() ?? "" : "";
        }
    }

    /// <summary>Watches from <paramref name="position"/> until the server ends the watch; returns where to resume ("" = relist).</summary>
    private async Task<string> WatchAsync(string position, CancellationToken ct)
    {
        var timeout = (long)Math.Max(1, _options.WatchTimeout.TotalSeconds * (1 + Random.Shared.NextDouble()));
        var query = string.Create(CultureInfo.InvariantCulture,
            $"?watch=true&allowWatchBookmarks=true&timeoutSeconds={timeout}&fieldSelector={Uri.EscapeDataString("metadata.name=" + _name)}&resourceVersion={Uri.EscapeDataString(position)}");
        using var response = await SendAsync(_collectionPath + query, ct).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var reader = new StreamReader(stream, Encoding.UTF8);
            while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
            {
                if (line.Length == 0)
                {
                    continue;
                }

                using var evt = JsonDocument.Parse(line);
                var type = evt.RootElement.GetProperty("type").GetString();
                var obj = evt.RootElement.GetProperty("object");
                switch (type)
                {
                    case "ADDED" or "MODIFIED":
                        position = ResourceVersionOf(obj) ?? position;
                        Report(ResourceVersionOf(obj));
                        break;
                    case "DELETED":
                        position = ResourceVersionOf(obj) ?? position;
                        Report(null);
                        break;
                    case "BOOKMARK":
                        position = ResourceVersionOf(obj) ?? position;
                        break;
                    case "ERROR" when obj.TryGetProperty("code", out var code) && code.GetInt32() == 410:
                        LogExpired(_logger, Description);
                        return "";
                    default:
                        throw new InvalidDataException($"watch event {type}: {(obj.TryGetProperty("message", out var m) ? m.GetString() : "")}");
                }
            }
        }

        return position;
    }

    private void Report(string? objectVersion)
    {
        if (_reported && objectVersion == _objectVersion)
        {
            return;
        }

        _reported = true;
        _objectVersion = objectVersion;
        _changed();
    }

    private static string? ResourceVersionOf(JsonElement obj) =>
        obj.TryGetProperty("metadata", out var meta) && meta.TryGetProperty("resourceVersion", out var rv) ? rv.GetString() : null;

    private async Task<HttpResponseMessage> SendAsync(string pathAndQuery, CancellationToken ct)
    {
        var baseUri = _client.BaseUri.AbsoluteUri.EndsWith('/') ? _client.BaseUri : new Uri(_client.BaseUri.AbsoluteUri + "/");
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUri, pathAndQuery));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (_client.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, ct).ConfigureAwait(false);
        }

        var response = await _client.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            var content = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            throw new HttpOperationException($"GET {pathAndQuery} returned {(int)response.StatusCode}")
            {
                Request = new HttpRequestMessageWrapper(request, ""),
                Response = new HttpResponseMessageWrapper(response, content),
            };
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Watch of {Object} expired (410); listing again")]
    private static partial void LogExpired(ILogger logger, string @object);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Watch of {Object} failed; retrying in {DelayMs} ms: {Reason}")]
    private static partial void LogRetry(ILogger logger, string @object, double delayMs, string reason);
}
