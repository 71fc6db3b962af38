using System.Net;
using k8s.Autorest;

namespace AclOperator.Operator.Runtime;

/// <summary>Classifies API errors the way <c>k8s.io/apimachinery/pkg/api/errors</c> does (IsConflict, IsNotFound, ...).</summary>
public static class KubernetesErrors
{
    public static HttpStatusCode? StatusOf(Exception exception) =>
        exception is HttpOperationException { Response: { } response } ? response.StatusCode : null;

    public static bool IsConflict(Exception exception) => StatusOf(exception) == HttpStatusCode.Conflict;

    public static bool IsNotFound(Exception exception) => StatusOf(exception) == HttpStatusCode.NotFound;

    public static bool IsAlreadyExists(Exception exception) =>
        IsConflict(exception) && exception is HttpOperationException { Response.Content: { } body } &&
        body.Contains("\"reason\":\"AlreadyExists\"", StringComparison.Ordinal);

    /// <summary>410 Gone: the requested resourceVersion (or continue token) is older than the server's history.</summary>
    public static bool IsGone(Exception exception) => StatusOf(exception) == HttpStatusCode.Gone;
}
