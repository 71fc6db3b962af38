using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AclOperator.Testing.FakeKube.Json;

namespace AclOperator.Testing.FakeKube.Api;

/// <summary>
/// One validation error, formatted like k8s.io/apimachinery/pkg/util/validation/field.Error
/// (ErrorBody: "&lt;type text&gt;: &lt;value&gt;: &lt;detail&gt;").
/// </summary>
internal sealed record FieldError(string Type, string Field, FieldErrorValue Value, string Detail)
{
    public const string Required = "FieldValueRequired";
    public const string Invalid = "FieldValueInvalid";
    public const string TypeInvalid = "FieldValueTypeInvalid";
    public const string NotSupported = "FieldValueNotSupported";
    public const string Forbidden = "FieldValueForbidden";
    public const string TooLong = "FieldValueTooLong";
    public const string TooMany = "FieldValueTooMany";
    public const string Duplicate = "FieldValueDuplicate";

    public static FieldError RequiredValue(string field, string detail = "") => new(Required, field, FieldErrorValue.Omitted, detail);

    public static FieldError InvalidValue(string field, JsonNode? value, string detail) => new(Invalid, field, FieldErrorValue.Of(value), detail);

    public static FieldError InvalidString(string field, string value, string detail) => new(Invalid, field, FieldErrorValue.Of(JsonValue.Create(value)), detail);

    public static FieldError ForbiddenField(string field, string detail) => new(Forbidden, field, FieldErrorValue.Omitted, detail);

    public static FieldError Unsupported(string field, JsonNode? value, IEnumerable<string> supported) =>
        new(NotSupported, field, FieldErrorValue.Of(value), "supported values: " + string.Join(", ", supported.Select(JsonTools.Quote)));

    public static FieldError TooLongValue(string field, int max) =>
        new(TooLong, field, FieldErrorValue.Omitted, max >= 0 ? $"may not be longer than {max}" : "value is too long");

    public static FieldError TooLongBytes(string field, int max) =>
        new(TooLong, field, FieldErrorValue.Omitted, $"must have at most {max} bytes");

    public static FieldError TooManyItems(string field, int actual, int max) =>
        new(TooMany, field, FieldErrorValue.Raw(actual.ToString(CultureInfo.InvariantCulture)), $"must have at most {max} items");

    public static FieldError DuplicateValue(string field, JsonNode? value) => new(Duplicate, field, FieldErrorValue.Of(value), "");

    private static string TypeText(string type) => type switch
    {
        Required => "Required value",
        Forbidden => "Forbidden",
        TooLong => "Too long",
        TooMany => "Too many",
        NotSupported => "Unsupported value",
        Duplicate => "Duplicate value",
        _ => "Invalid value",
    };

    public string ErrorBody()
    {
        var s = TypeText(Type);
        if (Type is not (Required or Forbidden or TooLong) && Value.Text is not null)
        {
            s += ": " + Value.Text;
        }
        if (Detail.Length > 0)
        {
            s += ": " + Detail;
        }
        return s;
    }

    public override string ToString() => Field.Length > 0 ? Field + ": " + ErrorBody() : ErrorBody();
}

/// <summary>The bad value of a field error as Go's %v/%q would print it; null text means "omitted".</summary>
internal readonly record struct FieldErrorValue(string? Text)
{
    public static FieldErrorValue Omitted => new(null);

    public static FieldErrorValue Raw(string text) => new(text);

    public static FieldErrorValue Of(JsonNode? value) => new(value switch
    {
        null => "null",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => JsonTools.Quote(v.GetValue<string>()),
        JsonValue v => JsonTools.ScalarText(v),
        _ => GoLiteral(value),
    });

    // Go prints composite values with %#v (e.g. map[string]interface {}{"a":"b"}); close enough for messages.
    private static string GoLiteral(JsonNode? value) => value switch
    {
        null => "interface {}(nil)",
        JsonObject o => "map[string]interface {}{" + string.Join(", ", o.Select(p => JsonTools.Quote(p.Key) + ":" + GoLiteral(p.Value))) + "}",
        JsonArray a => "[]interface {}{" + string.Join(", ", a.Select(GoLiteral)) + "}",
        _ => Of(value).Text ?? "",
    };
}
