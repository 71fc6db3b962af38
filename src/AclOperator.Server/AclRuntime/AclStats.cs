namespace AclOperator.Server.AclRuntime;

/// <summary>
/// INFO stats counters <c>acl_access_denied_*</c>; every denial counts, even when the log is off. The counts never go
/// down: CONFIG RESETSTAT moves a baseline, so INFO shows counts since the reset and metrics the totals since start.
/// </summary>
public sealed class AclStats
{
    private long _auth;
    private long _cmd;
    private long _key;
    private long _channel;
    private long _authBase;
    private long _cmdBase;
    private long _keyBase;
    private long _channelBase;

    public long DeniedAuth => SinceReset(ref _auth, ref _authBase);

    public long DeniedCommand => SinceReset(ref _cmd, ref _cmdBase);

    public long DeniedKey => SinceReset(ref _key, ref _keyBase);

    public long DeniedChannel => SinceReset(ref _channel, ref _channelBase);

    /// <summary>Denied authentications since start (metrics; not reset by CONFIG RESETSTAT).</summary>
    public long TotalDeniedAuth => Interlocked.Read(ref _auth);

    public long TotalDeniedCommand => Interlocked.Read(ref _cmd);

    public long TotalDeniedKey => Interlocked.Read(ref _key);

    public long TotalDeniedChannel => Interlocked.Read(ref _channel);

    public void CountAuth() => Interlocked.Increment(ref _auth);

    public void CountCommand() => Interlocked.Increment(ref _cmd);

    public void CountKey() => Interlocked.Increment(ref _key);

    public void CountChannel() => Interlocked.Increment(ref _channel);

    /// <summary>CONFIG RESETSTAT.</summary>
    public void Reset()
    {
        Interlocked.Exchange(ref _authBase, Interlocked.Read(ref _auth));
        Interlocked.Exchange(ref _cmdBase, Interlocked.Read(ref _cmd));
        Interlocked.Exchange(ref _keyBase, Interlocked.Read(ref _key));
        Interlocked.Exchange(ref _channelBase, Interlocked.Read(ref _channel));
    }

    // The baseline is read first: it only ever takes earlier values of the total, so the difference is never negative.
    private static long SinceReset(ref long total, ref long baseline)
    {
        long b = Interlocked.Read(ref baseline);
        return Interlocked.Read(ref total) - b;
    }
}
