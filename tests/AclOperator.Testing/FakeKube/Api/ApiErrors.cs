using System.Text.Json.Nodes;
using AclOperator.Testing.FakeKube.Resources;

namespace AclOperator.Testing.FakeKube.Api;

/// <summary>
/// The error constructors of k8s.io/apimachinery/pkg/api/errors, with the same messages, reasons and details.
/// </summary>
internal static class ApiErrors
{
    private static JsonObject Details(ResourceType type, string name)
    {
        var d = new JsonObject { ["name"] = name };
        if (type.Group.Length > 0)
        {
            d["group"] = type.Group;
        }
        d["kind"] = type.Plural;
        return d;
    }

    public static ApiException NotFound(ResourceType type, string name) =>
        new(404, "NotFound", $"{type.GroupResource} \"{name}\" not found", Details(type, name));

    public static ApiException NotFound(string groupResource, string group, string plural, string name)
    {
        var d = new JsonObject { ["name"] = name };
        if (group.Length > 0)
        {
            d["group"] = group;
        }
        d["kind"] = plural;
        return new(404, "NotFound", $"{groupResource} \"{name}\" not found", d);
    }

    public static ApiException AlreadyExists(ResourceType type, string name) =>
        new(409, "AlreadyExists", $"{type.GroupResource} \"{name}\" already exists", Details(type, name));

    public static ApiException Conflict(ResourceType type, string name, string reason) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {type.GroupResource} \"{name}\": {reason}", Details(type, name));

    public const string ObjectModified = "the object has been modified; please apply your changes to the latest version and try again";

    public static ApiException Invalid(ResourceType type, string name, IReadOnlyList<FieldError> errors)
    {
        var causes = new JsonArray();
        foreach (var e in errors)
        {
            causes.Add(new JsonObject { ["reason"] = e.Type, ["message"] = e.ErrorBody(), ["field"] = e.Field });
        }
        var details = new JsonObject { ["name"] = name };
        if (type.Group.Length > 0)
        {
            details["group"] = type.Group;
        }
        details["kind"] = type.Kind;
        details["causes"] = causes;
        var aggregate = errors.Count switch
        {
            0 => "",
            1 => ": " + errors[0],
            _ => ": [" + string.Join(", ", errors.Select(e => e.ToString())) + "]",
        };
        return new(422, "Invalid", $"{type.QualifiedKind} \"{name}\" is invalid{aggregate}", details);
    }

    public static ApiException BadRequest(string message) => new(400, "BadRequest", message);

    public static ApiException MethodNotSupported(ResourceType type, string verb) =>
        new(405, "MethodNotAllowed", $"{verb} is not supported on resources of kind \"{type.GroupResource}\"",
            new JsonObject { ["group"] = type.Group, ["kind"] = type.Plural });

    public static ApiException Expired(string message) => new(410, "Expired", message);

    public static ApiException Gone(string message) => new(410, "Gone", message);

    public static ApiException Internal(string message) =>
        new(500, "InternalError", $"Internal error occurred: {message}",
            new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["message"] = message }) });

    public static ApiException Forbidden(ResourceType type, string name, string message) =>
        new(403, "Forbidden", $"{type.GroupResource} \"{name}\" is forbidden: {message}", Details(type, name));

    public static ApiException UnsupportedMediaType(string message) => new(415, "UnsupportedMediaType", message);

    public static ApiException NotAcceptable(string message) => new(406, "NotAcceptable", message);

    public static ApiException RouteNotFound() =>
        new(404, "NotFound", "the server could not find the requested resource", new JsonObject());

    public static ApiException ApplyConflict(JsonArray causes, string message) =>
        new(409, "Conflict", message, new JsonObject { ["causes"] = causes });
}
