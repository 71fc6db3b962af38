using System.Globalization;
using AclOperator.Acl.Tests.Infrastructure;
using AclOperator.Server.Backend.Garnet;
using AclOperator.Server.Tests.Infrastructure;
using Xunit;
using static AclOperator.Server.Tests.EndToEnd.E2E;

namespace AclOperator.Server.Tests.EndToEnd;

/// <summary>
/// E17: a full embedded store answers Redis's OOM error to commands that add data and never drops a key it said +OK
/// to. Without the guard Garnet evicts its oldest log pages (with 32 MB, 1,000 SETs of 100 KB all answered +OK and
/// left 280 keys). Compaction repacks the ends of pages and so frees a little space even in a log of live records
/// only: the tests that need the store to stay full hold it.
/// </summary>
[Collection(nameof(ProcessWideMeasurements))]
public sealed class StoreMemoryEndToEndTests
{
    private const string Oom = "OOM command not allowed when used memory > 'maxmemory'.";
    private static readonly string Value = new('v', 100_000);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<InProcessServer> StartSmallAsync(bool holdCompaction = true)
    {
        var s = await StartAsync(DefaultAcl, "--maxmemory", "32mb");
        ((GarnetEmbeddedBackend)s.Context.Backend).StoreMemory.CompactionHeld = holdCompaction;
        return s;
    }

    /// <summary>SETs 100 KB values until the first OOM; returns how many were stored.</summary>
    private static async Task<int> FillAsync(RespClient c, string prefix)
    {
        for (int i = 0; i < 2000; i++)
        {
            var r = await c.CallAsync("SET", prefix + i.ToString(CultureInfo.InvariantCulture), Value);
            if (r.IsError)
            {
                Assert.Equal(Oom, r.Text);
                return i;
            }

            AssertSimple(r, "OK");
        }

        Assert.Fail("2,000 SETs of 100 KB into a 32 MB store never got OOM");
        return 0;
    }

    private static async Task AssertAllStoredAsync(RespClient c, string prefix, int count)
    {
        var replies = await c.PipelineAsync(Enumerable.Range(0, count).Select(i => new[] { "STRLEN", prefix + i.ToString(CultureInfo.InvariantCulture) }), Ct);
        for (int i = 0; i < count; i++)
        {
            Assert.True(replies[i].Integer == Value.Length, $"key {prefix}{i} lost: STRLEN {replies[i]}; all: {string.Join(",", replies.Select(r => r.ToString()).Take(30))}");
        }
    }

