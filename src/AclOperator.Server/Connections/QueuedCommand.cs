using AclOperator.Acl.Commands;
using AclOperator.Acl.Evaluation;

namespace AclOperator.Server.Connections;

/// <summary>A command queued inside MULTI: its own copy of argv (the receive buffer is reused).</summary>
internal sealed class QueuedCommand
{
    private readonly byte[] _buffer;
    private readonly ArgRange[] _ranges;

    public QueuedCommand(RedisCommand command, CommandArgs argv)
    {
        Command = command;
        int total = 0;
        for (int i = 0; i < argv.Count; i++)
        {
            total += argv[i].Length;
        }

        _buffer = new byte[total];
        _ranges = new ArgRange[argv.Count];
        int off = 0;
        for (int i = 0; i < argv.Count; i++)
        {
            argv[i].CopyTo(_buffer.AsSpan(off));
            _ranges[i] = new ArgRange(off, argv[i].Length);
            off += argv[i].Length;
        }
    }

    public RedisCommand Command { get; }

    public CommandArgs Args => new(_buffer, _ranges);

    /// <summary>Bytes held, for CLIENT LIST multi-mem and the query buffer limit.</summary>
    public int Size => _buffer.Length;
}
