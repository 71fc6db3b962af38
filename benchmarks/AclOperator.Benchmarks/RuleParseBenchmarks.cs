using AclOperator.Acl;
using AclOperator.Acl.Users;
using BenchmarkDotNet.Attributes;

namespace AclOperator.Benchmarks;

[MemoryDiagnoser]
public class RuleParseBenchmarks
{
    private readonly byte[][] _tenRules = BenchmarkUsers.Rules(
        "on", ">s3cret", "~app:*", "%R~shared:*", "&events.*", "+@read", "+@write", "-@dangerous", "+ping", "(~log:* +xadd)");

    [Benchmark(Description = "ACL SETUSER with 10 rules")]
    public AclUser? ParseTenRuleUser() => AclUserRules.Apply("alice", null, _tenRules, AclOptions.Default).User;
}
