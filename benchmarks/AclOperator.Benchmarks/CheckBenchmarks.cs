using AclOperator.Acl.Commands;
using AclOperator.Acl.Evaluation;
using AclOperator.Acl.Matching;
using AclOperator.Acl.Users;
using BenchmarkDotNet.Attributes;

namespace AclOperator.Benchmarks;

/// <summary>
/// One permission check per operation, for a user with 1, 100 or 1,000 key patterns. The key matches the LAST
/// pattern, which is Redis's worst case (it scans the pattern list in order).
/// </summary>
[MemoryDiagnoser]
public class CheckBenchmarks
{
    private AclUser _user = null!;
    private RedisCommand _get = null!;
    private RedisCommand _mset = null!;
    private ArgvBuilder _getArgv = null!;
    private ArgvBuilder _msetArgv = null!;

    [Params(1, 100, 1000)]
    public int Patterns { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _user = BenchmarkUsers.WithKeyPatterns(Patterns);
        _get = CommandTable.Redis74.Find("get"u8)!;
        _mset = CommandTable.Redis74.Find("mset"u8)!;
        string key = $"app{Patterns - 1}:user:42";
        _getArgv = ArgvBuilder.From("GET", key);
        _msetArgv = ArgvBuilder.From("MSET", key, "v1", $"app0:a", "v2", $"app{Patterns / 2}:b", "v3");

        // Compile the user's indexes outside the measurement, as the server does when it loads an ACL.
        AclEvaluator.Check(_user, _get, _getArgv.Args);
    }

    /// <summary>Redis's own algorithm for the key step of GET: test the key against every pattern in order.</summary>
    [Benchmark(Baseline = true, Description = "Redis-style linear key scan (GET k)")]
    public bool LinearScanGet()
    {
        var key = _getArgv.Args[1];
        var patterns = _user.Root.KeyPatterns;
        for (int i = 0; i < patterns.Count; i++)
        {
            if (GlobMatcher.Match(patterns[i].Pattern, key))
            {
                return true;
            }
        }

        return false;
    }

    [Benchmark(Description = "check GET k")]
    public bool CheckGet() => AclEvaluator.Check(_user, _get, _getArgv.Args).IsAllowed;

    [Benchmark(Description = "check MSET k1 v k2 v k3 v")]
    public bool CheckMset() => AclEvaluator.Check(_user, _mset, _msetArgv.Args).IsAllowed;
}
