using System.Collections.Concurrent;
using AclOperator.Api.Snapshots;

namespace AclOperator.Server.AclRuntime;

/// <summary>Why a request of a known user was denied (INFO's <c>acl_access_denied_*</c> split by user).</summary>
public enum DenialKind
{
    Auth,
    Command,
    Key,
    Channel,
}

/// <summary>
/// ACL denials by user since start, for the opt-in per-user metric and the denial report on the pod's Lease, which the
/// operator turns into Warning events on the RedisAclUser. Only users that exist in the ACL are counted: a failed AUTH
/// naming an unknown user is in the totals and in ACL LOG but gets no row here, so clients cannot grow this table (or
/// a metric's label set) by inventing names. At most <see cref="MaxUsers"/> rows; the least recently denied rows go
/// first when users were deleted (<see cref="Retain"/>). Counting is the denial path only, never the forward path.
/// </summary>
public sealed class UserDenials
{
    /// <summary>As many rows as the operator publishes users at most.</summary>
    public const int MaxUsers = 10_000;

    private readonly ConcurrentDictionary<string, Row> _rows = new(StringComparer.Ordinal);

    /// <summary>Counts one denial of <paramref name="user"/>, an existing user of the ACL.</summary>
    public void Count(string user, DenialKind kind, long nowMs)
    {
        if (!_rows.TryGetValue(user, out var row))
        {
            if (_rows.Count >= MaxUsers)
            {
                return;
            }

            row = _rows.GetOrAdd(user, static _ => new Row());
        }

        row.Add(kind, nowMs);
    }

    /// <summary>Every counted user with its counts (monotonic while the process lives) and its last denial, unordered.</summary>
    public IReadOnlyList<(string User, DenialCounts Counts, long LastMs)> Read() =>
        [.. _rows.Select(kv => (kv.Key, kv.Value.Read(), kv.Value.LastMs))];

    /// <summary>The counts of <paramref name="user"/>, or all zero.</summary>
    public DenialCounts Of(string user) => _rows.TryGetValue(user, out var row) ? row.Read() : new DenialCounts();

    /// <summary>The count of one <paramref name="kind"/> in <paramref name="counts"/>.</summary>
    public static long Of(DenialCounts counts, DenialKind kind)
    {
        ArgumentNullException.ThrowIfNull(counts);
        return kind switch
        {
            DenialKind.Auth => counts.Auth,
            DenialKind.Command => counts.Command,
            DenialKind.Key => counts.Key,
            _ => counts.Channel,
        };
    }

    /// <summary>Drops the rows of users no longer in the ACL (after a reload), so deleted users do not keep series.</summary>
    public void Retain(Func<string, bool> exists)
    {
        ArgumentNullException.ThrowIfNull(exists);
        foreach (var user in _rows.Keys)
        {
            if (!exists(user))
            {
                _rows.TryRemove(user, out _);
            }
        }
    }

    /// <summary>
    /// The Lease report: the <see cref="DenialReport.MaxUsers"/> most recently denied users with their counts since
    /// <paramref name="since"/> (this process's start), or null when nobody was denied yet.
    /// </summary>
    public DenialReport? Report(DateTimeOffset since)
    {
        var rows = Read();
        if (rows.Count == 0)
        {
            return null;
        }

        var report = new DenialReport { Since = since.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture) };
        foreach (var (user, counts, _) in rows.OrderByDescending(r => r.LastMs).ThenBy(r => r.User, StringComparer.Ordinal).Take(DenialReport.MaxUsers))
        {
            report.Users[user] = counts;
        }

        return report;
    }

    private sealed class Row
    {
        private readonly long[] _counts = new long[4];
        private long _lastMs;

        public void Add(DenialKind kind, long nowMs)
        {
            Interlocked.Increment(ref _counts[(int)kind]);
            Interlocked.Exchange(ref _lastMs, nowMs);
        }

        public long LastMs => Interlocked.Read(ref _lastMs);

        public DenialCounts Read() => new()
        {
            Auth = Interlocked.Read(ref _counts[(int)DenialKind.Auth]),
            Command = Interlocked.Read(ref _counts[(int)DenialKind.Command]),
            Key = Interlocked.Read(ref _counts[(int)DenialKind.Key]),
            Channel = Interlocked.Read(ref _counts[(int)DenialKind.Channel]),
        };
    }
}
