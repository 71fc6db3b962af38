using System.Globalization;
using System.Text.Json;
using k8s.Autorest;

namespace AclOperator.Api.Snapshots;

/// <summary>
/// One-line causes of Kubernetes API failures for logs and client replies: the status code, the Status reason and
/// the API server's own message (which names the object and, for 403, the missing permission). Request bodies are
/// never included: they may be Secrets.
/// </summary>
public static class KubernetesErrorText
{
    /// <summary>Whether <paramref name="e"/> is a failure to reach or use the API (as opposed to a bug).</summary>
    public static bool IsApiFailure(Exception e) =>
        e is HttpOperationException or HttpRequestException or IOException or k8s.KubernetesException ||
        (e is TaskCanceledException or TimeoutException);

    /// <summary>E.g. <c>Kubernetes API error 503 ServiceUnavailable: the server is currently unable to handle the request</c>.</summary>
    public static string Describe(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        switch (e)
        {
            case HttpOperationException { Response: { } response }:
                int code = (int)response.StatusCode;
                var (reason, message) = StatusOf(response.Content);
                reason ??= response.StatusCode.ToString();
                return message is null
                    ? string.Create(CultureInfo.InvariantCulture, $"Kubernetes API error {code} {reason}")
                    : string.Create(CultureInfo.InvariantCulture, $"Kubernetes API error {code} {reason}: {message}");
            case HttpRequestException:
            case IOException:
                return "Kubernetes API unreachable: " + (e.InnerException?.Message ?? e.Message);
            case TaskCanceledException or TimeoutException:
                return "Kubernetes API timed out";
            default:
                return "Kubernetes API error: " + e.Message;
        }
    }

    private static (string? Reason, string? Message) StatusOf(string? body)
    {
        if (string.IsNullOrEmpty(body) || body[0] != '{')
        {
            return (null, null);
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            string? reason = root.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
            string? message = root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            return (string.IsNullOrEmpty(reason) ? null : reason, string.IsNullOrEmpty(message) ? null : message);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }
}
