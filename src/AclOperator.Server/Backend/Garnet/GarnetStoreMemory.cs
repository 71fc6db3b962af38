using System.Linq.Expressions;
using System.Reflection;
using Garnet;
using Garnet.server;
using Microsoft.Extensions.Logging;
using Tsavorite.core;

namespace AclOperator.Server.Backend.Garnet;

/// <summary>
/// E17 for the embedded store. Without a storage tier, Garnet makes room in a full log by dropping its oldest pages:
/// live keys vanish with every write still answered +OK. This guard keeps the log below that point, so commands that
/// may grow the data set (Redis's <c>denyoom</c>) get Redis's OOM error instead, and it compacts the log in the
/// background (live records of the oldest pages copied to the tail, the pages then released) so that deleted,
/// overwritten and expired records give their space back as DEL does in Redis.
/// </summary>
/// <remarks>
/// Used memory of a database is its log span (tail − begin: records, including ones not compacted yet) plus the heap
/// of its object records (lists, hashes…) and any index overflow charged to the log budget; Garnet's eviction starts
/// when that reaches the log's budget. The limit leaves a headroom of an eighth of the budget (at least four pages)
/// for commands already accepted and for compaction, which needs free room to copy into. All databases count against
/// one limit, as Redis's maxmemory covers every database. Reads of the store's own counters only: no allocation on
/// the command path.
/// </remarks>
internal sealed partial class GarnetStoreMemory : IStoreMemory, IDisposable
{
    /// <summary>How often the database list is refreshed and the fill level logged.</summary>
    internal static readonly TimeSpan TickPeriod = TimeSpan.FromMilliseconds(250);

    private const int CompactEveryTicks = 4;
    private const int MaxBackoffTicks = 120;
    private const int MaxChunksPerPass = 16;

    private static readonly FieldInfo? StoreWrapperField =
        typeof(GarnetServer).GetField("storeWrapper", BindingFlags.NonPublic | BindingFlags.Instance);

    private static readonly Func<CacheSizeTracker, long>? HeapBytesOf = BuildHeapGetter();

    private readonly StoreWrapper _stores;
    private readonly long _pageSize;
    private readonly ILogger _logger;
    private readonly Timer _timer;
    private readonly Lock _compactLock = new();
    private GarnetDatabase[] _databases;
    private int _countdown = CompactEveryTicks;
    private int _backoff = CompactEveryTicks;
    private bool _full;
    private int _ticking;
    private int _disposed;

    private GarnetStoreMemory(StoreWrapper stores, long pageSize, long indexSize, ILogger logger)
    {
        _stores = stores;
        _pageSize = pageSize;
        DatabaseOverheadBytes = indexSize + (2 * pageSize);
        _logger = logger;
        _databases = stores.GetDatabasesSnapshot();
        _timer = new Timer(_ => Tick(), null, TickPeriod, TickPeriod);
    }

    /// <summary>Attaches to a started Garnet server; throws when this Garnet build does not expose what the guard reads.</summary>
    internal static GarnetStoreMemory Attach(GarnetServer garnet, long pageSize, long indexSize, ILogger logger)
    {
        if (StoreWrapperField?.GetValue(garnet) is not StoreWrapper stores || HeapBytesOf is null)
        {
            throw new InvalidOperationException(
                "This Garnet build does not expose the store counters the maxmemory guard reads (GarnetServer.storeWrapper, CacheSizeTracker.mainLogTracker); aclop-server is built for Microsoft.Garnet 2.2.8.");
        }

        return new GarnetStoreMemory(stores, pageSize, indexSize, logger);
    }

    /// <summary>
    /// What a database beyond the first costs before it holds a key: its own hash index and first pages. The first is
    /// part of the configured size; every other one is counted as used, so SELECTing many databases cannot push the
    /// process past its memory.
    /// </summary>
    internal long DatabaseOverheadBytes { get; }

    /// <summary>Holds background compaction (tests that need a full store to stay full).</summary>
    internal bool CompactionHeld { get; set; }

    public long UsedBytes
    {
        get
        {
            long used = Math.Max(0, _stores.DatabaseCount - 1) * DatabaseOverheadBytes;
            foreach (var db in _databases)
            {
                used += Used(db);
            }

            return used;
        }
    }

    public long LimitBytes => Limit(Budget(_stores.DefaultDatabase));

    /// <summary>The log budget of one database (Garnet's eviction point).</summary>
    internal long BudgetBytes => Budget(_stores.DefaultDatabase);

    public bool Admits(long incomingBytes)
    {
        if (UsedBytes + Math.Max(0, incomingBytes) <= LimitBytes)
        {
            return true;
        }

        // Refused: compact within a second rather than after a long back-off, in case keys were deleted since.
        if (Volatile.Read(ref _countdown) > CompactEveryTicks)
        {
            Volatile.Write(ref _countdown, CompactEveryTicks);
        }

        return false;
    }

    public bool AdmitsDatabase(int index) =>
        _stores.TryGetDatabase(index, out _) || UsedBytes + DatabaseOverheadBytes <= LimitBytes;

    /// <summary>The level commands are refused above: the budget less an eighth (at least four pages) of headroom.</summary>
    private long Limit(long budget) => budget - Headroom(budget);

    private long Headroom(long budget) => Math.Max(4 * _pageSize, budget / 8);

    private static long Budget(GarnetDatabase db) => db.SizeTracker?.TargetSize ?? 0;