    [Fact]
    public async Task A_full_store_answers_OOM_keeps_every_key_and_still_serves_reads_and_deletes()
    {
        await using var s = await StartSmallAsync();
        await using var c = await s.ConnectAsync();
        int stored = await FillAsync(c, "k");
        Assert.InRange(stored, 150, 320);
        await AssertAllStoredAsync(c, "k", stored);
        AssertInteger(await c.CallAsync("DBSIZE"), stored);

        // Commands Redis lets run when out of memory still run; the ones that add data do not.
        AssertBulk(await c.CallAsync("GET", "k0"), Value);
        await c.AssertErr(Oom, "RPUSH", "list", Value);
        await c.AssertErr(Oom, "SETRANGE", "k0", "0", Value);
        AssertInteger(await c.CallAsync("EXISTS", "k1"), 1);
        await c.CallAsync("DEL", "k1");
        AssertInteger(await c.CallAsync("EXISTS", "k1"), 0);

        string info = (await c.CallAsync("INFO", "memory")).GetString();
        long used = InfoValue(info, "used_memory_dataset"), limit = InfoValue(info, "maxmemory");
        Assert.True(used + Value.Length > limit, $"used_memory_dataset {used} should be within a value of maxmemory {limit} when full");
        Assert.InRange(limit, 20L << 20, 32L << 20);
        Assert.Contains("maxmemory_policy:noeviction\r\n", info, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleted_keys_give_their_space_back_and_the_rest_stays_intact()
    {
        // Compaction is held while the keys are deleted: a DEL racing a compaction pass over its key was seen lost
        // once in about a dozen runs (DBSIZE one higher), a known defect noted in the README, not covered here.
        await using var s = await StartSmallAsync();
        await using var c = await s.ConnectAsync();
        int stored = await FillAsync(c, "k");
        // (Garnet 2.2.8 deletes a key whose record is in the log's read-only part but answers DEL with 0, so the
        // deletions are checked with DBSIZE.)
        var deletes = Enumerable.Range(0, stored).Where(i => i % 4 != 0).Select(i => new[] { "DEL", "k" + i.ToString(CultureInfo.InvariantCulture) });
        Assert.All(await c.PipelineAsync(deletes, Ct), r => Assert.Equal(RespReplyType.Integer, r.Type));
        var kept = Enumerable.Range(0, stored).Where(i => i % 4 == 0).ToList();
        AssertInteger(await c.CallAsync("DBSIZE"), kept.Count);
        ((GarnetEmbeddedBackend)s.Context.Backend).StoreMemory.CompactionHeld = false;

        // Background compaction copies the surviving quarter forward and releases the old pages, within seconds.
        await WaitUntilAsync(async () =>
        {
            string info = (await c.CallAsync("INFO", "memory")).GetString();
            return InfoValue(info, "used_memory_dataset") < InfoValue(info, "maxmemory") / 2;
        });
        var lengths = await c.PipelineAsync(kept.Select(i => new[] { "STRLEN", "k" + i.ToString(CultureInfo.InvariantCulture) }), Ct);
        Assert.All(lengths, r => AssertInteger(r, Value.Length));

        // Room for about as much again as was deleted, and still no key lost at the next OOM.
        int more = await FillAsync(c, "m");
        Assert.True(more >= stored / 2, $"only {more} new keys fitted after deleting {stored - kept.Count}");
        await AssertAllStoredAsync(c, "m", more);
        lengths = await c.PipelineAsync(kept.Select(i => new[] { "STRLEN", "k" + i.ToString(CultureInfo.InvariantCulture) }), Ct);
        Assert.All(lengths, r => AssertInteger(r, Value.Length));
    }

    [Fact]
    public async Task A_pipeline_larger_than_the_store_gets_OK_then_OOM_and_keeps_what_it_acknowledged()
    {
        await using var s = await StartSmallAsync();
        await using var c = await s.ConnectAsync();
        var replies = await c.PipelineAsync(Enumerable.Range(0, 500).Select(i => new[] { "SET", "p" + i.ToString(CultureInfo.InvariantCulture), Value }), Ct);
        int ok = replies.TakeWhile(r => !r.IsError).Count();
        Assert.InRange(ok, 100, 320);
        Assert.All(replies.Skip(ok), r => Assert.Equal(Oom, r.Text));
        await AssertAllStoredAsync(c, "p", ok);
    }

    [Fact]
    public async Task Object_values_count_too_and_no_element_is_lost()
    {
        await using var s = await StartSmallAsync();
        await using var c = await s.ConnectAsync();
        int pushed = 0;
        for (; pushed < 2000; pushed++)
        {
            var r = await c.CallAsync("RPUSH", "l" + (pushed % 10).ToString(CultureInfo.InvariantCulture), Value);
            if (r.IsError)
            {
                Assert.Equal(Oom, r.Text);
                break;
            }
        }

        Assert.InRange(pushed, 100, 400);
        long total = 0;
        for (int i = 0; i < 10; i++)
        {
            total += (await c.CallAsync("LLEN", "l" + i.ToString(CultureInfo.InvariantCulture))).Integer;
        }

        Assert.Equal(pushed, total);
        AssertInteger(await c.CallAsync("STRLEN", "never"), 0);
        await c.AssertErr(Oom, "SET", "x", Value);
    }

    [Fact]
    public async Task In_MULTI_a_denyoom_command_flags_the_transaction_and_EXEC_rechecks()
    {
        await using var s = await StartSmallAsync();
        await using var c = await s.ConnectAsync();
        await using var filler = await s.ConnectAsync();

        // Queued while there is room, then the store fills before EXEC: EXEC is refused and the transaction discarded.
        await c.AssertOk("MULTI");
        AssertSimple(await c.CallAsync("SET", "t", Value), "QUEUED");
        AssertSimple(await c.CallAsync("GET", "t"), "QUEUED");
        int stored = await FillAsync(filler, "k");
        await c.AssertErr("EXECABORT Transaction discarded because of: " + Oom, "EXEC");
        await c.AssertErr("ERR EXEC without MULTI", "EXEC");
        Assert.True((await c.CallAsync("GET", "t")).IsNull);

        // A denyoom command queued while full is refused at once and aborts the transaction; reads alone still run.
        await c.AssertOk("MULTI");
        await c.AssertErr(Oom, "SET", "t", Value);
        await c.AssertErr("EXECABORT Transaction discarded because of previous errors.", "EXEC");
        await c.AssertOk("MULTI");
        AssertSimple(await c.CallAsync("STRLEN", "k0"), "QUEUED");
        var exec = await c.CallAsync("EXEC");
        AssertInteger(exec.Items[0], Value.Length);
        await AssertAllStoredAsync(c, "k", stored);
    }

    [Fact]
    public async Task A_string_extended_by_offset_is_refused_before_it_would_overflow_the_store()
    {
        await using var s = await StartSmallAsync();
        await using var c = await s.ConnectAsync();
        await c.AssertOk("SET", "small", "x");
        await c.AssertErr(Oom, "SETRANGE", "small", "100000000", "x");
        await c.AssertErr(Oom, "SETBIT", "bits", "800000000", "1");
        AssertInteger(await c.CallAsync("SETRANGE", "small", "10", "y"), 11);
        AssertBulk(await c.CallAsync("GET", "small"), "x\0\0\0\0\0\0\0\0\0y");
    }

    [Fact]
    public async Task Selecting_more_databases_than_fit_is_refused_instead_of_outgrowing_the_process()
    {
        // Each database has its own hash index and pages (6 MB here): SELECTs alone could exceed the memory.
        await using var s = await StartSmallAsync();
        await using var c = await s.ConnectAsync();
        await c.AssertOk("SELECT", "1");
        await c.AssertOk("SET", "k", "v1");
        int created = 1;
        for (int db = 2; db < 16; db++)
        {
            var r = await c.CallAsync("SELECT", db.ToString(CultureInfo.InvariantCulture));
            if (r.IsError)
            {
                Assert.Equal(Oom, r.Text);
                break;
            }

            AssertSimple(r, "OK");
            created++;
        }

        Assert.InRange(created, 1, 6);
        string info = (await c.CallAsync("INFO", "memory")).GetString();
        Assert.True(InfoValue(info, "used_memory_dataset") >= created * (5L << 20), info);

        // Databases that exist can still be selected, and their keys are there.
        await c.AssertOk("SELECT", "1");
        AssertBulk(await c.CallAsync("GET", "k"), "v1");
        await c.AssertOk("SELECT", "0");
        await c.AssertErr(Oom, "SET", "big", new string('x', 24 << 20));
    }

    private static long InfoValue(string info, string field)
    {
        string line = info.Split("\r\n").Single(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line[(field.Length + 1)..], CultureInfo.InvariantCulture);
    }
}
