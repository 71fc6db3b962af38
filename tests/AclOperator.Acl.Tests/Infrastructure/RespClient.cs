using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace AclOperator.Acl.Tests.Infrastructure;

/// <summary>The kind of a RESP reply (RESP2 and RESP3).</summary>
public enum RespReplyType
{
    /// <summary><c>+text</c></summary>
    SimpleString,
    /// <summary><c>-ERR text</c></summary>
    Error,
    /// <summary><c>:n</c></summary>
    Integer,
    /// <summary><c>$n</c> bulk string.</summary>
    BulkString,
    /// <summary><c>*n</c></summary>
    Array,
    /// <summary>RESP2 <c>$-1</c>.</summary>
    NullBulkString,
    /// <summary>RESP2 <c>*-1</c>.</summary>
    NullArray,
    /// <summary>RESP3 <c>_</c>.</summary>
    Null,
    /// <summary>RESP3 <c>,</c> (Text holds the wire form).</summary>
    Double,
    /// <summary>RESP3 <c>#t</c> / <c>#f</c> (Integer is 1 or 0).</summary>
    Boolean,
    /// <summary>RESP3 <c>(</c> (Text holds the digits).</summary>
    BigNumber,
    /// <summary>RESP3 <c>!n</c> blob error.</summary>
    BlobError,
    /// <summary>RESP3 <c>=n</c> (Text has the <c>xxx:</c> format prefix removed; Format holds it).</summary>
    VerbatimString,
    /// <summary>RESP3 <c>%n</c>: Items holds key, value, key, value, ...</summary>
    Map,
    /// <summary>RESP3 <c>~n</c></summary>
    Set,
    /// <summary>RESP3 <c>&gt;n</c> out-of-band push.</summary>
    Push,
}

/// <summary>One parsed RESP reply.</summary>
public sealed class RespReply
{
    private static readonly RespReply[] NoItems = [];

    private RespReply(RespReplyType type, byte[]? bytes, long integer, IReadOnlyList<RespReply> items)
    {
        Type = type;
        Bytes = bytes;
        Integer = integer;
        Items = items;
    }

    public RespReplyType Type { get; }

    /// <summary>Raw payload of strings, errors, doubles and big numbers; null for other types.</summary>
    public byte[]? Bytes { get; }

    /// <summary>UTF-8 decoding of <see cref="Bytes"/> (lossy for binary data), or null.</summary>
    public string? Text => Bytes is null ? null : Encoding.UTF8.GetString(Bytes);

    /// <summary>Value of Integer replies, 1/0 for Boolean, 0 otherwise.</summary>
    public long Integer { get; }

    /// <summary>Children of aggregate replies (Map: flattened key/value pairs); empty otherwise.</summary>
    public IReadOnlyList<RespReply> Items { get; }

    /// <summary>The three-letter format of a verbatim string (for example <c>txt</c>), else null.</summary>
    public string? Format { get; private init; }

    /// <summary>RESP3 attributes (<c>|</c>) that preceded this reply, flattened key/value pairs; null if none.</summary>
    public IReadOnlyList<RespReply>? Attributes { get; internal set; }

    public bool IsNull => Type is RespReplyType.Null or RespReplyType.NullBulkString or RespReplyType.NullArray;

    public bool IsError => Type is RespReplyType.Error or RespReplyType.BlobError;

    /// <summary>True for Array, Set, Push and Map replies.</summary>
    public bool IsAggregate => Type is RespReplyType.Array or RespReplyType.Set or RespReplyType.Push or RespReplyType.Map;

    /// <summary>The reply as a string, throwing if it is an error, null or aggregate.</summary>
    public string GetString()
    {
        ThrowIfError();
        return Text ?? throw new InvalidOperationException($"Expected a string reply, got {this}.");
    }

    /// <summary>Throws <see cref="RespErrorException"/> if this is an error reply.</summary>
    public RespReply ThrowIfError() => IsError ? throw new RespErrorException(Text ?? string.Empty) : this;

    /// <summary>The string items of an aggregate reply.</summary>
    public IReadOnlyList<string> GetStrings()
    {
        ThrowIfError();
        if (!IsAggregate)
        {
            throw new InvalidOperationException($"Expected an aggregate reply, got {this}.");
        }

        return Items.Select(i => i.GetString()).ToList();
    }

