namespace AclOperator.Server.Admin;

/// <summary>How one client request ended, for <c>aclop_commands_total{result}</c>.</summary>
internal enum CommandResult
{
    /// <summary>Sent to the backend (plain forwards, tracked commands such as SELECT, an EXEC that ran commands there).</summary>
    Forwarded,

    /// <summary>Answered by the front end (AUTH, HELLO, ACL, CLIENT, CONFIG, INFO, QUEUED inside MULTI, ...).</summary>
    Local,

    /// <summary>Refused by the ACL (NOPERM: command, key or channel).</summary>
    Denied,

    /// <summary>Refused before the ACL: unknown command, arity, NOAUTH, protocol error, MULTI and RESP2 pub/sub rules.</summary>
    Rejected,
}
