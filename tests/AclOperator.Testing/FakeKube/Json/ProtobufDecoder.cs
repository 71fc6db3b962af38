using System.Text;
using System.Text.Json.Nodes;

namespace AclOperator.Testing.FakeKube.Json;

/// <summary>
/// Decodes the Kubernetes protobuf envelope ("k8s\0" + runtime.Unknown) for the few built-in kinds kubectl's
/// imperative commands send as protobuf (kubectl create configmap/secret/namespace/serviceaccount), using the field
/// numbers of k8s.io/api/core/v1/generated.proto and k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto.
/// </summary>
internal static class ProtobufDecoder
{
    private enum Kind
    {
        String,
        Bytes,
        Bool,
        Int,
        Message,
        StringMap,
        BytesMap,
        Time,
    }

    private sealed record Field(string Name, Kind Kind, bool Repeated = false, Dictionary<int, Field>? Message = null);

    private static readonly Dictionary<int, Field> OwnerReference = new()
    {
        [1] = new("kind", Kind.String),
        [3] = new("name", Kind.String),
        [4] = new("uid", Kind.String),
        [5] = new("apiVersion", Kind.String),
        [6] = new("controller", Kind.Bool),
        [7] = new("blockOwnerDeletion", Kind.Bool),
    };

    private static readonly Dictionary<int, Field> ObjectMeta = new()
    {
        [1] = new("name", Kind.String),
        [2] = new("generateName", Kind.String),
        [3] = new("namespace", Kind.String),
        [5] = new("uid", Kind.String),
        [6] = new("resourceVersion", Kind.String),
        [7] = new("generation", Kind.Int),
        [8] = new("creationTimestamp", Kind.Time),
        [11] = new("labels", Kind.StringMap),
        [12] = new("annotations", Kind.StringMap),
        [13] = new("ownerReferences", Kind.Message, Repeated: true, OwnerReference),
        [14] = new("finalizers", Kind.String, Repeated: true),
    };

    private static readonly Dictionary<int, Field> LocalObjectReference = new() { [1] = new("name", Kind.String) };

    private static readonly Dictionary<(string ApiVersion, string Kind), Dictionary<int, Field>> Kinds = new()
    {
        [("v1", "ConfigMap")] = new()
        {
            [1] = new("metadata", Kind.Message, Message: ObjectMeta),
            [2] = new("data", Kind.StringMap),
            [3] = new("binaryData", Kind.BytesMap),
            [4] = new("immutable", Kind.Bool),
        },
        [("v1", "Secret")] = new()
        {
            [1] = new("metadata", Kind.Message, Message: ObjectMeta),
            [2] = new("data", Kind.BytesMap),
            [3] = new("type", Kind.String),
            [4] = new("stringData", Kind.StringMap),
            [5] = new("immutable", Kind.Bool),
        },
        [("v1", "Namespace")] = new()
        {
            [1] = new("metadata", Kind.Message, Message: ObjectMeta),
            [2] = new("spec", Kind.Message, Message: new() { [1] = new("finalizers", Kind.String, Repeated: true) }),
        },
        [("v1", "ServiceAccount")] = new()
        {
            [1] = new("metadata", Kind.Message, Message: ObjectMeta),
            [3] = new("imagePullSecrets", Kind.Message, Repeated: true, LocalObjectReference),
            [4] = new("automountServiceAccountToken", Kind.Bool),
        },
    };

    private static readonly byte[] Magic = [(byte)'k', (byte)'8', (byte)'s', 0];

    /// <summary>The object as JSON, or null when the envelope or kind is not one this decoder knows.</summary>
    public static JsonObject? Decode(ReadOnlySpan<byte> body)
    {
        if (!body.StartsWith(Magic))
        {
            return null;
        }
        var envelope = body[Magic.Length..];
        string? apiVersion = null;
        string? kind = null;
        ReadOnlySpan<byte> raw = default;
        var pos = 0;
        while (pos < envelope.Length)
        {
            var (number, wire) = Tag(envelope, ref pos);
            if (number == 1 && wire == 2)
            {
                var typeMeta = Length(envelope, ref pos);
                var p = 0;
                while (p < typeMeta.Length)
                {
                    var (n, w) = Tag(typeMeta, ref p);
                    var s = w == 2 ? Encoding.UTF8.GetString(Length(typeMeta, ref p)) : null;
                    if (n == 1)
                    {
                        apiVersion = s;
                    }
                    else if (n == 2)
                    {
                        kind = s;
                    }
                }
            }
            else if (number == 2 && wire == 2)
            {
                raw = Length(envelope, ref pos);
            }
            else
            {
                Skip(envelope, ref pos, wire);
            }
        }
        if (apiVersion is null || kind is null || !Kinds.TryGetValue((apiVersion, kind), out var fields))
        {
            return null;
        }
        var obj = Message(raw, fields);
        obj["apiVersion"] = apiVersion;
        obj["kind"] = kind;
        return obj;
    }

