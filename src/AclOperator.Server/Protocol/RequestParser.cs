using AclOperator.Acl.Evaluation;
using System.Buffers;

namespace AclOperator.Server.Protocol;

/// <summary>
/// Incremental parser of client requests, as strict as Redis 7.4's <c>processMultibulkBuffer</c> /
/// <c>processInlineBuffer</c> (networking.c) and with the same error texts (requirement E1, E14). Stateless apart
/// from its limits: partial-frame state lives in the <see cref="Request"/>, so one parser can serve every connection.
/// </summary>
/// <remarks>
/// <para>Error texts are returned WITHOUT the <c>ERR </c> prefix (exactly the string Redis passes to addReplyError);
/// the caller writes <c>-ERR &lt;text&gt;\r\n</c> and closes the connection after flushing the replies of the
/// requests parsed before.</para>
/// <para>Empty requests (<c>*0</c>, <c>*-1</c>, any <c>*-n</c>, an empty or blank inline line) are consumed and skipped
/// silently, as Redis does: they never surface to the caller.</para>
/// </remarks>
public sealed class RequestParser
{
    public const string ErrInvalidMultibulkLength = "Protocol error: invalid multibulk length";
    public const string ErrInvalidBulkLength = "Protocol error: invalid bulk length";
    public const string ErrTooBigMbulkCount = "Protocol error: too big mbulk count string";
    public const string ErrTooBigBulkCount = "Protocol error: too big bulk count string";
    public const string ErrUnauthenticatedMultibulk = "Protocol error: unauthenticated multibulk length";
    public const string ErrUnauthenticatedBulk = "Protocol error: unauthenticated bulk length";
    public const string ErrTooBigInline = "Protocol error: too big inline request";
    public const string ErrUnbalancedQuotes = "Protocol error: unbalanced quotes in request";

    /// <summary>The text Redis logs (at most once a minute) before dropping a POST / Host: connection.</summary>
    public const string SecurityWarningLog =
        "Possible SECURITY ATTACK detected. It looks like somebody is sending POST or Host: commands to Redis. " +
        "This is likely due to an attacker attempting to use Cross Protocol Scripting to compromise your Redis instance. " +
        "Connection aborted.";

    private readonly int _maxFrame;

    public RequestParser(ParserLimits? limits = null)
    {
        Limits = limits ?? ParserLimits.Default;
        _maxFrame = Math.Min(Limits.MaxFrameLength, Array.MaxLength);
    }

    public ParserLimits Limits { get; }

    private enum Step
    {
        NeedMore,
        Complete,
        Empty,
        Error,
        TooLarge,
    }

    private enum LineSearch
    {
        Found,
        NeedMore,
        TooBig,
    }

    /// <summary>"Protocol error: expected '$', got 'c'" with CR/LF shown as a space (addReplyErrorFormat).</summary>
    public static string ExpectedDollarError(byte got)
    {
        char c = got is (byte)'\r' or (byte)'\n' ? ' ' : (char)got;
        return string.Concat("Protocol error: expected '$', got '", new ReadOnlySpan<char>(in c), "'");
    }

