using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AclOperator.Api.V1Alpha1;
using AclOperator.Operator.Runtime;
using AclOperator.Testing.FakeKube;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;

// Memory and CPU of the informer cache holding N RedisAclUsers.
//   dotnet run -c Release [-- <count>]        starts the fake API server, creates the users, then measures in a child
//                                             process (so the server's own memory is not counted), twice: with the
//                                             default transform (managedFields stripped) and keeping managedFields.
//   dotnet InformerMemory.dll measure <url> <count> <strip|keep>   the child: one informer, synced, then GC and report.
if (args is ["measure", var url, var countText, var transform])
{
    return await Measure.RunAsync(new Uri(url), int.Parse(countText, CultureInfo.InvariantCulture), transform == "strip");
}
var count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
await using var server = await FakeKubeServer.StartAsync(new FakeKubeOptions { WatchHistorySize = count + 1000 });
using var http = new HttpClient { BaseAddress = server.BaseAddress };
using (var crd = new StringContent(Seed.Crd, Encoding.UTF8))
{
    crd.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json");
    (await http.PostAsync(new Uri("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", UriKind.Relative), crd)).EnsureSuccessStatusCode();
}
var created = Stopwatch.StartNew();
await Seed.CreateUsersAsync(server, count);
Console.WriteLine($"created {count} RedisAclUsers in {created.Elapsed.TotalSeconds:F1} s; measuring in a child process");
Console.WriteLine("| cache transform | objects | working set | working set growth | managed heap after GC | CPU time to sync | wall time to sync |");
Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
foreach (var mode in new[] { "strip", "keep" })
{
    var child = Process.Start(new ProcessStartInfo("dotnet", [typeof(Seed).Assembly.Location, "measure", server.BaseAddress.ToString(), count.ToString(CultureInfo.InvariantCulture), mode])
    {
        RedirectStandardOutput = true,
        UseShellExecute = false,
    })!;
    var output = await child.StandardOutput.ReadToEndAsync();
    await child.WaitForExitAsync();
    if (child.ExitCode != 0)
    {
        Console.Error.WriteLine(output);
        return 1;
    }
    Console.Write(output);
}
return 0;

internal static class Seed
{
    public const string Crd = """
        {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"redisaclusers.aclop.dev"},
         "spec":{"group":"aclop.dev","names":{"kind":"RedisAclUser","plural":"redisaclusers","singular":"redisacluser","listKind":"RedisAclUserList"},
          "scope":"Namespaced","versions":[{"name":"v1alpha1","served":true,"storage":true,"subresources":{"status":{}},
          "schema":{"openAPIV3Schema":{"type":"object","properties":{
            "spec":{"type":"object","x-kubernetes-preserve-unknown-fields":true},
            "status":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}}}]}}
        """;

    /// <summary>A realistic user: labels, two password Secrets, a RedisAcl, a few rules and a selector.</summary>
    public static RedisAclUser User(int i) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = $"app-{i:D5}",
            NamespaceProperty = "default",
            Labels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = $"service-{i % 200}", ["team"] = $"team-{i % 20}" },
        },
        Spec = new RedisAclUserSpec
        {
            ServerRef = new ServerRef { Name = "main" },
            Passwords =
            [
                new PasswordSource { SecretKeyRef = new SecretKeyRef { Name = $"app-{i:D5}-pw", Key = "password" } },
                new PasswordSource { SecretKeyRef = new SecretKeyRef { Name = $"app-{i:D5}-pw-next", Key = "password" } },
            ],
            Acls = ["read-only"],
            Rules = ["+@read", "+@write", "-@dangerous", $"~service{i % 200}:*", $"%R~shared:{i % 50}:*", "&events:*"],
            Selectors = ["+get ~cache:*"],
        },
    };

    public static async Task CreateUsersAsync(FakeKubeServer server, int count)
    {
        using var client = server.CreateClient();
        var resources = new KubernetesResourceClient(client);
        var resource = ApiResource.For<RedisAclUser>();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
            await resources.CreateAsync(resource, "default", User(i), ct));
    }
}

internal static class Measure
{
    public static async Task<int> RunAsync(Uri server, int expected, bool strip)
    {
        using var process = Process.GetCurrentProcess();
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = server.ToString().TrimEnd('/') });
        var resources = new KubernetesResourceClient(client);
        // Warm up the HTTP stack and JSON metadata on a small list so the figures are the cache, not the first-call costs.
        _ = await resources.ListAsync<ResourceList<RedisAclUser>>(ApiResource.For<RedisAclUser>(), null, new ListRequest { Limit = 1 }, CancellationToken.None);
        Settle();
        process.Refresh();
        var baseline = process.WorkingSet64;
        var cpu0 = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var informer = new SharedInformer<RedisAclUser>(resources, new InformerOptions<RedisAclUser>
        {
            Resource = ApiResource.For<RedisAclUser>(),
            Transform = strip ? CacheTransforms.StripManagedFields : static u => u,
        }, NullLogger<SharedInformer<RedisAclUser>>.Instance);
        using var stop = new CancellationTokenSource();
        var run = informer.RunAsync(stop.Token);
        await informer.WaitForSyncAsync(CancellationToken.None);
        wall.Stop();
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpu0;
        Settle();
        process.Refresh();
        var workingSet = process.WorkingSet64;
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        if (informer.Cache.Count != expected)
        {
            Console.Error.WriteLine($"cache holds {informer.Cache.Count}, expected {expected}");
            return 1;
        }
        static string MiB(long bytes) => (bytes / 1024.0 / 1024.0).ToString("F1", CultureInfo.InvariantCulture) + " MiB";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {(strip ? "managedFields stripped (default)" : "managedFields kept")} | {informer.Cache.Count:N0} | {MiB(workingSet)} | {MiB(workingSet - baseline)} | {MiB(heap)} | {cpu.TotalSeconds:F2} s | {wall.Elapsed.TotalSeconds:F2} s |"));
        GC.KeepAlive(informer);
        await stop.CancelAsync();
        await run;
        return 0;
    }

    private static void Settle()
    {
        for (var i = 0; i < 2; i++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
    }
}