    internal static RespReply Scalar(RespReplyType type, byte[]? bytes, long integer = 0) => new(type, bytes, integer, NoItems);

    internal static RespReply Aggregate(RespReplyType type, IReadOnlyList<RespReply> items) => new(type, null, 0, items);

    internal static RespReply Verbatim(string format, byte[] bytes) =>
        new(RespReplyType.VerbatimString, bytes, 0, NoItems) { Format = format };

    /// <summary>A redis-cli like rendering, for assertion messages.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        Render(sb, 0);
        return sb.ToString();
    }

    private void Render(StringBuilder sb, int depth)
    {
        switch (Type)
        {
            case RespReplyType.Integer:
                sb.Append(CultureInfo.InvariantCulture, $"(integer) {Integer}");
                break;
            case RespReplyType.Boolean:
                sb.Append(Integer != 0 ? "(true)" : "(false)");
                break;
            case RespReplyType.Error:
            case RespReplyType.BlobError:
                sb.Append("(error) ").Append(Text);
                break;
            case RespReplyType.NullBulkString:
            case RespReplyType.NullArray:
            case RespReplyType.Null:
                sb.Append("(nil)");
                break;
            case RespReplyType.SimpleString:
            case RespReplyType.Double:
            case RespReplyType.BigNumber:
                sb.Append(Text);
                break;
            case RespReplyType.BulkString:
            case RespReplyType.VerbatimString:
                sb.Append('"');
                foreach (byte b in Bytes!)
                {
                    if (b is (byte)'"' or (byte)'\\')
                    {
                        sb.Append('\\').Append((char)b);
                    }
                    else if (b is >= 0x20 and < 0x7F)
                    {
                        sb.Append((char)b);
                    }
                    else
                    {
                        sb.Append(CultureInfo.InvariantCulture, $"\\x{b:x2}");
                    }
                }

                sb.Append('"');
                break;
            default:
                if (Items.Count == 0)
                {
                    sb.Append(Type == RespReplyType.Map ? "(empty map)" : "(empty array)");
                    break;
                }

                for (int i = 0; i < Items.Count; i++)
                {
                    if (i > 0)
                    {
                        sb.Append('\n').Append(' ', depth * 3);
                    }

                    sb.Append(CultureInfo.InvariantCulture, $"{i + 1}) ");
                    Items[i].Render(sb, depth + 1);
                }

                break;
        }
    }
}

/// <summary>A Redis error reply surfaced as an exception.</summary>
public sealed class RespErrorException : Exception
{
    public RespErrorException()
    {
    }

    public RespErrorException(string message)
        : base(message)
    {
    }

    public RespErrorException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// A minimal raw RESP client for tests: sends argv as a multibulk and reads one reply (RESP2 and RESP3, nested).
/// Calls are serialized, so one instance may be shared; pipelining is supported through <see cref="PipelineAsync(IEnumerable{byte[][]}, CancellationToken)"/>.
/// </summary>
public sealed class RespClient : IAsyncDisposable, IDisposable
{
    private const int MaxDepth = 512;

    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private RespClient(TcpClient tcp)
    {
        _tcp = tcp;
        _tcp.NoDelay = true;
        _stream = tcp.GetStream();
    }