    /// <summary>
    /// Parses the next request at the start of <paramref name="input"/>.
    /// </summary>
    /// <param name="input">Unconsumed bytes of the connection (typically a PipeReader buffer).</param>
    /// <param name="authenticated">False while Redis's <c>authRequired(c)</c> would be true: enables the pre-auth limits.</param>
    /// <param name="request">Receives argv; also carries a partial frame between calls.</param>
    /// <param name="consumedTo">Where the caller may advance its pipe: after the request on Complete / SecurityWarning,
    /// after skipped empty requests otherwise.</param>
    /// <param name="error">The protocol error text (no "ERR " prefix) on <see cref="RequestParseStatus.Error"/>.</param>
    public RequestParseStatus TryParse(ReadOnlySequence<byte> input, bool authenticated, Request request,
        out SequencePosition consumedTo, out string? error)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!(request.InProgress && input.Start.Equals(request.ResumeStart) && input.Length >= request.ResumeLength))
        {
            request.Begin();
        }

        while (true)
        {
            consumedTo = input.Start;
            if (input.IsEmpty)
            {
                error = null;
                request.ResumeStart = input.Start;
                request.ResumeLength = 0;
                return RequestParseStatus.Incomplete;
            }

            var step = ParseFrame(input, authenticated, request, out int frameLength, out error);
            switch (step)
            {
                case Step.NeedMore:
                    request.ResumeStart = input.Start;
                    request.ResumeLength = input.Length;
                    return RequestParseStatus.Incomplete;
                case Step.Error:
                    request.Reset();
                    return RequestParseStatus.Error;
                case Step.TooLarge:
                    request.Reset();
                    return RequestParseStatus.TooLarge;
                case Step.Empty:
                    input = input.Slice(frameLength);
                    request.Begin();
                    continue;
                default:
                    consumedTo = input.GetPosition(frameLength);
                    return IsSecurityWarning(request)
                        ? RequestParseStatus.SecurityWarning
                        : RequestParseStatus.Complete;
            }
        }
    }

    /// <summary>Redis's processCommand guard: <c>strcasecmp(argv[0], "host:") == 0 || strcasecmp(argv[0], "post") == 0</c>
    /// (C-string compare, so bytes after a NUL are ignored).</summary>
    public static bool IsSecurityWarning(Request request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Count == 0)
        {
            return false;
        }

        var a0 = request.Args[0];
        int nul = a0.IndexOf((byte)0);
        if (nul >= 0)
        {
            a0 = a0[..nul];
        }

        return System.Text.Ascii.EqualsIgnoreCase(a0, "POST"u8) || System.Text.Ascii.EqualsIgnoreCase(a0, "HOST:"u8);
    }

    private Step ParseFrame(in ReadOnlySequence<byte> input, bool auth, Request r, out int frameLength, out string? error)
    {
        Step step;
        if (!r.Staged)
        {
            ReadOnlyMemory<byte> first = input.First;
            step = ParseSpan(first.Span, staged: false, auth, r, out frameLength, out error);
            if (step != Step.NeedMore || first.Length >= input.Length)
            {
                if (step == Step.Complete)
                {
                    if (r.IsMultibulk)
                    {
                        r.Complete(first, frameLength, inline: false);
                    }
                    else
                    {
                        r.Complete(r.Owned, frameLength, inline: true);
                    }
                }

                return step;
            }

            // The frame crosses a segment boundary: copy it (once, incrementally) into the request's pooled buffer.
            // Offsets are frame-relative, so the state parsed so far stays valid.
            r.Staged = true;
            r.StagedLength = 0;
        }

        long available = input.Length;
        while (true)
        {
            frameLength = 0;
            error = null;
            if (r.StagedLength >= available)
            {
                return Step.NeedMore;
            }

            long want = r.NeedHint > r.StagedLength ? r.NeedHint : r.StagedLength + Math.Max(4096, r.StagedLength);
            want = Math.Min(Math.Min(want, available), Array.MaxLength);
            int w = (int)want;
            var buffer = r.EnsureOwned(w, r.StagedLength);
            input.Slice(r.StagedLength, w - r.StagedLength).CopyTo(buffer.AsSpan(r.StagedLength));
            r.StagedLength = w;
            step = ParseSpan(buffer.AsSpan(0, w), staged: true, auth, r, out frameLength, out error);
            if (step == Step.Complete)
            {
                r.Complete(r.Owned, frameLength, inline: !r.IsMultibulk);
            }

            if (step != Step.NeedMore)
            {
                return step;
            }
        }
    }

    private Step ParseSpan(ReadOnlySpan<byte> buf, bool staged, bool auth, Request r, out int frameLength, out string? error)
    {
        frameLength = 0;
        error = null;
        r.NeedHint = -1;
        if (buf.IsEmpty)
        {
            return Step.NeedMore;
        }

        if (buf[0] == (byte)'*')
        {
            r.IsMultibulk = true;
            return ParseMultibulk(buf, auth, r, out frameLength, out error);
        }

        r.IsMultibulk = false;
        return ParseInline(buf, staged, r, out frameLength, out error);
    }

    /// <summary>
    /// Redis finds a count line with <c>strchr(p, '\r')</c>, which also stops at a NUL byte, and needs one byte after
    /// the CR. With no CR, more than PROTO_INLINE_MAX_SIZE pending bytes is an error. The search is bounded to that
    /// size (Redis reads 16 KiB at a time, so it reports the error at that point in practice).
    /// </summary>
    private static LineSearch FindCr(ReadOnlySpan<byte> buf, int start, out int cr)
    {
        var rest = buf[start..];
        int window = Math.Min(rest.Length, ParserLimits.InlineMaxSize + 1);
        int i = rest[..window].IndexOfAny((byte)'\r', (byte)0);
        cr = start + i;
        if (i >= 0 && rest[i] == (byte)'\r')
        {
            return i + 1 < rest.Length ? LineSearch.Found : LineSearch.NeedMore;
        }

        return rest.Length > ParserLimits.InlineMaxSize ? LineSearch.TooBig : LineSearch.NeedMore;
    }

    private Step ParseMultibulk(ReadOnlySpan<byte> buf, bool auth, Request r, out int frameLength, out string? error)
    {
        frameLength = 0;
        error = null;
        int cr;
        if (!r.CountRead)
        {
            switch (FindCr(buf, 0, out cr))
            {
                case LineSearch.NeedMore:
                    return Step.NeedMore;
                case LineSearch.TooBig:
                    error = ErrTooBigMbulkCount;
                    return Step.Error;
            }

            if (!RedisInteger.TryParse(buf[1..cr], out long count) || count > int.MaxValue)
            {
                error = ErrInvalidMultibulkLength;
                return Step.Error;
            }

            if (count > ParserLimits.UnauthenticatedMaxArgs && !auth)
            {
                error = ErrUnauthenticatedMultibulk;
                return Step.Error;
            }

            if (buf[cr + 1] != (byte)'\n')
            {
                if (Limits.StrictCrlf)
                {
                    error = ErrInvalidMultibulkLength;
                    return Step.Error;
                }

                r.Canonical = false;
            }

            r.Position = cr + 2;
            if (count <= 0)
            {
                frameLength = cr + 2;
                return Step.Empty;
            }

            r.CountRead = true;
            r.Pending = (int)count;
            r.BulkLength = -1;
            r.Count = 0;
        }

        while (r.Pending > 0)
        {
            int pos = r.Position;
            if (r.BulkLength < 0)
            {
                switch (FindCr(buf, pos, out cr))
                {
                    case LineSearch.NeedMore:
                        return Step.NeedMore;
                    case LineSearch.TooBig:
                        error = ErrTooBigBulkCount;
                        return Step.Error;
                }

                if (buf[pos] != (byte)'$')
                {
                    error = ExpectedDollarError(buf[pos]);
                    return Step.Error;
                }

                if (!RedisInteger.TryParse(buf[(pos + 1)..cr], out long len) || len < 0 || len > Limits.MaxBulkLength)
                {
                    error = ErrInvalidBulkLength;
                    return Step.Error;
                }

                if (len > ParserLimits.UnauthenticatedMaxBulkLength && !auth)
                {
                    error = ErrUnauthenticatedBulk;
                    return Step.Error;
                }

                if (buf[cr + 1] != (byte)'\n')
                {
                    if (Limits.StrictCrlf)
                    {
                        error = ErrInvalidBulkLength;
                        return Step.Error;
                    }

                    r.Canonical = false;
                }

                pos = cr + 2;
                if (pos + len + 2 > _maxFrame)
                {
                    return Step.TooLarge;
                }

                r.Position = pos;
                r.BulkLength = len;
            }

            long end = pos + r.BulkLength + 2;
            if (buf.Length < end)
            {
                r.NeedHint = end;
                return Step.NeedMore;
            }

            int length = (int)r.BulkLength;
            if (buf[pos + length] != (byte)'\r' || buf[pos + length + 1] != (byte)'\n')
            {
                // Redis 7.4 skips these two bytes unchecked.
                if (Limits.StrictCrlf)
                {
                    error = ErrInvalidBulkLength;
                    return Step.Error;
                }

                r.Canonical = false;
            }

            r.AddRange(pos, length);
            r.Position = (int)end;
            r.BulkLength = -1;
            r.Pending--;
        }

        frameLength = r.Position;
        return Step.Complete;
    }

    private static Step ParseInline(ReadOnlySpan<byte> buf, bool staged, Request r, out int frameLength, out string? error)
    {
        frameLength = 0;
        error = null;

        // strchr(p, '\n'): a NUL before the LF hides it.
        int window = Math.Min(buf.Length, ParserLimits.InlineMaxSize + 1);
        int nl = buf[..window].IndexOfAny((byte)'\n', (byte)0);
        if (nl < 0 || buf[nl] == 0)
        {
            if (buf.Length > ParserLimits.InlineMaxSize)
            {
                error = ErrTooBigInline;
                return Step.Error;
            }

            return Step.NeedMore;
        }

        int lineLength = nl > 0 && buf[nl - 1] == (byte)'\r' ? nl - 1 : nl;
        byte[] owned;
        if (staged)
        {
            owned = r.Owned;
        }
        else
        {
            owned = r.EnsureOwned(lineLength, 0);
            buf[..lineLength].CopyTo(owned);
        }

        r.Count = 0;
        if (!AclOperator.Acl.Rules.SdsSplitArgs.SplitInPlace(owned.AsSpan(0, lineLength), ref r))
        {
            error = ErrUnbalancedQuotes;
            return Step.Error;
        }

        frameLength = nl + 1;
        return r.Count == 0 ? Step.Empty : Step.Complete;
    }
}
