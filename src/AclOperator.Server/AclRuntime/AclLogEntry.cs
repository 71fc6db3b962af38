namespace AclOperator.Server.AclRuntime;

/// <summary>One ACL LOG entry (Redis's <c>ACLLogEntry</c>); mutable only under the log's lock.</summary>
public sealed class AclLogEntry
{
    internal AclLogEntry(string reason, string context, string obj, string username, string clientInfo, long nowMs, long entryId)
    {
        Reason = reason;
        Context = context;
        Object = obj;
        Username = username;
        ClientInfo = clientInfo;
        Count = 1;
        EntryId = entryId;
        TimestampCreated = nowMs;
        TimestampLastUpdated = nowMs;
    }

    public long Count { get; internal set; }

    /// <summary><c>command</c>, <c>key</c>, <c>channel</c> or <c>auth</c>.</summary>
    public string Reason { get; }

    /// <summary><c>toplevel</c>, <c>multi</c>, <c>lua</c> or <c>module</c>.</summary>
    public string Context { get; }

    /// <summary>The denied command's full name, the key or channel, or for auth argv[0] as typed (byte-string).</summary>
    public string Object { get; }

    public string Username { get; }

    /// <summary>CLIENT LIST line of the latest client that triggered the entry.</summary>
    public string ClientInfo { get; internal set; }

    public long EntryId { get; }

    public long TimestampCreated { get; }

    public long TimestampLastUpdated { get; internal set; }

    internal AclLogEntry Snapshot() => (AclLogEntry)MemberwiseClone();
}
