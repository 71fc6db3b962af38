namespace AclOperator.Acl.Matching;

/// <summary>
/// An immutable open-addressing hash set of byte strings, queried with a span and no allocation. Hashes are
/// randomised per process (<see cref="HashCode"/>), so crafted key names cannot degrade lookups.
/// </summary>
internal sealed class ByteStringSet
{
    private readonly byte[]?[] _slots;
    private readonly int[] _hashes;
    private readonly int _mask;

    public ByteStringSet(IEnumerable<byte[]> items)
    {
        var distinct = new List<byte[]>();
        foreach (var i in items)
        {
            distinct.Add(i);
        }

        int size = 4;
        while (size < distinct.Count * 2)
        {
            size <<= 1;
        }

        _slots = new byte[size][];
        _hashes = new int[size];
        _mask = size - 1;
        foreach (var item in distinct)
        {
            Add(item);
        }
    }

    public int Count { get; private set; }

    private void Add(byte[] item)
    {
        int h = Hash(item);
        int i = h & _mask;
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

    public bool Contains(ReadOnlySpan<byte> value)
    {
        if (Count == 0)
        {
            return false;
        }

        int h = Hash(value);
        int i = h & _mask;
        while (_slots[i] is { } existing)
        {
            if (_hashes[i] == h && value.SequenceEqual(existing))
            {
                return true;
            }

            i = (i + 1) & _mask;
        }

        return false;
    }

    private static int Hash(ReadOnlySpan<byte> value)
    {
        var hc = default(HashCode);
        hc.AddBytes(value);
        return hc.ToHashCode();
    }
}
