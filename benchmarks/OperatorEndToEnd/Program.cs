using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using AclOperator.Api.V1Alpha1;
using AclOperator.Benchmarks.OperatorEndToEnd;
using AclOperator.Operator.Runtime;
using AclOperator.Product.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

// Issue 7's operator benchmarks, end to end in one process (see benchmarks/README.md):
//   OperatorEndToEnd [steady] [burst] [full] [all]        scenarios (default: all)
//     --users N          users of the steady and burst shapes (1000)      --rate R       users/s of the steady shape (20)
//     --parallel P       concurrent applies in the burst (1000 = all)     --full-users N users of the full compile (10000)
//     --replicas N       enforcement pods (3)                             --seed S       seed of the injected write latency (1)
//     --latency A-B      injected latency per write in ms (5-20)          --no-edit      skip the single-user edits
//     --ready-limit S    how long the full scenario waits for every user Ready before it skips its edit (90)
var options = new BenchOptions();
var scenarios = new List<string>();
bool edit = true;
for (int i = 0; i < args.Length; i++)
{
    string Next() => args[++i];
    switch (args[i])
    {
        case "--users": options = options with { Users = int.Parse(Next(), CultureInfo.InvariantCulture) }; break;
        case "--rate": options = options with { Rate = double.Parse(Next(), CultureInfo.InvariantCulture) }; break;
        case "--parallel": options = options with { BurstParallelism = int.Parse(Next(), CultureInfo.InvariantCulture) }; break;
        case "--full-users": options = options with { FullUsers = int.Parse(Next(), CultureInfo.InvariantCulture) }; break;
        case "--replicas": options = options with { Replicas = int.Parse(Next(), CultureInfo.InvariantCulture) }; break;
        case "--seed": options = options with { Seed = int.Parse(Next(), CultureInfo.InvariantCulture) }; break;
        case "--latency":
            var range = Next().Split('-');
            options = options with
            {
                MinLatency = TimeSpan.FromMilliseconds(double.Parse(range[0], CultureInfo.InvariantCulture)),
                MaxLatency = TimeSpan.FromMilliseconds(double.Parse(range[^1], CultureInfo.InvariantCulture)),
            };
            break;
        case "--no-edit": edit = false; break;
        case "--ready-limit": options = options with { ReadyLimit = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)) }; break;
        case "steady" or "burst" or "full" or "all": scenarios.Add(args[i]); break;
        default:
            Console.Error.WriteLine($"unknown argument {args[i]}; see the comment at the top of Program.cs");
            return 2;
    }
}

if (scenarios.Count == 0 || scenarios.Contains("all"))
{
    scenarios = ["steady", "burst", "full"];
}

Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    ProductContext.Stop.Cancel();
};
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"# OperatorEndToEnd: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {options.Replicas} replicas, {options.MinLatency.TotalMilliseconds:F0}-{options.MaxLatency.TotalMilliseconds:F0} ms per write (seed {options.Seed})"));
int failed = 0;
foreach (var s in scenarios)
{
    try
    {
        switch (s)
        {
            case "steady":
                await Scenarios.ApplyAsync(options, burst: false, edit);
                break;
            case "burst":
                await Scenarios.ApplyAsync(options, burst: true, edit);
                break;
            case "full":
                await Scenarios.FullAsync(options, edit);
                break;
        }
    }
    catch (Exception e) when (e is TimeoutException or InvalidOperationException)
    {
        Console.WriteLine($"FAILED {s}: {e}");
        failed++;
    }
}

return failed == 0 ? 0 : 1;

namespace AclOperator.Benchmarks.OperatorEndToEnd
{
    internal static class Scenarios
    {
        private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(5);

