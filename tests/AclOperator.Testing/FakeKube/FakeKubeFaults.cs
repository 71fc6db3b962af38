namespace AclOperator.Testing.FakeKube;

/// <summary>
/// Fault injection for reliability tests: failing requests with a status code, latency, dropped watches and
/// forced 410 Expired on watches. Verb and resource filters are optional (null matches everything); resource is
/// the plural name ("configmaps", "redisaclusers", "leases", or "redisaclusers/status").
/// </summary>
public sealed class FakeKubeFaults
{
    private readonly object _gate = new();
    private readonly List<Failure> _failures = [];
    private readonly List<Delay> _delays = [];
    private int _expireWatches;

    private sealed class Failure(int remaining, int statusCode, string? verb, string? resource, string? ns = null, string? name = null)
    {
        public int Remaining { get; set; } = remaining;

        public int StatusCode { get; } = statusCode;

        public string? Verb { get; } = verb;

        public string? Resource { get; } = resource;

        public string? Namespace { get; } = ns;

        public string? Name { get; } = name;
    }

    /// <summary>A fixed latency (<see cref="Max"/> null) or one drawn uniformly from [Latency, Max] by <see cref="Random"/>.</summary>
    private sealed record Delay(TimeSpan Latency, string? Verb, string? Resource, TimeSpan? Max = null, Random? Random = null, bool WritesOnly = false);

    /// <summary>The verbs that write to etcd.</summary>
    public static readonly IReadOnlyList<string> WriteVerbs = ["create", "update", "patch", "delete", "deletecollection"];

    internal Func<bool, int>? WatchDropper { get; set; }

    /// <summary>The next <paramref name="count"/> matching requests fail with <paramref name="statusCode"/> (500, 409, 429, 503, 504, ...) and a Status body.</summary>
    public void FailNext(int count, int statusCode = 500, string? verb = null, string? resource = null)
    {
        lock (_gate)
        {
            _failures.Add(new Failure(count, statusCode, verb, resource));
        }
    }

    /// <summary>
    /// As <see cref="FailNext(int, int, string?, string?)"/>, for requests on one named object only (for example the GET
    /// of one Secret, so the rest of the API keeps working). Requests without a name (list, watch of a collection) never match.
    /// </summary>
    public void FailNext(int count, int statusCode, string? verb, string? resource, string ns, string name)
    {
        lock (_gate)
        {
            _failures.Add(new Failure(count, statusCode, verb, resource, ns, name));
        }
    }

    /// <summary>Every matching request waits this long before it is handled (for example 5-20 ms per write, O14).</summary>
    public void AddLatency(TimeSpan latency, string? verb = null, string? resource = null)
    {
        lock (_gate)
        {
            _delays.Add(new Delay(latency, verb, resource));
        }
    }

    /// <summary>
    /// Every matching write (<see cref="WriteVerbs"/>) waits a latency drawn uniformly from [<paramref name="min"/>,
    /// <paramref name="max"/>] by a generator seeded with <paramref name="seed"/>: the fake has no fsync, so benchmarks add
    /// what an etcd commit costs (O14: 5-20 ms per write). Reads and watches are not delayed.
    /// </summary>
    public void AddWriteLatency(TimeSpan min, TimeSpan max, int seed = 1, string? resource = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, min);
        lock (_gate)
        {
            _delays.Add(new Delay(min, null, resource, max, new Random(seed), WritesOnly: true));
        }
    }

    /// <summary>The next <paramref name="count"/> watch requests get an ERROR event with a 410 Expired Status, as after compaction.</summary>
    public void ExpireNextWatches(int count = 1)
    {
        lock (_gate)
        {
            _expireWatches += count;
        }
    }

    /// <summary>
    /// Ends every open watch now. With <paramref name="abort"/> the connection is reset (the client sees a
    /// network error); otherwise the response ends cleanly, as when the server's watch timeout expires.
    /// Returns how many watches were dropped.
    /// </summary>
    public int DropWatches(bool abort = false) => WatchDropper?.Invoke(abort) ?? 0;

    /// <summary>Removes all pending failures, latencies and forced expirations.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _failures.Clear();
            _delays.Clear();
            _expireWatches = 0;
        }
    }

    private static bool Matches(string? filterVerb, string? filterResource, string verb, string resource) =>
        (filterVerb is null || string.Equals(filterVerb, verb, StringComparison.OrdinalIgnoreCase)) &&
        (filterResource is null || string.Equals(filterResource, resource, StringComparison.OrdinalIgnoreCase));

    internal TimeSpan LatencyFor(string verb, string resource)
    {
        lock (_gate)
        {
            var total = TimeSpan.Zero;
            foreach (var d in _delays)
            {
                if (!Matches(d.Verb, d.Resource, verb, resource) || (d.WritesOnly && !WriteVerbs.Contains(verb, StringComparer.OrdinalIgnoreCase)))
                {
                    continue;
                }

                total += d.Max is { } max && d.Random is { } random
                    ? d.Latency + TimeSpan.FromTicks((long)(random.NextDouble() * (max - d.Latency).Ticks))
                    : d.Latency;
            }
            return total;
        }
    }

    internal int? TakeFailure(string verb, string resource) => TakeFailure(verb, resource, "", "");

    internal int? TakeFailure(string verb, string resource, string ns, string name)
    {
        lock (_gate)
        {
            foreach (var f in _failures)
            {
                if (f.Remaining > 0 && Matches(f.Verb, f.Resource, verb, resource) &&
                    (f.Name is null || (string.Equals(f.Name, name, StringComparison.Ordinal) && string.Equals(f.Namespace, ns, StringComparison.Ordinal))))
                {
                    f.Remaining--;
                    return f.StatusCode;
                }
            }
            _failures.RemoveAll(f => f.Remaining <= 0);
            return null;
        }
    }

    internal bool TakeWatchExpiry()
    {
        lock (_gate)
        {
            if (_expireWatches > 0)
            {
                _expireWatches--;
                return true;
            }
            return false;
        }
    }
}
