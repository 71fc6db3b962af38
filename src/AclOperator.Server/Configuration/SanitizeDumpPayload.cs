namespace AclOperator.Server.Configuration;

/// <summary><c>sanitize-dump-payload</c>: deep checks of RESTORE payloads.</summary>
public enum SanitizeDumpPayload
{
    No,
    Yes,

    /// <summary>Only for clients without the <c>skip-sanitize-payload</c> ACL flag.</summary>
    Clients,
}
