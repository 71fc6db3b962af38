namespace AclOperator.Server.Connections;

/// <summary>Content equality for byte arrays (subscription sets).</summary>
internal sealed class ByteArrayComparer : IEqualityComparer<byte[]>
{
    public static ByteArrayComparer Instance { get; } = new();

    public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

    public int GetHashCode(byte[] obj)
    {
        var hc = default(HashCode);
        hc.AddBytes(obj);
        return hc.ToHashCode();
    }
}
