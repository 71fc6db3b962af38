using System.Text;

namespace AclOperator.Acl.Evaluation;

/// <summary>
/// Owns a buffer plus ranges for building a <see cref="CommandArgs"/> from strings or byte arrays. For tools,
/// tests and the rule engine's own DRYRUN; the server builds <see cref="CommandArgs"/> over its receive buffer.
/// </summary>
public sealed class ArgvBuilder
{
    private readonly byte[] _buffer;
    private readonly ArgRange[] _ranges;

    public ArgvBuilder(IReadOnlyList<byte[]> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        int total = 0;
        foreach (var a in args)
        {
            total += a.Length;
        }

        _buffer = new byte[total];
        _ranges = new ArgRange[args.Count];
        int off = 0;
        for (int i = 0; i < args.Count; i++)
        {
            args[i].CopyTo(_buffer, off);
            _ranges[i] = new ArgRange(off, args[i].Length);
            off += args[i].Length;
        }
    }

    /// <summary>Builds argv from strings, UTF-8 encoded.</summary>
    public static ArgvBuilder From(params string[] args) =>
        new(Array.ConvertAll(args, a => Encoding.UTF8.GetBytes(a)));

    public CommandArgs Args => new(_buffer, _ranges);

    public int Count => _ranges.Length;
}
