using System.Text.Json.Nodes;

namespace AclOperator.Testing.FakeKube.Storage;

/// <summary>One committed change: the object after it (for DELETED the last state, at the delete's revision) and before it.</summary>
internal sealed record StoreEvent(long ResourceVersion, string Type, string StorageKey, string Namespace, string Name,
    JsonObject Object, JsonObject? Previous)
{
    public const string Added = "ADDED";
    public const string Modified = "MODIFIED";
    public const string Deleted = "DELETED";
}
