namespace AclOperator.Server.Hosting;

/// <summary>CLIENT PAUSE / UNPAUSE, implemented in the front end (E9): commands wait before they run.</summary>
internal sealed class ClientPause
{
    private long _untilMs;
    private volatile bool _all;

    public void PauseFor(long untilMs, bool all)
    {
        // A new pause never shortens a longer one; ALL wins over WRITE while both are active (as Redis).
        if (untilMs > Interlocked.Read(ref _untilMs))
        {
            Interlocked.Exchange(ref _untilMs, untilMs);
        }

        _all = _all || all;
    }

    public void Unpause()
    {
        Interlocked.Exchange(ref _untilMs, 0);
        _all = false;
    }

    /// <summary>Milliseconds to wait before a command of this kind may run (0 = run now).</summary>
    public long WaitMs(long nowMs, bool isWrite)
    {
        long until = Interlocked.Read(ref _untilMs);
        if (until <= nowMs)
        {
            if (until != 0)
            {
                Unpause();
            }

            return 0;
        }

        return _all || isWrite ? until - nowMs : 0;
    }
}
