using AclOperator.Acl.Evaluation;
using System.Buffers;

namespace AclOperator.Server.Protocol;

/// <summary>
/// Allocation-free incremental framer for the backend's RESP2/RESP3 reply stream (requirement E6). It finds where
/// each top-level frame ends without buffering it: header lines must be whole, but bulk payloads are consumed
/// piecemeal, so a 512 MB value is forwarded as it streams (<see cref="BytesToSkip"/> says how many payload bytes can be
/// passed on blindly). Nesting is tracked with one counter of elements still expected, so depth is unbounded.
/// Attributes (<c>|</c>) are reported together with the frame they annotate; pushes (<c>&gt;</c>) are reported as
/// <see cref="RespFrameKind.Push"/> so the caller gives them no reply slot.
/// </summary>
public sealed class RespReplyScanner
{
    private State _state;

    /// <summary>True between the first byte of a frame and its end.</summary>
    public bool InFrame => _state.Started;

    /// <summary>Kind of the current (or just completed) frame; <see cref="RespFrameKind.None"/> while only attributes were seen.</summary>
    public RespFrameKind Kind => _state.Kind;

    /// <summary>True when the current (or just completed) frame was preceded by a top-level attribute.</summary>
    public bool HasAttribute => _state.HasAttribute;

    /// <summary>Payload bytes (including the final CRLF) of a bulk being skipped that can be consumed without looking.</summary>
    public long BytesToSkip => _state.BulkRemaining;

    /// <summary>Forgets any partial frame.</summary>
    public void Reset() => _state = default;

    /// <summary>
    /// Consumes bytes of the current frame from <paramref name="input"/>. On <see cref="RespScanStatus.Complete"/> the
    /// frame ends at <c>input[consumed - 1]</c> and the next call starts a new frame; on NeedMore the caller keeps
    /// <c>input[consumed..]</c> (a partial header line) and calls again with it plus new bytes.
    /// </summary>
    public RespScanStatus Scan(ReadOnlySpan<byte> input, out int consumed) => ScanCore(ref _state, input, out consumed);

    /// <summary>As <see cref="Scan(ReadOnlySpan{byte}, out int)"/> over a multi-segment buffer; header lines split across
    /// segments are handled.</summary>
    public RespScanStatus Scan(ReadOnlySequence<byte> input, out long consumed)
    {
        consumed = 0;
        var position = input.Start;
        Span<byte> small = stackalloc byte[256];
        while (true)
        {
            var rest = input.Slice(position);
            if (rest.IsEmpty)
            {
                return RespScanStatus.NeedMore;
            }

            var span = rest.FirstSpan;
            var status = ScanCore(ref _state, span, out int used);
            consumed += used;
            if (status != RespScanStatus.NeedMore)
            {
                return status;
            }

            if (used == span.Length)
            {
                position = rest.GetPosition(used);
                continue;
            }

            // A header line crosses a segment boundary: linearize just that line.
            var tail = rest.Slice(used);
            var nl = tail.PositionOf((byte)'\n');
            if (nl is null)
            {
                return RespScanStatus.NeedMore;
            }

            long lineLength = tail.Slice(0, nl.Value).Length + 1;
            if (lineLength > int.MaxValue / 2)
            {
                return RespScanStatus.Invalid;
            }

            int len = (int)lineLength;
            byte[]? rented = null;
            Span<byte> line = len <= small.Length ? small : (rented = ArrayPool<byte>.Shared.Rent(len));
            try
            {
                tail.Slice(0, len).CopyTo(line);
                status = ScanCore(ref _state, line[..len], out int lineUsed);
                consumed += lineUsed;
                if (status != RespScanStatus.NeedMore)
                {
                    return status;
                }
            }
            finally
            {
                if (rented is not null)
                {
                    ArrayPool<byte>.Shared.Return(rented);
                }
            }

            position = tail.GetPosition(len);
        }
    }

    /// <summary>True when a whole frame is at the start of <paramref name="input"/>; <paramref name="length"/> is its size.</summary>
    public static bool TryReadFrame(ReadOnlySpan<byte> input, out int length, out RespFrameKind kind) =>
        TryReadFrame(input, out length, out kind, out _);

    /// <inheritdoc cref="TryReadFrame(ReadOnlySpan{byte}, out int, out RespFrameKind)"/>
    public static bool TryReadFrame(ReadOnlySpan<byte> input, out int length, out RespFrameKind kind, out bool hasAttribute)
    {
        var state = default(State);
        var status = ScanCore(ref state, input, out length);
        kind = state.Kind;
        hasAttribute = state.HasAttribute;
        if (status == RespScanStatus.Complete)
        {
            return true;
        }

        length = 0;
        return false;
    }

