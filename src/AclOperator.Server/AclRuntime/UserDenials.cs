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
    private long _changes;

    /// <summary>One user's counts (monotonic while the process lives).</summary>
    public readonly record struct Counts(long Auth, long Command, long Key, long Channel, long LastMs)
    {
        public long Total => Auth + Command + Key + Channel;

        public long this[DenialKind kind] => kind switch
        {
            DenialKind.Auth => Auth,
            DenialKind.Command => Command,
            DenialKind.Key => Key,
            _ => Channel,
        };
    }

    /// <summary>Grows by one with every denial counted (a cheap "anything new?" for the Lease reporter).</summary>
    public long Changes => Interlocked.Read(ref _changes);

    /// <summary>Counts one denial of <paramref name="user"/>, an existing user of the ACL.</summary>
    public void Count(string user, DenialKind kind, long nowMs)
    {
        if (!_rows.TryGetValue(user, out var row))
        {
            if (_rows.Count >= MaxUsers)
            {
                Interlocked.Increment(ref _changes);
                return;
            }

            row = _rows.GetOrAdd(user, static _ => new Row());
        }

        row.Add(kind, nowMs);
        Interlocked.Increment(ref _changes);
    }

    /// <summary>Every counted user, unordered.</summary>
    public IReadOnlyList<KeyValuePair<string, Counts>> Read() =>
        [.. _rows.Select(kv => new KeyValuePair<string, Counts>(kv.Key, kv.Value.Read()))];

    /// <summary>The counts of <paramref name="user"/>, or all zero.</summary>
    public Counts Of(string user) => _rows.TryGetValue(user, out var row) ? row.Read() : default;

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
        foreach (var (user, c) in rows.OrderByDescending(r => r.Value.LastMs).ThenBy(r => r.Key, StringComparer.Ordinal).Take(DenialReport.MaxUsers))
        {
            report.Users[user] = new DenialCounts { Auth = c.Auth, Command = c.Command, Key = c.Key, Channel = c.Channel };
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

        public Counts Read() => new(
            Interlocked.Read(ref _counts[0]), Interlocked.Read(ref _counts[1]), Interlocked.Read(ref _counts[2]),
            Interlocked.Read(ref _counts[3]), Interlocked.Read(ref _lastMs));
    }
}
