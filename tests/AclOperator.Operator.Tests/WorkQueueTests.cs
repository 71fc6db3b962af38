using AclOperator.Operator.Runtime;

namespace AclOperator.Operator.Tests;

/// <summary>The work queue's contract, as client-go's workqueue tests pin it (queue_test.go, rate_limiting_queue_test.go, default_rate_limiters_test.go).</summary>
public sealed class WorkQueueTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static WorkQueue<string> Queue() => new("test", new ItemExponentialFailureRateLimiter<string>(TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(50)));

    private static async Task<string?> TryGetAsync(WorkQueue<string> queue, int waitMs = 50)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(waitMs);
        try
        {
            var (item, shutdown) = await queue.GetAsync(cts.Token);
            return shutdown ? null : item;
        }
        catch (OperationCanceledException) when (!Ct.IsCancellationRequested)
        {
            return null;
        }
    }

    [Fact]
    public async Task Adds_of_a_waiting_item_are_deduplicated()
    {
        await using var queue = Queue();
        queue.Add("a");
        queue.Add("b");
        queue.Add("a");
        Assert.Equal(2, queue.Count);
        Assert.Equal("a", (await queue.GetAsync(Ct)).Item);
        Assert.Equal("b", (await queue.GetAsync(Ct)).Item);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task An_item_in_progress_is_not_handed_out_again_and_readds_are_processed_once_after()
    {
        await using var queue = Queue();
        queue.Add("a");
        var (first, _) = await queue.GetAsync(Ct);
        queue.Add("a");
        queue.Add("a");
        Assert.Equal(0, queue.Count);
        Assert.Null(await TryGetAsync(queue));
        queue.Done(first);
        Assert.Equal(1, queue.Count);
        var (again, _) = await queue.GetAsync(Ct);
        Assert.Equal("a", again);
        queue.Done(again);
        Assert.Equal(0, queue.Count);
        Assert.Null(await TryGetAsync(queue));
    }

    [Fact]
    public async Task Waiting_workers_wake_when_an_item_arrives()
    {
        await using var queue = Queue();
        var waiting = queue.GetAsync(Ct);
        Assert.False(waiting.IsCompleted);
        queue.Add("x");
        Assert.Equal(("x", false), await waiting);
    }

    [Fact]
    public void Backoff_doubles_per_failure_up_to_the_cap_and_forget_resets_it()
    {
        var limiter = new ItemExponentialFailureRateLimiter<string>();
        var delays = Enumerable.Range(0, 5).Select(_ => limiter.When("a").TotalMilliseconds).ToArray();
        Assert.Equal([5, 10, 20, 40, 80], delays);
        Assert.Equal(5, limiter.NumRequeues("a"));
        Assert.Equal(5, limiter.When("b").TotalMilliseconds);
        for (var i = 0; i < 30; i++)
        {
            limiter.When("a");
        }
        Assert.Equal(TimeSpan.FromSeconds(1000), limiter.When("a"));
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(TimeSpan.FromSeconds(1000), limiter.When("a"));
        }
        limiter.Forget("a");
        Assert.Equal(0, limiter.NumRequeues("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(5), limiter.When("a"));
    }

    [Fact]
    public async Task Rate_limited_adds_wait_their_backoff_and_count_retries()
    {
        var metrics = new OperatorMetrics();
        await using var queue = new WorkQueue<string>("retries", new ItemExponentialFailureRateLimiter<string>(TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(5)), metrics.ForQueue("retries"));
        queue.AddRateLimited("a");
        Assert.Equal(0, queue.Count);
        Assert.Equal(1, queue.DelayedCount);
        Assert.Equal(("a", false), await queue.GetAsync(Ct));
        Assert.Equal(1, queue.NumRequeues("a"));
        queue.Forget("a");
        Assert.Equal(0, queue.NumRequeues("a"));
        Assert.Equal(1, metrics.QueueRetries.WithLabels("retries").Value);
        Assert.Equal(1, metrics.QueueAdds.WithLabels("retries").Value);
    }

    [Fact]
    public async Task Delayed_adds_arrive_after_the_delay_and_the_earliest_time_wins()
    {
        await using var queue = Queue();
        queue.AddAfter("late", TimeSpan.FromHours(1));
        queue.AddAfter("late", TimeSpan.FromMilliseconds(100));
        queue.AddAfter("later", TimeSpan.FromHours(1));
        Assert.Equal(0, queue.Count);
        Assert.Equal(2, queue.DelayedCount);
        Assert.Equal(("late", false), await queue.GetAsync(Ct));
        Assert.Equal(1, queue.DelayedCount);
        queue.AddAfter("now", TimeSpan.Zero);
        Assert.Equal(1, queue.Count);
    }

    [Fact]
    public async Task Shutdown_hands_out_what_is_queued_refuses_new_items_and_drains_work_in_progress()
    {
        await using var queue = Queue();
        queue.Add("a");
        queue.Add("b");
        queue.AddAfter("delayed", TimeSpan.FromHours(1));
        var (a, _) = await queue.GetAsync(Ct);
        var drained = queue.ShutDownWithDrainAsync(Ct);
        queue.Add("c");
        Assert.True(queue.IsShuttingDown);
        Assert.Equal(0, queue.DelayedCount);
        Assert.Equal(("b", false), await queue.GetAsync(Ct));
        Assert.True((await queue.GetAsync(Ct)).Shutdown);
        Assert.False(drained.IsCompleted);
        queue.Done(a);
        Assert.False(drained.IsCompleted);
        queue.Done("b");
        await drained;
    }
}
