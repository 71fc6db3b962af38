namespace AclOperator.Acl.Evaluation;

/// <summary>Position of one argument inside a <see cref="CommandArgs"/> buffer.</summary>
/// <param name="Offset">Start offset in the buffer.</param>
/// <param name="Length">Length in bytes.</param>
public readonly record struct ArgRange(int Offset, int Length);

/// <summary>
/// A zero-copy view of one command's argv: the bytes of every argument live in one buffer (typically the
/// server's receive buffer) and <see cref="ArgRange"/>s locate them. argv[0] is the command name.
/// </summary>
public readonly ref struct CommandArgs
{
    private readonly ReadOnlySpan<byte> _buffer;
    private readonly ReadOnlySpan<ArgRange> _ranges;

    public CommandArgs(ReadOnlySpan<byte> buffer, ReadOnlySpan<ArgRange> ranges)
    {
        _buffer = buffer;
        _ranges = ranges;
    }

    /// <summary>argc.</summary>
    public int Count => _ranges.Length;

    /// <summary>The bytes of argv[index].</summary>
    public ReadOnlySpan<byte> this[int index]
    {
        get
        {
            var r = _ranges[index];
            return _buffer.Slice(r.Offset, r.Length);
        }
    }

    /// <summary>True when argv[index] equals the ASCII <paramref name="upperKeyword"/> case-insensitively.</summary>
    public bool EqualsIgnoreCase(int index, ReadOnlySpan<byte> upperKeyword) =>
        System.Text.Ascii.EqualsIgnoreCase(this[index], upperKeyword);

    /// <summary>The same argv without its first <paramref name="count"/> arguments.</summary>
    public CommandArgs Skip(int count) => new(_buffer, _ranges[count..]);
}
