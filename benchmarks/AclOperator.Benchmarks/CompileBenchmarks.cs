using AclOperator.Acl;
using AclOperator.Acl.AclFile;
using AclOperator.Acl.Commands;
using AclOperator.Acl.Evaluation;
using BenchmarkDotNet.Attributes;

namespace AclOperator.Benchmarks;

/// <summary>Load an aclfile of 10,000 users (about ten rules each) and compile every user's check indexes.</summary>
[MemoryDiagnoser]
public class CompileBenchmarks
{
    private byte[] _file = null!;
    private RedisCommand _get = null!;
    private ArgvBuilder _argv = null!;

    [GlobalSetup]
    public void Setup()
    {
        _file = BenchmarkUsers.AclFile(10_000);
        _get = CommandTable.Redis74.Find("get"u8)!;
        _argv = ArgvBuilder.From("GET", "t1:x");
    }

    [Benchmark(Description = "compile 10,000 users (aclfile → checked)")]
    public int Compile()
    {
        var result = AclFileReader.Read(_file, "bench.acl", AclOptions.Default);
        int allowed = 0;
        foreach (var u in result.Table!.Users)
        {
            // The first check builds the user's selector indexes.
            if (AclEvaluator.Check(u, _get, _argv.Args).IsAllowed)
            {
                allowed++;
            }
        }

        return allowed;
    }
}
