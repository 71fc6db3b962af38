using AclOperator.Acl.Commands;
using AclOperator.Acl.Evaluation;
using AclOperator.Acl.Users;
using Xunit;

namespace AclOperator.Acl.Tests.Evaluation;

/// <summary>The check path allocates nothing (E15): measured with the thread's allocation counter, not timed.</summary>
public sealed class AllocationTests
{
    [Fact]
    public void Checks_allocate_nothing_after_the_first_call()
    {
        var rules = new List<string> { "on", "+@all", "&events:*", "%R~ro:*", "~lit", "~g?b*" };
        for (int i = 0; i < 1000; i++)
        {
            rules.Add($"~app{i}:*");
        }

        var user = AclUserRules.Apply("alloc", null, rules, AclOptions.Default).User!;
        var get = CommandTable.Redis74.Find("get"u8)!;
        var mset = CommandTable.Redis74.Find("mset"u8)!;
        var publish = CommandTable.Redis74.Find("publish"u8)!;
        var a = ArgvBuilder.From("GET", "app999:x");
        var b = ArgvBuilder.From("MSET", "app1:a", "1", "lit", "2", "gab", "3");
        var c = ArgvBuilder.From("PUBLISH", "events:1", "m");
        var d = ArgvBuilder.From("GET", "denied");

        // Warm up: builds the selector index once, JITs the path.
        Assert.Equal(4, Run());

        int expected = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            expected += Run();
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(4000, expected);
        Assert.Equal(0, allocated);

        int Run()
        {
            int ok = 0;
            ok += AclEvaluator.Check(user, get, a.Args).IsAllowed ? 1 : 0;
            ok += AclEvaluator.Check(user, mset, b.Args).IsAllowed ? 1 : 0;
            ok += AclEvaluator.Check(user, publish, c.Args).IsAllowed ? 1 : 0;
            ok += AclEvaluator.Check(user, get, d.Args).Outcome == AclCheckOutcome.DeniedKey ? 1 : 0;
            return ok;
        }
    }
}
