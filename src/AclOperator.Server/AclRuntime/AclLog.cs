namespace AclOperator.Server.AclRuntime;

/// <summary>
/// The ACL LOG (spec §8.1): newest first, events merged into one of the 10 newest entries with the same reason,
/// context, object and user within 60 s (the merged entry moves to the head), trimmed to <c>acllog-max-len</c>.
/// With a max length of 0 nothing is recorded and the entry id does not advance (7.4). Thread-safe.
/// </summary>
public sealed class AclLog
{
    private const long GroupingMaxDeltaMs = 60_000;
    private const int MergeScan = 10;

    private readonly LinkedList<AclLogEntry> _entries = new();
    private readonly Lock _lock = new();
    private long _nextEntryId;
    private long _maxLength = 128;

    /// <summary><c>acllog-max-len</c>; lowering it takes effect at the next event, as in Redis.</summary>
    public long MaxLength
    {
        get => Interlocked.Read(ref _maxLength);
        set => Interlocked.Exchange(ref _maxLength, value);
    }

    public void Add(string reason, string context, string obj, string username, string clientInfo, long nowMs)
    {
        lock (_lock)
        {
            long max = MaxLength;
            if (max == 0)
            {
                _entries.Clear();
                return;
            }

            int scanned = 0;
            for (var node = _entries.First; node is not null && scanned < MergeScan; node = node.Next, scanned++)
            {
                var e = node.Value;
                if (e.Reason == reason && e.Context == context && Math.Abs(e.TimestampLastUpdated - nowMs) <= GroupingMaxDeltaMs &&
                    string.Equals(e.Object, obj, StringComparison.Ordinal) && string.Equals(e.Username, username, StringComparison.Ordinal))
                {
                    _entries.Remove(node);
                    _entries.AddFirst(node);
                    e.ClientInfo = clientInfo;
                    e.TimestampLastUpdated = nowMs;
                    e.Count++;
                    return;
                }
            }

            _entries.AddFirst(new AclLogEntry(reason, context, obj, username, clientInfo, nowMs, _nextEntryId++));
            while (_entries.Count > max)
            {
                _entries.RemoveLast();
            }
        }
    }

    /// <summary>ACL LOG RESET: empties the log; the entry id keeps growing.</summary>
    public void Reset()
    {
        lock (_lock)
        {
            _entries.Clear();
        }
    }

    /// <summary>Up to <paramref name="count"/> entries, newest first (copies).</summary>
    public IReadOnlyList<AclLogEntry> Read(long count)
    {
        lock (_lock)
        {
            var list = new List<AclLogEntry>();
            foreach (var e in _entries)
            {
                if (list.Count >= count)
                {
                    break;
                }

                list.Add(e.Snapshot());
            }

            return list;
        }
    }
}