    /// <summary>Whether <paramref name="frame"/> is exactly <c>+text\r\n</c> (e.g. <c>OK</c>, <c>QUEUED</c>).</summary>
    public static bool IsSimpleString(ReadOnlySpan<byte> frame, ReadOnlySpan<byte> text) =>
        frame.Length == text.Length + 3 && frame[0] == (byte)'+' && frame.Slice(1, text.Length).SequenceEqual(text)
        && frame[^2] == (byte)'\r' && frame[^1] == (byte)'\n';

    /// <summary>Whether <paramref name="frame"/> is an error reply (<c>-</c> or <c>!</c>).</summary>
    public static bool IsError(ReadOnlySpan<byte> frame) => !frame.IsEmpty && frame[0] is (byte)'-' or (byte)'!';

    /// <summary>The text of a <c>+</c> or <c>-</c> line (without type byte and CRLF).</summary>
    public static bool TryReadSimpleLine(ReadOnlySpan<byte> frame, out ReadOnlySpan<byte> text)
    {
        text = default;
        if (frame.Length < 3 || frame[0] is not ((byte)'+' or (byte)'-'))
        {
            return false;
        }

        int nl = frame.IndexOf("\r\n"u8);
        if (nl < 1)
        {
            return false;
        }

        text = frame[1..nl];
        return true;
    }

    /// <summary>The value of <c>:n\r\n</c>.</summary>
    public static bool TryReadInteger(ReadOnlySpan<byte> frame, out long value)
    {
        value = 0;
        return frame.Length >= 4 && frame[0] == (byte)':' && TryLine(frame, out var body, out _)
            && RedisInteger.TryParse(body, out value);
    }

    /// <summary>
    /// The header of an aggregate: <c>*n</c> / <c>~n</c> / <c>&gt;n</c> (count n elements), <c>%n</c> (count 2n elements),
    /// or a null aggregate (<c>*-1</c>, <c>_</c>: kind Null, count -1). <paramref name="headerLength"/> bytes precede the elements,
    /// which can then be read one by one with <see cref="TryReadFrame(ReadOnlySpan{byte}, out int, out RespFrameKind)"/>.
    /// </summary>
    public static bool TryReadAggregateHeader(ReadOnlySpan<byte> frame, out RespFrameKind kind, out long count, out int headerLength)
    {
        kind = RespFrameKind.None;
        count = 0;
        headerLength = 0;
        if (frame.IsEmpty || !TryLine(frame, out var body, out headerLength))
        {
            return false;
        }

        switch (frame[0])
        {
            case (byte)'_':
                kind = RespFrameKind.Null;
                count = -1;
                return body.IsEmpty;
            case (byte)'*':
                kind = RespFrameKind.Array;
                break;
            case (byte)'~':
                kind = RespFrameKind.Set;
                break;
            case (byte)'>':
                kind = RespFrameKind.Push;
                break;
            case (byte)'%':
                kind = RespFrameKind.Map;
                break;
            default:
                return false;
        }

        if (!RedisInteger.TryParse(body, out long n) || n < -1 || n > int.MaxValue)
        {
            return false;
        }

        if (n == -1)
        {
            kind = RespFrameKind.Null;
            count = -1;
            return true;
        }

        count = kind == RespFrameKind.Map ? 2 * n : n;
        return true;
    }

    /// <summary>The payload of <c>$len\r\n...\r\n</c> (or <c>=</c> / <c>!</c>); <paramref name="isNull"/> for <c>$-1</c> / <c>_</c>.</summary>
    public static bool TryReadBulkString(ReadOnlySpan<byte> frame, out ReadOnlySpan<byte> value, out bool isNull)
    {
        value = default;
        isNull = false;
        if (frame.IsEmpty || !TryLine(frame, out var body, out int header))
        {
            return false;
        }

        if (frame[0] == (byte)'_')
        {
            isNull = true;
            return body.IsEmpty;
        }

        if (frame[0] is not ((byte)'$' or (byte)'=' or (byte)'!') || !RedisInteger.TryParse(body, out long len) || len < -1)
        {
            return false;
        }

        if (len == -1)
        {
            isNull = true;
            return true;
        }

        if (frame.Length - header < len + 2)
        {
            return false;
        }

        value = frame.Slice(header, (int)len);
        return true;
    }