        /// <summary>
        /// Measurement 1 (and 3): apply N users (a password Secret, then the RedisAclUser) one after another at a steady
        /// rate or all in one burst; per user, the time from the create call returning until every pod lists it in ACL
        /// USERS, and until its Ready condition is True. Then (3) one user's rules are edited on the quiet server.
        /// </summary>
        public static async Task ApplyAsync(BenchOptions o, bool burst, bool edit)
        {
            string shape = burst ? $"burst of {o.Users} (parallelism {Math.Min(o.BurstParallelism, o.Users)})" : $"steady {o.Rate:0.#}/s";
            Console.WriteLine($"## apply → enforced: {shape}");
            await using var bench = await Bench.StartAsync(o);
            int n = o.Users;
            var created = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
            var enforced = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
            int from = bench.Cluster.Server.Requests.Count;
            long statusWrites0 = bench.Reconciler.UserStatusWrites;
            var cpu0 = Cpu();
            var wall = Stopwatch.StartNew();
            var deadline = wall.Elapsed + o.Limit;
            var tracking = bench.TrackEnforcementAsync(created, enforced, () => enforced.Count >= n || wall.Elapsed > deadline, ProbeInterval);

            async Task ApplyOneAsync(int i)
            {
                await bench.CreatePasswordSecretAsync(i);
                await bench.Cluster.CreateAsync(Bench.BenchUser(i));
                created[Bench.UserName(i)] = Stopwatch.GetTimestamp();
            }

            if (burst)
            {
                await Parallel.ForEachAsync(Enumerable.Range(0, n), new ParallelOptions { MaxDegreeOfParallelism = o.BurstParallelism }, async (i, _) => await ApplyOneAsync(i));
            }
            else
            {
                var applies = new List<Task>(n);
                for (int i = 0; i < n; i++)
                {
                    var due = TimeSpan.FromSeconds(i / o.Rate);
                    if (due > wall.Elapsed)
                    {
                        await Task.Delay(due - wall.Elapsed);
                    }

                    applies.Add(ApplyOneAsync(i));
                }

                await Task.WhenAll(applies);
            }

            var applied = wall.Elapsed;
            await tracking;
            var allEnforced = wall.Elapsed;
            await Bench.WaitUntilAsync(() => Task.FromResult(bench.ReadyCount(1) >= n + 1 || wall.Elapsed > deadline), "every user Ready", o.Limit, 50);
            var allReady = wall.Elapsed;
            var cpu = Cpu() - cpu0;
            int authFailures = await bench.AuthFailuresAsync(Enumerable.Range(0, n));
            var requests = bench.RequestsSince(from);

            var names = Enumerable.Range(0, n).Select(Bench.UserName).ToList();
            var enforceMs = names.Where(enforced.ContainsKey).Select(u => Ms(enforced[u] - created[u])).ToList();
            var readyMs = names.Where(u => bench.ReadyAt.ContainsKey(Bench.ReadyKey(u, 1))).Select(u => Ms(bench.ReadyAt[Bench.ReadyKey(u, 1)] - created[u])).ToList();
            int publishes = requests.Count(r => Bench.IsWrite(r) && r.Resource == "configmaps" && r.Name == Bench.ServerName + "-acl");
            // A create's path has no name: every ConfigMap/Secret write is the operator's but the benchmark's n password Secrets.
            int shardWrites = requests.Count(r => Bench.IsWrite(r) && r.Resource is "configmaps" or "secrets" && r.Name != Bench.ServerName + "-acl") - n;
            int statusWrites = requests.Count(r => Bench.IsWrite(r) && r.Resource == "redisaclusers/status");

            Console.WriteLine("| shape | users | enforced on all pods p50 / p99 / max | Ready=True p50 / p99 / max | applies took | all enforced after | all Ready after | manifest writes (publishes) | shard writes | user status writes | process CPU |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {shape} | {enforceMs.Count:N0}/{n:N0} | {Stats(enforceMs)} | {Stats(readyMs)} | {applied.TotalSeconds:F1} s | {allEnforced.TotalSeconds:F1} s | {allReady.TotalSeconds:F1} s | {publishes} | {shardWrites} | {statusWrites:N0} | {cpu.TotalSeconds:F1} s |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"BENCH scenario={(burst ? "burst" : "steady")} users={n} enforced={enforceMs.Count} p50_ms={P(enforceMs, 0.5):F0} p99_ms={P(enforceMs, 0.99):F0} max_ms={P(enforceMs, 1):F0} ready_p50_ms={P(readyMs, 0.5):F0} ready_p99_ms={P(readyMs, 0.99):F0} ready_max_ms={P(readyMs, 1):F0} publishes={publishes} shard_writes={shardWrites} status_writes={statusWrites} reconciler_status_writes={bench.Reconciler.UserStatusWrites - statusWrites0} cpu_s={cpu.TotalSeconds:F1} auth_failures={authFailures}"));
            if (authFailures > 0 || enforceMs.Count < n)
            {
                Console.WriteLine($"WARNING: {n - enforceMs.Count} user(s) not seen on every pod, {authFailures} AUTH failure(s)");
            }

            if (edit)
            {
                await EditAsync(bench, n / 2, n);
            }
        }

        /// <summary>
        /// Measurement 2: N users created while the operator is stopped; then it starts. Times until its informer has
        /// them, until the manifest with all of them is published, until every pod's Lease reports it, until every pod
        /// lists them (ACL USERS), and until every user is Ready; the operator's writes of snapshot objects.
        /// </summary>
        public static async Task FullAsync(BenchOptions o, bool edit)
        {
            int n = o.FullUsers;
            Console.WriteLine($"## full compile + publish of {n:N0} users");
            await using var bench = await Bench.StartAsync(o);
            await bench.Cluster.StopOperatorAsync();
            var manifest0 = await bench.ManifestAsync() ?? throw new InvalidOperationException("nothing published before the seed");
            bench.Cluster.Server.Faults.Reset();
            var seeding = Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(0, n), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
            {
                await bench.CreatePasswordSecretAsync(i);
                await bench.Cluster.CreateAsync(Bench.BenchUser(i));
            });
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seeded {n:N0} Secrets and RedisAclUsers in {seeding.Elapsed.TotalSeconds:F1} s (no injected latency) with the operator stopped"));
            bench.Cluster.Server.Faults.AddWriteLatency(o.MinLatency, o.MaxLatency, o.Seed);
            int expected = manifest0.Users + n;
            bench.Cluster.Log.Lines.Clear();

            await Task.Delay(1000);
            int from = bench.Cluster.Server.Requests.Count;
            var cpu0 = Cpu();
            var wall = Stopwatch.StartNew();
            await bench.Cluster.StartOperatorAsync();
            var started = wall.Elapsed;
            var users = bench.Cluster.OperatorServices!.GetRequiredService<SharedInformerFactory>().For<RedisAclUser>();
            await users.WaitForSyncAsync(ProductContext.Ct);
            var synced = wall.Elapsed;
            var cpuSynced = Cpu() - cpu0;

            TimeSpan published = default, leases = default, pods = default;
            long revision = 0;
            var watchPublish = Task.Run(async () =>
            {
                var m = await Bench.WaitAsync(async () => await bench.ManifestAsync() is { } d && d.Users >= expected ? d : null, "the full manifest", o.Limit);
                published = wall.Elapsed;
                revision = m.Revision;
                await Bench.WaitUntilAsync(async () => await bench.MinLeaseRevisionAsync() >= revision, "every Lease at the full revision", o.Limit);
                leases = wall.Elapsed;
            });
            var watchPods = Task.Run(async () =>
            {
                await Bench.WaitUntilAsync(async () => (await bench.PodUsersAsync()).All(s => s.Count >= expected), "every pod listing every user", o.Limit, 50);
                pods = wall.Elapsed;
            });
            await Task.WhenAll(watchPublish, watchPods);
            var cpuEnforced = Cpu() - cpu0;
            int authFailures = await bench.AuthFailuresAsync(Enumerable.Range(0, n).Where(i => i % 100 == 0));
            var requests = bench.RequestsSince(from);
            // Only the operator writes ConfigMaps and Secrets here (a create's path carries no name).
            var snapshotWrites = requests.Where(r => Bench.IsWrite(r) && r.Resource is "configmaps" or "secrets").ToList();
            var m = await bench.ManifestAsync();
            Console.WriteLine("| users | operator start → informer synced | → manifest with all users published | → every Lease reports it | → every pod lists all users | process CPU to enforced | snapshot writes (ConfigMaps + Secrets, manifest included) | shards |");
            Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {n:N0} | {synced.TotalSeconds:F2} s | {published.TotalSeconds:F2} s | {leases.TotalSeconds:F2} s | {pods.TotalSeconds:F2} s | {cpuEnforced.TotalSeconds:F1} s | {snapshotWrites.Count(r => r.Resource == "configmaps")} + {snapshotWrites.Count(r => r.Resource == "secrets")} | {m?.ShardCount} |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"BENCH scenario=full users={n} start_s={started.TotalSeconds:F2} synced_s={synced.TotalSeconds:F2} cpu_synced_s={cpuSynced.TotalSeconds:F1} published_s={published.TotalSeconds:F2} leases_s={leases.TotalSeconds:F2} pods_s={pods.TotalSeconds:F2} cpu_enforced_s={cpuEnforced.TotalSeconds:F1} revision={revision} configmap_writes={snapshotWrites.Count(r => r.Resource == "configmaps")} secret_writes={snapshotWrites.Count(r => r.Resource == "secrets")} shards={m?.ShardCount} auth_failures_sample={authFailures}"));
            foreach (var line in bench.Cluster.Log.Lines.Where(l => l.Contains("Published ACL revision", StringComparison.Ordinal)))
            {
                Console.WriteLine("  operator: " + line.Trim());
            }

