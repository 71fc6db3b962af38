using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace AclOperator.Operator.Runtime;

/// <summary>
/// Generic REST access to any <see cref="ApiResource"/> through a KubernetesClient's HTTP pipeline (its TLS,
/// credentials and handlers): list, watch, get, create, replace, patch, each optionally on a subresource. The generated
/// typed methods cannot ask for metadata only, read watch ERROR events as a Status, or write /status of any kind, which
/// the informer, the status writer and the finalizer helpers need. Errors are thrown as KubernetesClient's
/// <see cref="HttpOperationException"/>, like the typed methods.
/// </summary>
public sealed class KubernetesResourceClient
{
    private const string MetadataListAccept = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";
    private const string MetadataWatchAccept = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1";
    private readonly Kubernetes _client;

    public KubernetesResourceClient(IKubernetes client)
    {
        _client = client as Kubernetes ?? throw new ArgumentException("a k8s.Kubernetes client is required (its HttpClient and credentials are used)", nameof(client));
    }

    /// <summary>The KubernetesClient this client sends through.</summary>
    public IKubernetes Client => _client;

    public async Task<TList> ListAsync<TList>(ApiResource resource, string? ns, ListRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(request);
        var uri = resource.CollectionPath(ns) + Query(request, watch: false);
        using var response = await SendAsync(HttpMethod.Get, uri, null, null, request.MetadataOnly ? MetadataListAccept : null, cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            return KubernetesJson.Deserialize<TList>(stream);
        }
    }

    /// <summary>
    /// Opens a watch and yields its events until the server ends it (the enumeration completes) or the connection
    /// fails (an exception). A watch refused with 410 throws an <see cref="HttpOperationException"/> with status 410;
    /// a watch that loses its place later yields an ERROR event with the Status.
    /// </summary>
    public async IAsyncEnumerable<WatchEvent<T>> WatchAsync<T>(ApiResource resource, string? ns, ListRequest request,
        [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(request);
        var uri = resource.CollectionPath(ns) + Query(request, watch: true);
        using var response = await SendAsync(HttpMethod.Get, uri, null, null, request.MetadataOnly ? MetadataWatchAccept : null, cancellationToken).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var reader = new StreamReader(stream, Encoding.UTF8);
            while (true)
            {
                var line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
                if (line is null)
                {
                    yield break;
                }
                if (line.Length == 0)
                {
                    continue;
                }
                yield return ParseEvent<T>(line);
            }
        }
    }

    internal static WatchEvent<T> ParseEvent<T>(string line)
        where T : class
    {
        using var doc = JsonDocument.Parse(line);
        var root = doc.RootElement;
        var type = root.GetProperty("type").GetString() switch
        {
            "ADDED" => WatchEventType.Added,
            "MODIFIED" => WatchEventType.Modified,
            "DELETED" => WatchEventType.Deleted,
            "BOOKMARK" => WatchEventType.Bookmark,
            "ERROR" => WatchEventType.Error,
            var other => throw new InvalidDataException($"unknown watch event type '{other}'"),
        };
        var obj = root.GetProperty("object");
        return type == WatchEventType.Error
            ? new WatchEvent<T>(type, null, KubernetesJson.Deserialize<V1Status>(obj))
            : new WatchEvent<T>(type, KubernetesJson.Deserialize<T>(obj), null);
    }

    public async Task<T> GetAsync<T>(ApiResource resource, string? ns, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        using var response = await SendAsync(HttpMethod.Get, resource.ObjectPath(ns, name), null, null, null, cancellationToken).ConfigureAwait(false);
        return await ReadAsync<T>(response, cancellationToken).ConfigureAwait(false);
    }

