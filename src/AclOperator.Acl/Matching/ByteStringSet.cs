namespace AclOperator.Acl.Matching;

/// <summary>
/// An immutable open-addressing hash set of byte strings, queried with a span and no allocation. The hash is
/// FNV-1a, computed incrementally so a caller walking a key once gets the hash of every prefix
/// (<see cref="GlobPatternSet"/>). Only administrators fill the set (ACL patterns), so queried text cannot build
/// collision chains: probe lengths are fixed when the ACL is loaded.
/// </summary>
internal sealed class ByteStringSet
{
    public const uint Seed = 2166136261;
    private const uint Prime = 16777619;

    private readonly byte[]?[] _slots;
    private readonly uint[] _hashes;
    private readonly uint _mask;

    public ByteStringSet(IEnumerable<byte[]> items)
    {
        var distinct = new List<byte[]>(items);
        int size = 4;
        while (size < distinct.Count * 2)
        {
            size <<= 1;
        }

        _slots = new byte[size][];
        _hashes = new uint[size];
        _mask = (uint)size - 1;
        foreach (var item in distinct)
        {
            Add(item);
        }
    }

    public int Count { get; private set; }

    /// <summary>One FNV-1a step.</summary>
    public static uint Step(uint hash, byte b) => (hash ^ b) * Prime;

    public static uint Hash(ReadOnlySpan<byte> value)
    {
        uint h = Seed;
        foreach (byte b in value)
        {
            h = Step(h, b);
        }

        return h;
    }

    private void Add(byte[] item)
    {
        uint h = Hash(item);
        uint i = h & _mask;
        while (_slots[i] is { } existing)
        {
            if (_hashes[i] == h && existing.AsSpan().SequenceEqual(item))
            {
                return;
            }

            i = (i + 1) & _mask;
        }

        _slots[i] = item;
        _hashes[i] = h;
        Count++;
    }

    public bool Contains(ReadOnlySpan<byte> value) => Count != 0 && Contains(value, Hash(value));

    /// <summary>Membership test with the value's <see cref="Hash"/> already computed.</summary>
    public bool Contains(ReadOnlySpan<byte> value, uint hash)
    {
        uint i = hash & _mask;
        while (_slots[i] is { } existing)
        {
            if (_hashes[i] == hash && value.SequenceEqual(existing))
            {
                return true;
            }

            i = (i + 1) & _mask;
        }

        return false;
    }
}