            // Then every user's status: two writes and two events each (published, then enforced), which takes long.
            var readyLimit = wall.Elapsed + o.ReadyLimit;
            await Bench.WaitUntilAsync(() => Task.FromResult(bench.ReadyCount(1) >= n + 1 || wall.Elapsed > readyLimit), "every user Ready", o.Limit, 100);
            int readyCount = bench.ReadyCount(1) - 1;
            var ready = wall.Elapsed;
            var cpuReady = Cpu() - cpu0;
            int statusWrites = bench.RequestsSince(from).Count(r => Bench.IsWrite(r) && r.Resource == "redisaclusers/status");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"BENCH scenario=full-ready users={n} ready={readyCount} after_s={ready.TotalSeconds:F1} cpu_s={cpuReady.TotalSeconds:F1} status_writes={statusWrites}"));
            if (readyCount < n)
            {
                Console.WriteLine($"{readyCount:N0} of {n:N0} users Ready after {ready.TotalSeconds:F0} s ({statusWrites:N0} status writes); the single-user edit needs a quiet server and is skipped");
                return;
            }

            if (edit)
            {
                await EditAsync(bench, n / 2, n);
            }
        }

        /// <summary>
        /// Measurements 2 (incremental) and 3: on a quiet server, one user's rules get a new key pattern. Time until ACL
        /// DRYRUN allows it on every pod and until the user is Ready for the new generation; then, after the operator has
        /// settled, which objects it wrote: status of which RedisAclUsers, which snapshot objects.
        /// </summary>
        private static async Task EditAsync(Bench bench, int index, int n)
        {
            var name = Bench.UserName(index);
            Console.WriteLine($"### one user's rules edited ({name} of {n:N0})");
            await WaitQuietAsync(bench, TimeSpan.FromSeconds(2), bench.Options.Limit);
            int from = bench.Cluster.Server.Requests.Count;
            long statusWrites0 = bench.Reconciler.UserStatusWrites;
            var cpu0 = Cpu();
            var updated = await bench.Cluster.UpdateAsync<RedisAclUser>(Bench.Ns, name, u => u.Spec.Rules = [.. u.Spec.Rules ?? [], "~edited:*"]);
            long t0 = Stopwatch.GetTimestamp();
            long generation = updated.Metadata.Generation ?? 0;
            var perPod = await Task.WhenAll(bench.Admins.Select(async admin =>
            {
                await Bench.WaitUntilAsync(async () => (await admin.CallAsync("ACL", "DRYRUN", name, "GET", "edited:1")).Text == "OK", $"{name}'s edit on a pod", bench.Options.Limit, 5);
                return Stopwatch.GetTimestamp();
            }));
            double enforcedMs = Ms(perPod.Max() - t0);
            await Bench.WaitUntilAsync(() => Task.FromResult(bench.ReadyAt.ContainsKey(Bench.ReadyKey(name, generation))), $"{name} Ready for generation {generation}", bench.Options.Limit, 5);
            double readyMs = Ms(bench.ReadyAt[Bench.ReadyKey(name, generation)] - t0);
            await WaitQuietAsync(bench, TimeSpan.FromSeconds(3), bench.Options.Limit);
            var cpu = Cpu() - cpu0;
            var requests = bench.RequestsSince(from);
            var statusWrites = requests.Where(r => Bench.IsWrite(r) && r.Resource == "redisaclusers/status").ToList();
            // Only the operator writes ConfigMaps and Secrets here (a create's path carries no name).
            var snapshotWrites = requests.Where(r => Bench.IsWrite(r) && r.Resource is "configmaps" or "secrets").ToList();
            var statusObjects = statusWrites.GroupBy(r => r.Name).Select(g => g.Count() == 1 ? g.Key : $"{g.Key} ×{g.Count()}").ToList();
            string objects = statusObjects.Count <= 5 ? string.Join(", ", statusObjects) : $"{statusObjects.Count:N0} distinct users ({string.Join(", ", statusObjects.Take(3))}, …)";
            Console.WriteLine("| users | edit → enforced on all pods | edit → Ready | user status writes | written for | snapshot objects written | process CPU (edit → quiet) |");
            Console.WriteLine("|---:|---:|---:|---:|---|---|---:|");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {n:N0} | {enforcedMs:F0} ms | {readyMs:F0} ms | {statusWrites.Count:N0} | {objects} | {string.Join(", ", snapshotWrites.Select(r => (r.Resource == "configmaps" ? "cm/" : "secret/") + (r.Name.Length == 0 ? "(created)" : r.Name)))} | {cpu.TotalSeconds:F1} s |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"BENCH scenario=edit users={n} enforced_ms={enforcedMs:F0} ready_ms={readyMs:F0} status_writes={statusWrites.Count} status_objects={statusObjects.Count} reconciler_status_writes={bench.Reconciler.UserStatusWrites - statusWrites0} snapshot_writes={snapshotWrites.Count} cpu_s={cpu.TotalSeconds:F1}"));
        }

        /// <summary>Waits until the API server has seen no write for <paramref name="quiet"/> (Lease renewals excepted).</summary>
        private static async Task WaitQuietAsync(Bench bench, TimeSpan quiet, TimeSpan limit)
        {
            var sw = Stopwatch.StartNew();
            int seen = bench.Cluster.Server.Requests.Count;
            var lastWrite = Stopwatch.StartNew();
            while (lastWrite.Elapsed < quiet && sw.Elapsed < limit)
            {
                await Task.Delay(100, ProductContext.Ct);
                var all = bench.Cluster.Server.Requests;
                if (all.Skip(seen).Any(r => Bench.IsWrite(r) && r.Resource is not "leases" and not "events"))
                {
                    lastWrite.Restart();
                }

                seen = all.Count;
            }
        }

        private static TimeSpan Cpu()
        {
            using var p = Process.GetCurrentProcess();
            return p.TotalProcessorTime;
        }

        private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

        /// <summary>Nearest-rank percentile.</summary>
        private static double P(List<double> values, double p)
        {
            if (values.Count == 0)
            {
                return double.NaN;
            }

            var sorted = values.Order().ToList();
            int rank = Math.Max(1, (int)Math.Ceiling(p * sorted.Count));
            return sorted[rank - 1];
        }

        private static string Stats(List<double> ms) =>
            string.Create(CultureInfo.InvariantCulture, $"{P(ms, 0.5):F0} / {P(ms, 0.99):F0} / {P(ms, 1):F0} ms");
    }
}