    /// <summary>Per-call time limit (default 30 s).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    public static async Task<RespClient> ConnectAsync(string host, int port, CancellationToken cancellationToken = default)
    {
        var tcp = new TcpClient();
        try
        {
            await tcp.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
            return new RespClient(tcp);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>Sends one command (arguments encoded as UTF-8) and reads its reply.</summary>
    public Task<RespReply> CallAsync(params string[] argv) =>
        CallAsync(argv.Select(a => Encoding.UTF8.GetBytes(a)).ToArray());

    /// <summary>Sends one command with binary arguments and reads its reply.</summary>
    public Task<RespReply> CallAsync(params byte[][] argv) => CallAsync(argv, CancellationToken.None);

    /// <summary>Sends one command with binary arguments and reads its reply.</summary>
    public async Task<RespReply> CallAsync(IReadOnlyList<byte[]> argv, CancellationToken cancellationToken)
    {
        IReadOnlyList<RespReply> replies = await PipelineAsync([argv], cancellationToken).ConfigureAwait(false);
        return replies[0];
    }

    /// <summary>Sends several commands in one write and reads their replies in order.</summary>
    public Task<IReadOnlyList<RespReply>> PipelineAsync(IEnumerable<string[]> commands, CancellationToken cancellationToken = default) =>
        PipelineAsync(commands.Select(c => (IReadOnlyList<byte[]>)c.Select(a => Encoding.UTF8.GetBytes(a)).ToArray()), cancellationToken);

    /// <summary>Sends several commands in one write and reads their replies in order.</summary>
    public Task<IReadOnlyList<RespReply>> PipelineAsync(IEnumerable<byte[][]> commands, CancellationToken cancellationToken = default) =>
        PipelineAsync(commands.Select(c => (IReadOnlyList<byte[]>)c), cancellationToken);

    /// <summary>Sends several commands in one write and reads their replies in order.</summary>
    public async Task<IReadOnlyList<RespReply>> PipelineAsync(
        IEnumerable<IReadOnlyList<byte[]>> commands, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(commands);
        using var payload = new MemoryStream();
        int count = 0;
        foreach (IReadOnlyList<byte[]> argv in commands)
        {
            if (argv.Count == 0)
            {
                throw new ArgumentException("A command needs at least one argument.", nameof(commands));
            }

            WriteCommand(payload, argv);
            count++;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        await _gate.WaitAsync(timeout.Token).ConfigureAwait(false);
        try
        {
            await _stream.WriteAsync(payload.GetBuffer().AsMemory(0, (int)payload.Length), timeout.Token).ConfigureAwait(false);
            var replies = new RespReply[count];
            for (int i = 0; i < count; i++)
            {
                replies[i] = await ReadReplyAsync(0, timeout.Token).ConfigureAwait(false);
            }

            return replies;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Reads one more reply without sending anything (for example a RESP3 push after SUBSCRIBE).</summary>
    public async Task<RespReply> ReadReplyAsync(CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        await _gate.WaitAsync(timeout.Token).ConfigureAwait(false);
        try
        {
            return await ReadReplyAsync(0, timeout.Token).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Sends raw bytes as they are (for inline commands or malformed-input tests).</summary>
    public async Task SendRawAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        await _gate.WaitAsync(timeout.Token).ConfigureAwait(false);
        try
        {
            await _stream.WriteAsync(bytes, timeout.Token).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync().ConfigureAwait(false);
        Dispose();
    }

    public void Dispose()
    {
        _stream.Dispose();
        _tcp.Dispose();
        _gate.Dispose();
    }

    private static void WriteCommand(MemoryStream payload, IReadOnlyList<byte[]> argv)
    {
        WriteHeader(payload, (byte)'*', argv.Count);
        foreach (byte[] arg in argv)
        {
            ArgumentNullException.ThrowIfNull(arg);
            WriteHeader(payload, (byte)'$', arg.Length);
            payload.Write(arg);
            payload.Write("\r\n"u8);
        }
    }

    private static void WriteHeader(MemoryStream payload, byte prefix, int value)
    {
        payload.WriteByte(prefix);
        payload.Write(Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture)));
        payload.Write("\r\n"u8);
    }

    private async Task<RespReply> ReadReplyAsync(int depth, CancellationToken cancellationToken)
    {
        if (depth > MaxDepth)
        {
            throw new InvalidDataException("RESP reply nested too deeply.");
        }

        byte[] line = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
        if (line.Length == 0)
        {
            throw new InvalidDataException("Empty RESP header line.");
        }

        byte prefix = line[0];
        byte[] rest = line[1..];
        switch (prefix)
        {
            case (byte)'+':
                return RespReply.Scalar(RespReplyType.SimpleString, rest);
            case (byte)'-':
                return RespReply.Scalar(RespReplyType.Error, rest);
            case (byte)':':
                return RespReply.Scalar(RespReplyType.Integer, null, ParseInteger(rest));
            case (byte)',':
                return RespReply.Scalar(RespReplyType.Double, rest);
            case (byte)'(':
                return RespReply.Scalar(RespReplyType.BigNumber, rest);
            case (byte)'_':
                return RespReply.Scalar(RespReplyType.Null, null);
            case (byte)'#':
                return rest is [(byte)'t'] or [(byte)'f']
                    ? RespReply.Scalar(RespReplyType.Boolean, null, rest[0] == (byte)'t' ? 1 : 0)
                    : throw new InvalidDataException($"Bad RESP boolean '{Encoding.ASCII.GetString(rest)}'.");
            case (byte)'$':
            case (byte)'!':
            case (byte)'=':
            {
                long length = ParseInteger(rest);
                if (length < 0)
                {
                    return prefix == (byte)'$'
                        ? RespReply.Scalar(RespReplyType.NullBulkString, null)
                        : throw new InvalidDataException("Negative RESP3 blob length.");
                }

                byte[] payload = await ReadBulkAsync(checked((int)length), cancellationToken).ConfigureAwait(false);
                if (prefix == (byte)'$')
                {
                    return RespReply.Scalar(RespReplyType.BulkString, payload);
                }

                if (prefix == (byte)'!')
                {
                    return RespReply.Scalar(RespReplyType.BlobError, payload);
                }

                return payload.Length >= 4 && payload[3] == (byte)':'
                    ? RespReply.Verbatim(Encoding.ASCII.GetString(payload, 0, 3), payload[4..])
                    : throw new InvalidDataException("Bad RESP3 verbatim string.");
            }

            case (byte)'*':
            case (byte)'~':
            case (byte)'>':
            case (byte)'%':
            case (byte)'|':
            {
                long count = ParseInteger(rest);
                if (count < 0)
                {
                    return prefix == (byte)'*'
                        ? RespReply.Scalar(RespReplyType.NullArray, null)
                        : throw new InvalidDataException("Negative RESP3 aggregate length.");
                }

                long elements = prefix is (byte)'%' or (byte)'|' ? count * 2 : count;
                var items = new List<RespReply>((int)Math.Min(elements, 4096));
                for (long i = 0; i < elements; i++)
                {
                    items.Add(await ReadReplyAsync(depth + 1, cancellationToken).ConfigureAwait(false));
                }

                if (prefix == (byte)'|')
                {
                    // Attributes decorate the reply that follows.
                    RespReply decorated = await ReadReplyAsync(depth, cancellationToken).ConfigureAwait(false);
                    decorated.Attributes = items;
                    return decorated;
                }

                RespReplyType type = prefix switch
                {
                    (byte)'*' => RespReplyType.Array,
                    (byte)'~' => RespReplyType.Set,
                    (byte)'>' => RespReplyType.Push,
                    _ => RespReplyType.Map,
                };
                return RespReply.Aggregate(type, items);
            }

            default:
                throw new InvalidDataException($"Unknown RESP type byte 0x{prefix:x2} in line '{Encoding.ASCII.GetString(line)}'.");
        }
    }

    private static long ParseInteger(byte[] digits) =>
        long.TryParse(Encoding.ASCII.GetString(digits), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value)
            ? value
            : throw new InvalidDataException($"Bad RESP integer '{Encoding.ASCII.GetString(digits)}'.");

    private async Task<byte[]> ReadLineAsync(CancellationToken cancellationToken)
    {
        using var line = new MemoryStream();
        while (true)
        {
            int index = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8);
            if (index >= 0)
            {
                line.Write(_buffer, _start, index);
                _start += index + 2;
                return line.ToArray();
            }

            // Keep a trailing '\r' in the buffer: its '\n' may arrive with the next read.
            int keep = _end > _start && _buffer[_end - 1] == (byte)'\r' ? 1 : 0;
            line.Write(_buffer, _start, _end - _start - keep);
            _start = _end - keep;
            await FillAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<byte[]> ReadBulkAsync(int length, CancellationToken cancellationToken)
    {
        byte[] result = new byte[length];
        int copied = 0;
        while (copied < length)
        {
            if (_start == _end)
            {
                await FillAsync(cancellationToken).ConfigureAwait(false);
            }

            int n = Math.Min(length - copied, _end - _start);
            Array.Copy(_buffer, _start, result, copied, n);
            _start += n;
            copied += n;
        }

        byte[] crlf = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
        return crlf.Length == 0 ? result : throw new InvalidDataException("Bulk string not followed by CRLF.");
    }

    /// <summary>Reads more bytes from the socket, compacting the buffer first.</summary>
    private async Task FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            throw new InvalidDataException("RESP line longer than the read buffer.");
        }

        int read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            throw new EndOfStreamException("The server closed the connection.");
        }

        _end += read;
    }
}
