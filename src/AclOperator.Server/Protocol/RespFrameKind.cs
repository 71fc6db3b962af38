namespace AclOperator.Server.Protocol;

/// <summary>The type of a top-level RESP reply frame (after any attribute that precedes it).</summary>
public enum RespFrameKind
{
    None,
    SimpleString,   // +
    Error,          // -
    Integer,        // :
    BulkString,     // $
    Array,          // *
    Map,            // %
    Set,            // ~
    Push,           // >  (out-of-band: no reply slot)
    Double,         // ,
    Boolean,        // #
    Null,           // _  and the RESP2 null forms $-1 / *-1 (also %-1 / ~-1 / >-1)
    BigNumber,      // (
    VerbatimString, // =
    BlobError,      // !
}

/// <summary>Outcome of <see cref="RespReplyScanner.Scan(ReadOnlySpan{byte}, out int)"/>.</summary>
public enum RespScanStatus
{
    /// <summary>Every consumed byte belongs to an unfinished frame; feed the rest (an incomplete line, if any) again with more bytes.</summary>
    NeedMore,

    /// <summary>The frame ended at the last consumed byte.</summary>
    Complete,

    /// <summary>Not valid RESP: the stream is desynchronised; drop the backend session.</summary>
    Invalid,
}