    private static JsonObject Message(ReadOnlySpan<byte> data, Dictionary<int, Field> fields)
    {
        var obj = new JsonObject();
        var pos = 0;
        while (pos < data.Length)
        {
            var (number, wire) = Tag(data, ref pos);
            if (!fields.TryGetValue(number, out var f))
            {
                Skip(data, ref pos, wire);
                continue;
            }
            JsonNode? value;
            switch (f.Kind)
            {
                case Kind.String:
                    value = Encoding.UTF8.GetString(Length(data, ref pos));
                    break;
                case Kind.Bytes:
                    value = Convert.ToBase64String(Length(data, ref pos));
                    break;
                case Kind.Bool:
                    value = Varint(data, ref pos) != 0;
                    break;
                case Kind.Int:
                    value = (long)Varint(data, ref pos);
                    break;
                case Kind.Time:
                    {
                        var t = Length(data, ref pos);
                        long seconds = 0;
                        var p = 0;
                        while (p < t.Length)
                        {
                            var (n, w) = Tag(t, ref p);
                            if (n == 1 && w == 0)
                            {
                                seconds = (long)Varint(t, ref p);
                            }
                            else
                            {
                                Skip(t, ref p, w);
                            }
                        }
                        value = seconds == 0 ? null : JsonTools.Timestamp(DateTimeOffset.FromUnixTimeSeconds(seconds));
                        break;
                    }
                case Kind.StringMap or Kind.BytesMap:
                    {
                        var entry = Length(data, ref pos);
                        string key = "";
                        JsonNode? v = "";
                        var p = 0;
                        while (p < entry.Length)
                        {
                            var (n, _) = Tag(entry, ref p);
                            var bytes = Length(entry, ref p);
                            if (n == 1)
                            {
                                key = Encoding.UTF8.GetString(bytes);
                            }
                            else if (n == 2)
                            {
                                v = f.Kind == Kind.StringMap ? Encoding.UTF8.GetString(bytes) : Convert.ToBase64String(bytes);
                            }
                        }
                        if (obj[f.Name] is not JsonObject map)
                        {
                            map = new JsonObject();
                            obj[f.Name] = map;
                        }
                        map[key] = v;
                        continue;
                    }
                default:
                    value = Message(Length(data, ref pos), f.Message!);
                    break;
            }
            if (f.Repeated)
            {
                if (obj[f.Name] is not JsonArray list)
                {
                    list = [];
                    obj[f.Name] = list;
                }
                list.Add(value);
            }
            else if (value is not null && !(f.Kind == Kind.String && value.GetValue<string>().Length == 0))
            {
                // gogo-protobuf writes empty strings that JSON would omit (omitempty).
                obj[f.Name] = value;
            }
        }
        return obj;
    }

    private static (int Number, int Wire) Tag(ReadOnlySpan<byte> data, ref int pos)
    {
        var tag = Varint(data, ref pos);
        return ((int)(tag >> 3), (int)(tag & 7));
    }

    private static ulong Varint(ReadOnlySpan<byte> data, ref int pos)
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = data[pos++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }
        throw new FormatException("varint too long");
    }

    private static ReadOnlySpan<byte> Length(ReadOnlySpan<byte> data, scoped ref int pos)
    {
        var length = (int)Varint(data, ref pos);
        var slice = data.Slice(pos, length);
        pos += length;
        return slice;
    }

    private static void Skip(ReadOnlySpan<byte> data, ref int pos, int wire)
    {
        switch (wire)
        {
            case 0:
                Varint(data, ref pos);
                break;
            case 1:
                pos += 8;
                break;
            case 2:
                Length(data, ref pos);
                break;
            case 5:
                pos += 4;
                break;
            default:
                throw new FormatException($"unsupported wire type {wire}");
        }
    }
}
