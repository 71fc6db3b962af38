using System.Buffers;
using AclOperator.Acl.Evaluation;

namespace AclOperator.Server.Protocol;

/// <summary>
/// One parsed client request, reused for every request of a connection (no per-command allocation). Filled by
/// <see cref="RequestParser.TryParse"/>; its contents are valid until the next <c>TryParse</c> with this instance
/// or, when <see cref="Data"/> points into the input, until the caller advances its pipe past the request.
/// </summary>
/// <remarks>
/// Also holds the resumable state of a partly received frame, so a large frame arriving in many reads is parsed
/// in linear time (a pending bulk of known length costs O(1) per read). Pass the same instance with input that
/// starts where the previous <see cref="RequestParseStatus.Incomplete"/> left off; any other input restarts.
/// </remarks>
public sealed class Request : IDisposable, AclOperator.Acl.Rules.IArgRangeSink
{
    /// <summary>Buffers above this size are returned to the pool when the next request starts (E14: idle connections stay small).</summary>
    internal const int RetainBufferBytes = 32 * 1024;

    private const int RetainRanges = 1024;

    private ArgRange[] _ranges = [];
    private byte[]? _owned;

    // ---- Resumable state (offsets are relative to the frame's first byte). ----
    internal bool InProgress;        // a frame was started and not finished
    internal bool IsMultibulk;       // frame type decided by its first byte
    internal bool CountRead;         // multibulk count line parsed
    internal int Pending;            // bulks still expected
    internal long BulkLength = -1;   // length of the bulk whose header was read, -1 when none
    internal int Position;           // next unparsed byte
    internal bool Canonical = true;  // frame bytes are exactly what a strict encoder writes
    internal bool Staged;            // frame bytes are being copied into _owned
    internal int StagedLength;       // bytes of the frame copied into _owned
    internal long NeedHint = -1;     // frame-relative length needed to progress, -1 when unknown
    internal SequencePosition ResumeStart;
    internal long ResumeLength;

    /// <summary>Contiguous bytes the <see cref="ArgRange"/>s index.</summary>
    public ReadOnlyMemory<byte> Data { get; private set; }

    /// <summary>The exact multibulk frame bytes (from <c>*</c> to the final CRLF) when the request was a canonical
    /// multibulk frame, so it can be forwarded verbatim; empty for inline requests and non-canonical frames.</summary>
    public ReadOnlyMemory<byte> Frame { get; private set; }

    /// <summary>True when the request came in the inline protocol.</summary>
    public bool IsInline { get; private set; }

    /// <summary>argc.</summary>
    public int Count { get; internal set; }

    /// <summary>Total bytes the request occupied in the input.</summary>
    public int FrameLength { get; private set; }

    /// <summary>argv as a zero-copy view.</summary>
    public CommandArgs Args => new(Data.Span, _ranges.AsSpan(0, Count));

    /// <summary>The argument ranges inside <see cref="Data"/>.</summary>
    public ReadOnlySpan<ArgRange> Ranges => _ranges.AsSpan(0, Count);

    /// <summary>Forgets any partial frame and returns oversized buffers to the pool.</summary>
    public void Reset()
    {
        InProgress = false;
        IsMultibulk = false;
        CountRead = false;
        Pending = 0;
        BulkLength = -1;
        Position = 0;
        Canonical = true;
        Staged = false;
        StagedLength = 0;
        NeedHint = -1;
        ResumeStart = default;
        ResumeLength = 0;
        Count = 0;
        Data = default;
        Frame = default;
        IsInline = false;
        FrameLength = 0;
        if (_owned is { Length: > RetainBufferBytes })
        {
            ArrayPool<byte>.Shared.Return(_owned);
            _owned = null;
        }

        if (_ranges.Length > RetainRanges)
        {
            ArrayPool<ArgRange>.Shared.Return(_ranges);
            _ranges = [];
        }
    }

    /// <summary>Returns every pooled buffer (e.g. when the connection goes idle or closes).</summary>
    public void ReleaseBuffers()
    {
        Reset();
        if (_owned is not null)
        {
            ArrayPool<byte>.Shared.Return(_owned);
            _owned = null;
        }

        if (_ranges.Length > 0)
        {
            ArrayPool<ArgRange>.Shared.Return(_ranges);
            _ranges = [];
        }
    }

    /// <inheritdoc />
    public void Dispose() => ReleaseBuffers();

    void AclOperator.Acl.Rules.IArgRangeSink.Add(int offset, int length) => AddRange(offset, length);

    internal void AddRange(int offset, int length)
    {
        if (Count == _ranges.Length)
        {
            var bigger = ArrayPool<ArgRange>.Shared.Rent(Math.Max(16, _ranges.Length * 2));
            _ranges.AsSpan(0, Count).CopyTo(bigger);
            if (_ranges.Length > 0)
            {
                ArrayPool<ArgRange>.Shared.Return(_ranges);
            }

            _ranges = bigger;
        }

        _ranges[Count++] = new ArgRange(offset, length);
    }

    /// <summary>The owned buffer with at least <paramref name="size"/> bytes, keeping its first <paramref name="keep"/> bytes.</summary>
    internal byte[] EnsureOwned(int size, int keep)
    {
        if (_owned is null || _owned.Length < size)
        {
            int grow = _owned is null ? size : (int)Math.Min(Math.Max(size, (long)_owned.Length * 2), Array.MaxLength);
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(grow, 256));
            if (_owned is not null)
            {
                _owned.AsSpan(0, keep).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(_owned);
            }

            _owned = bigger;
        }

        return _owned;
    }

    internal byte[] Owned => _owned!;

    internal void Complete(ReadOnlyMemory<byte> data, int frameLength, bool inline)
    {
        Data = data;
        FrameLength = frameLength;
        IsInline = inline;
        Frame = !inline && Canonical ? data[..frameLength] : default;
        InProgress = false;
        Staged = false;
        ResumeStart = default;
    }

    /// <summary>Starts a new frame (keeps buffers unless oversized).</summary>
    internal void Begin()
    {
        Reset();
        InProgress = true;
    }
}