    private static long Used(GarnetDatabase db)
    {
        var log = db.Store.Log;
        long used = log.TailAddress - log.BeginAddress;
        if (db.SizeTracker is { } tracker)
        {
            used += HeapBytesOf!(tracker) + tracker.IndexMemoryChargedToLogBudget;
        }

        return used;
    }

    private void Tick()
    {
        // Timer callbacks overlap when a pass outlasts the period: skip rather than queue behind it.
        if (Volatile.Read(ref _disposed) != 0 || Interlocked.Exchange(ref _ticking, 1) != 0)
        {
            return;
        }

        try
        {
            _databases = _stores.GetDatabasesSnapshot();
            ReportFill();
            if (--_countdown > 0 || CompactionHeld)
            {
                return;
            }

            // A pass that gave space back is followed by the next one at once; one that did not waits longer each time.
            bool reclaimed = CompactPass();
            _backoff = reclaimed ? CompactEveryTicks : Math.Min(_backoff * 2, MaxBackoffTicks);
            _countdown = reclaimed ? 1 : _backoff;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A failed compaction shifts nothing (Tsavorite's contract); try again later.
            LogCompactionFailed(_logger, e);
            _countdown = _backoff = MaxBackoffTicks;
        }
        finally
        {
            Volatile.Write(ref _ticking, 0);
        }
    }

    private void ReportFill()
    {
        long used = UsedBytes, limit = LimitBytes;
        if (!_full && used > limit)
        {
            _full = true;
            LogFull(_logger, used, limit);
        }
        else if (_full && used <= limit - (limit / 10))
        {
            _full = false;
            LogRecovered(_logger, used, limit);
        }
    }

    /// <summary>
    /// Compacts every database filled beyond half the limit; true when that gave back at least a sixteenth of what it
    /// scanned (otherwise the next pass waits longer: a log of live records only would be copied around for nothing).
    /// </summary>
    internal bool CompactPass()
    {
        lock (_compactLock)
        {
            bool reclaimed = false;
            foreach (var db in _databases)
            {
                long budget = Budget(db);
                if (budget <= 0 || Used(db) < Limit(budget) / 2)
                {
                    continue;
                }

                if (!_stores.TryPauseCheckpoints(db.Id))
                {
                    continue; // SAVE in progress: compaction would shift the log under it.
                }

                try
                {
                    reclaimed |= Compact(db, budget);
                }
                finally
                {
                    _stores.ResumeCheckpoints(db.Id);
                }
            }

            return reclaimed;
        }
    }

    /// <summary>
    /// Compacts the oldest part of one database's log in chunks of a quarter of the headroom: each chunk's live records
    /// are copied to the tail (at most a chunk of growth, which the headroom covers), then its pages are released. The
    /// newest chunk stays mutable, and nothing runs while the log is too full to take the copies without eviction.
    /// </summary>
    private bool Compact(GarnetDatabase db, long budget)
    {
        var log = db.Store.Log;
        long chunk = Math.Max(_pageSize, Headroom(budget) / 4);
        long usedBefore = Used(db);
        long begin = log.BeginAddress;
        long end = log.TailAddress - chunk;
        long scanned = 0;
        for (int i = 0; i < MaxChunksPerPass && begin + chunk <= end && Used(db) + chunk <= budget - _pageSize; i++)
        {
            long until = begin + chunk;
            log.ShiftReadOnlyAddress(until, true);
            long done = log.Compact<Empty, Empty, Empty>(until, CompactionType.Scan);
            if (done <= begin)
            {
                break;
            }

            scanned += done - begin;
            begin = done;
        }

        long usedAfter = Used(db);
        if (scanned > 0)
        {
            LogCompacted(_logger, scanned, db.Id, usedBefore, usedAfter);
        }

        return scanned > 0 && usedBefore - usedAfter >= scanned / 16;
    }

    private static Func<CacheSizeTracker, long>? BuildHeapGetter()
    {
        var field = typeof(CacheSizeTracker).GetField("mainLogTracker", BindingFlags.NonPublic | BindingFlags.Instance);
        var heap = field?.FieldType.GetProperty("LogHeapSizeBytes", BindingFlags.Public | BindingFlags.Instance);
        if (field is null || heap is null || heap.PropertyType != typeof(long))
        {
            return null;
        }

        var tracker = Expression.Parameter(typeof(CacheSizeTracker), "tracker");
        var logTracker = Expression.Field(tracker, field);
        var body = Expression.Condition(
            Expression.Equal(logTracker, Expression.Constant(null, field.FieldType)),
            Expression.Constant(0L),
            Expression.Property(logTracker, heap));
        return Expression.Lambda<Func<CacheSizeTracker, long>>(body, tracker).Compile();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _timer.Dispose();
        lock (_compactLock)
        {
            // Wait for a running compaction before Garnet's store goes away.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The embedded store is full ({Used} bytes used, limit {Limit}): commands that add data are answered OOM until keys are deleted or expire")]
    private static partial void LogFull(ILogger logger, long used, long limit);

    [LoggerMessage(Level = LogLevel.Information, Message = "The embedded store has room again ({Used} bytes used, limit {Limit})")]
    private static partial void LogRecovered(ILogger logger, long used, long limit);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Compacted {Scanned} bytes of the embedded store's database {Database}: {Before} bytes used before, {After} after")]
    private static partial void LogCompacted(ILogger logger, long scanned, int database, long before, long after);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Compacting the embedded store failed; nothing was released, retrying later")]
    private static partial void LogCompactionFailed(ILogger logger, Exception exception);
}
