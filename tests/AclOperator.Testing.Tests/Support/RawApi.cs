using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AclOperator.Testing.FakeKube;

namespace AclOperator.Testing.Tests.Support;

/// <summary>Plain HTTP against the fake, for assertions on exact status codes, Status bodies and headers.</summary>
internal sealed class RawApi : IDisposable
{
    private readonly HttpClient _http;

    public RawApi(FakeKubeServer server) => _http = new HttpClient { BaseAddress = server.BaseAddress };

    public async Task<RawResponse> SendAsync(HttpMethod method, string path, string? body = null,
        string contentType = "application/json", string? accept = null)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }
        using var response = await _http.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var headers = response.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        foreach (var h in response.Content.Headers)
        {
            headers[h.Key] = string.Join(",", h.Value);
        }
        return new RawResponse((int)response.StatusCode, text, headers);
    }

    public Task<RawResponse> GetAsync(string path, string? accept = null) => SendAsync(HttpMethod.Get, path, accept: accept);

    public Task<RawResponse> PostAsync(string path, string body) => SendAsync(HttpMethod.Post, path, body);

    public Task<RawResponse> PutAsync(string path, string body) => SendAsync(HttpMethod.Put, path, body);

    public Task<RawResponse> PatchAsync(string path, string body, string contentType) => SendAsync(HttpMethod.Patch, path, body, contentType);

    public Task<RawResponse> DeleteAsync(string path, string? body = null) => SendAsync(HttpMethod.Delete, path, body);

    public void Dispose() => _http.Dispose();
}

internal sealed record RawResponse(int Status, string Text, IReadOnlyDictionary<string, string> Headers)
{
    public JsonObject Json => (JsonObject)JsonNode.Parse(Text)!;

    public string? Str(params string[] path)
    {
        JsonNode? cur = Json;
        foreach (var p in path)
        {
            cur = cur is JsonObject o ? o[p] : null;
        }
        return cur?.ToString();
    }
}