    public async Task<T> CreateAsync<T>(ApiResource resource, string? ns, T obj, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        using var response = await SendAsync(HttpMethod.Post, resource.CollectionPath(ns), KubernetesJson.Serialize(obj), "application/json", null, cancellationToken).ConfigureAwait(false);
        return await ReadAsync<T>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>PUT: an update with the object's resourceVersion as precondition (409 Conflict when it is stale).</summary>
    public async Task<T> ReplaceAsync<T>(ApiResource resource, string? ns, string name, T obj, string? subresource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        using var response = await SendAsync(HttpMethod.Put, resource.ObjectPath(ns, name, subresource), KubernetesJson.Serialize(obj), "application/json", null, cancellationToken).ConfigureAwait(false);
        return await ReadAsync<T>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>PATCH with a body of the given patch type (<c>application/merge-patch+json</c>, <c>application/json-patch+json</c>, ...).</summary>
    public async Task<T> PatchAsync<T>(ApiResource resource, string? ns, string name, string patch, string patchType, string? subresource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        using var response = await SendAsync(HttpMethod.Patch, resource.ObjectPath(ns, name, subresource), patch, patchType, null, cancellationToken).ConfigureAwait(false);
        return await ReadAsync<T>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Server-side apply: PATCH with <c>application/apply-patch+yaml</c> (a JSON body is YAML) as
    /// <paramref name="fieldManager"/>; creates the object when it is missing. <paramref name="force"/> takes over fields
    /// another manager owns instead of failing with 409.
    /// </summary>
    public async Task<T> ApplyAsync<T>(ApiResource resource, string? ns, string name, string body, string fieldManager, bool force, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentException.ThrowIfNullOrEmpty(fieldManager);
        var uri = resource.ObjectPath(ns, name) + "?fieldManager=" + Uri.EscapeDataString(fieldManager) + (force ? "&force=true" : "");
        using var response = await SendAsync(HttpMethod.Patch, uri, body, "application/apply-patch+yaml", null, cancellationToken).ConfigureAwait(false);
        return await ReadAsync<T>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>DELETE, with preconditions and a propagation policy when <paramref name="options"/> gives them.</summary>
    public async Task DeleteAsync(ApiResource resource, string? ns, string name, V1DeleteOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var body = options is null ? null : KubernetesJson.Serialize(options);
        using var response = await SendAsync(HttpMethod.Delete, resource.ObjectPath(ns, name), body, "application/json", null, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            return KubernetesJson.Deserialize<T>(stream);
        }
    }

    private static string Query(ListRequest r, bool watch)
    {
        var q = new StringBuilder();
        void Add(string key, string? value)
        {
            if (value is null)
            {
                return;
            }
            q.Append(q.Length == 0 ? '?' : '&').Append(key).Append('=').Append(Uri.EscapeDataString(value));
        }
        if (watch)
        {
            Add("watch", "true");
            Add("allowWatchBookmarks", r.AllowWatchBookmarks ? "true" : null);
            Add("timeoutSeconds", r.WatchTimeout is { } t ? ((long)Math.Max(1, t.TotalSeconds)).ToString(CultureInfo.InvariantCulture) : null);
        }
        Add("labelSelector", string.IsNullOrEmpty(r.LabelSelector) ? null : r.LabelSelector);
        Add("fieldSelector", string.IsNullOrEmpty(r.FieldSelector) ? null : r.FieldSelector);
        Add("resourceVersion", r.ResourceVersion.Length == 0 ? null : r.ResourceVersion);
        Add("limit", r.Limit?.ToString(CultureInfo.InvariantCulture));
        Add("continue", string.IsNullOrEmpty(r.Continue) ? null : r.Continue);
        return q.ToString();
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string pathAndQuery, string? body, string? contentType, string? accept,
        CancellationToken cancellationToken)
    {
        var baseUri = _client.BaseUri.AbsoluteUri.EndsWith('/') ? _client.BaseUri : new Uri(_client.BaseUri.AbsoluteUri + "/");
        using var request = new HttpRequestMessage(method, new Uri(baseUri, pathAndQuery.TrimStart('/')))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        request.Headers.Accept.ParseAdd(accept ?? "application/json");
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType ?? "application/json");
        }
        if (_client.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken).ConfigureAwait(false);
        }
        var response = await _client.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }
        using (response)
        {
            var content = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new HttpOperationException($"{method} {pathAndQuery} returned {(int)response.StatusCode} {response.StatusCode}: {content}")
            {
                // The request body is left out: it may be a Secret.
                Request = new HttpRequestMessageWrapper(request, ""),
                Response = new HttpResponseMessageWrapper(response, content),
            };
        }
    }
}