    private static bool TryLine(ReadOnlySpan<byte> frame, out ReadOnlySpan<byte> body, out int lineLength)
    {
        body = default;
        lineLength = 0;
        int nl = frame.IndexOf((byte)'\n');
        if (nl < 1 || frame[nl - 1] != (byte)'\r')
        {
            return false;
        }

        body = frame[1..(nl - 1)];
        lineLength = nl + 1;
        return true;
    }

    private struct State
    {
        public bool Started;
        public long Pending;        // elements still expected in the current top-level frame
        public long TopLevelAt;     // value of Pending at which the next header is the top-level element
        public long BulkRemaining;  // payload + CRLF bytes of the bulk being skipped
        public RespFrameKind Kind;
        public bool HasAttribute;
    }

    private static RespScanStatus ScanCore(ref State s, ReadOnlySpan<byte> input, out int consumed)
    {
        int p = 0;
        consumed = 0;
        if (!s.Started)
        {
            if (input.IsEmpty)
            {
                return RespScanStatus.NeedMore;
            }

            s = new State { Started = true, Pending = 1, TopLevelAt = 1 };
        }

        while (true)
        {
            if (s.BulkRemaining > 0)
            {
                int take = (int)Math.Min(s.BulkRemaining, input.Length - p);
                p += take;
                s.BulkRemaining -= take;
                if (s.BulkRemaining > 0)
                {
                    consumed = p;
                    return RespScanStatus.NeedMore;
                }

                if (--s.Pending == 0)
                {
                    return Done(ref s, p, out consumed);
                }

                continue;
            }

            int nl = input[p..].IndexOf((byte)'\n');
            if (nl < 0)
            {
                consumed = p;
                return RespScanStatus.NeedMore;
            }

            var line = input.Slice(p, nl);
            if (line.Length < 2 || line[^1] != (byte)'\r')
            {
                consumed = p;
                return RespScanStatus.Invalid;
            }

            byte type = line[0];
            var body = line[1..^1];
            p += nl + 1;
            bool top = s.Kind == RespFrameKind.None && s.Pending == s.TopLevelAt;
            RespFrameKind kind;
            long n = 0;
            switch (type)
            {
                case (byte)'+': kind = RespFrameKind.SimpleString; break;
                case (byte)'-': kind = RespFrameKind.Error; break;
                case (byte)':': kind = RespFrameKind.Integer; break;
                case (byte)',': kind = RespFrameKind.Double; break;
                case (byte)'#': kind = RespFrameKind.Boolean; break;
                case (byte)'(': kind = RespFrameKind.BigNumber; break;
                case (byte)'_': kind = RespFrameKind.Null; break;
                case (byte)'$': kind = RespFrameKind.BulkString; break;
                case (byte)'=': kind = RespFrameKind.VerbatimString; break;
                case (byte)'!': kind = RespFrameKind.BlobError; break;
                case (byte)'*': kind = RespFrameKind.Array; break;
                case (byte)'%': kind = RespFrameKind.Map; break;
                case (byte)'~': kind = RespFrameKind.Set; break;
                case (byte)'>': kind = RespFrameKind.Push; break;
                case (byte)'|': kind = RespFrameKind.None; break;
                default:
                    consumed = p - nl - 1;
                    return RespScanStatus.Invalid;
            }

            bool counted = type is (byte)'$' or (byte)'=' or (byte)'!' or (byte)'*' or (byte)'%' or (byte)'~' or (byte)'>' or (byte)'|';
            if (counted && (!RedisInteger.TryParse(body, out n) || n < -1 || n > int.MaxValue))
            {
                consumed = p - nl - 1;
                return RespScanStatus.Invalid;
            }

            if (n == -1)
            {
                if (type == (byte)'|')
                {
                    consumed = p - nl - 1;
                    return RespScanStatus.Invalid;
                }

                kind = RespFrameKind.Null;
            }

            if (type == (byte)'|')
            {
                // An attribute annotates the next element and takes no element slot itself.
                if (top)
                {
                    s.HasAttribute = true;
                }

                s.Pending += 2 * n;
                continue;
            }

            if (top)
            {
                s.Kind = kind;
            }

            if (kind == RespFrameKind.Null || !counted)
            {
                s.Pending--;
            }
            else if (type is (byte)'$' or (byte)'=' or (byte)'!')
            {
                s.BulkRemaining = n + 2;
                continue;
            }
            else
            {
                s.Pending += (type == (byte)'%' ? 2 * n : n) - 1;
            }

            if (s.Pending == 0)
            {
                return Done(ref s, p, out consumed);
            }
        }
    }

    private static RespScanStatus Done(ref State s, int p, out int consumed)
    {
        consumed = p;
        s.Started = false;
        s.Pending = 0;
        return RespScanStatus.Complete;
    }
}
