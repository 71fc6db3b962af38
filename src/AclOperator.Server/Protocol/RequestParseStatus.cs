namespace AclOperator.Server.Protocol;

/// <summary>Outcome of <see cref="RequestParser.TryParse"/>.</summary>
public enum RequestParseStatus
{
    /// <summary>More bytes are needed; nothing usable was produced. Advance the pipe to <c>consumedTo</c> (empty
    /// requests before the partial frame are consumed) and mark everything examined.</summary>
    Incomplete,

    /// <summary>One request was parsed into the <see cref="Request"/>; advance to <c>consumedTo</c> after using it.</summary>
    Complete,

    /// <summary>Protocol error: reply <c>-ERR &lt;error&gt;</c>, then close the connection (as Redis's
    /// <c>setProtocolError</c>). Requests completed before this one in the same buffer are still executed.</summary>
    Error,

    /// <summary>argv[0] is <c>POST</c> or <c>Host:</c> (any case): Redis's cross-protocol-scripting guard. Send
    /// nothing, log "Possible SECURITY ATTACK detected…" (at most once a minute) and close the connection.
    /// The <see cref="Request"/> holds the parsed argv.</summary>
    SecurityWarning,

    /// <summary>The frame would exceed <see cref="ParserLimits.MaxFrameLength"/> (Redis's
    /// client-query-buffer-limit): close the connection without a reply, as Redis does.</summary>
    TooLarge,
}
