using System.Text.Json.Nodes;

namespace AclOperator.Testing.FakeKube.Api;

/// <summary>An API error answered as a metav1.Status body with the given HTTP code.</summary>
internal sealed class ApiException : Exception
{
    public ApiException(int code, string reason, string message, JsonObject? details = null)
        : base(message)
    {
        Code = code;
        Reason = reason;
        Details = details;
    }

    public ApiException()
        : this(500, "InternalError", "internal error")
    {
    }

    public ApiException(string message)
        : this(500, "InternalError", message)
    {
    }

    public ApiException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = 500;
        Reason = "InternalError";
    }

    public int Code { get; }

    public string Reason { get; } = "InternalError";

    public JsonObject? Details { get; }

    /// <summary>The metav1.Status body of this error.</summary>
    public JsonObject ToStatus() => StatusBody(Code, Reason, Message, Details);

    public static JsonObject StatusBody(int code, string reason, string message, JsonObject? details)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
        };
        if (reason.Length > 0)
        {
            status["reason"] = reason;
        }
        if (details is not null)
        {
            status["details"] = details.DeepClone();
        }
        status["code"] = code;
        return status;
    }
}
