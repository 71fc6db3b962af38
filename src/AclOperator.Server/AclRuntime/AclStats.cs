namespace AclOperator.Server.AclRuntime;

/// <summary>INFO stats counters <c>acl_access_denied_*</c>; every denial counts, even when the log is off.</summary>
public sealed class AclStats
{
    private long _auth;
    private long _cmd;
    private long _key;
    private long _channel;

    public long DeniedAuth => Interlocked.Read(ref _auth);

    public long DeniedCommand => Interlocked.Read(ref _cmd);

    public long DeniedKey => Interlocked.Read(ref _key);

    public long DeniedChannel => Interlocked.Read(ref _channel);

    public void CountAuth() => Interlocked.Increment(ref _auth);

    public void CountCommand() => Interlocked.Increment(ref _cmd);

    public void CountKey() => Interlocked.Increment(ref _key);

    public void CountChannel() => Interlocked.Increment(ref _channel);

    /// <summary>CONFIG RESETSTAT.</summary>
    public void Reset()
    {
        Interlocked.Exchange(ref _auth, 0);
        Interlocked.Exchange(ref _cmd, 0);
        Interlocked.Exchange(ref _key, 0);
        Interlocked.Exchange(ref _channel, 0);
    }
}
