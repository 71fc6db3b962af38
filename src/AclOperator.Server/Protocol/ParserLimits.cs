namespace AclOperator.Server.Protocol;

/// <summary>Request-parsing limits; defaults are Redis 7.4's.</summary>
public sealed record ParserLimits
{
    /// <summary>The Redis defaults.</summary>
    public static ParserLimits Default { get; } = new();

    /// <summary>PROTO_INLINE_MAX_SIZE: longest inline line, and longest unterminated multibulk/bulk count line.</summary>
    public const int InlineMaxSize = 64 * 1024;

    /// <summary>Before authentication: most arguments in a multibulk request (Redis: <c>ll &gt; 10</c> fails).</summary>
    public const int UnauthenticatedMaxArgs = 10;

    /// <summary>Before authentication: longest bulk argument (Redis: <c>ll &gt; 16384</c> fails).</summary>
    public const int UnauthenticatedMaxBulkLength = 16384;

    /// <summary>proto-max-bulk-len (default 512 MB).</summary>
    public long MaxBulkLength { get; init; } = 512L * 1024 * 1024;

    /// <summary>
    /// Largest whole request frame we buffer (Redis closes a client whose query buffer passes client-query-buffer-limit,
    /// default 1 GB). Capped at <see cref="Array.MaxLength"/> because argv must be contiguous.
    /// </summary>
    public int MaxFrameLength { get; init; } = 1024 * 1024 * 1024;

    /// <summary>
    /// True (default, requirement E1 "fail closed"): a bulk not followed by CRLF, or a count line whose CR is not
    /// followed by LF, is a protocol error. Redis 7.4 itself never looks at those two bytes (it skips them); false
    /// reproduces that, and such frames are then reported with an empty <see cref="Request.Frame"/> so the caller
    /// re-encodes them instead of forwarding the raw bytes.
    /// </summary>
    public bool StrictCrlf { get; init; } = true;
}
