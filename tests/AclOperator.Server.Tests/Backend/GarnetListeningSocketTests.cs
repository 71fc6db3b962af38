using AclOperator.Server.Backend;
using AclOperator.Server.Backend.Garnet;
using AclOperator.Server.Tests.Infrastructure;
using Xunit;

namespace AclOperator.Server.Tests.Backend;

/// <summary>
/// The embedded store listens on no socket. It compares this process's listening sockets before and after, so it runs
/// in the non-parallel collection: another test's listener (a RESP or admin port) opened meanwhile would be counted.
/// </summary>
[Collection(nameof(ProcessWideMeasurements))]
public sealed class GarnetListeningSocketTests
{
    [Fact]
    public async Task Starting_garnet_opens_no_listening_socket()
    {
        HashSet<string> before = ListeningSocketInodesOfThisProcess();
        var backend = await GarnetEmbeddedBackend.StartAsync(new GarnetEmbeddedOptions { MemorySize = "32m" }, null, TestContext.Current.CancellationToken);
        try
        {
            var sink = new RecordingSink();
            using (IBackendSession s = backend.OpenSession(sink))
            {
                s.Execute("*1\r\n$4\r\nPING\r\n"u8);
                Assert.Equal("+PONG\r\n", sink.Text);
            }

            HashSet<string> after = ListeningSocketInodesOfThisProcess();
            TestContext.Current.TestOutputHelper?.WriteLine($"listening sockets owned by this process: before {before.Count}, after {after.Count}");
            Assert.Empty(after.Except(before));
        }
        finally
        {
            await backend.DisposeAsync();
        }
    }

    /// <summary>Inodes of TCP sockets in LISTEN state (0A) that this process holds open.</summary>
    private static HashSet<string> ListeningSocketInodesOfThisProcess()
    {
        var own = new HashSet<string>(StringComparer.Ordinal);
        foreach (string fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                string? target = new FileInfo(fd).LinkTarget;
                if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal))
                {
                    own.Add(target[8..^1]);
                }
            }
            catch (IOException)
            {
            }
        }

        var listening = new HashSet<string>(StringComparer.Ordinal);
        foreach (string table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table))
            {
                continue;
            }

            foreach (string line in File.ReadLines(table).Skip(1))
            {
                string[] cols = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (cols.Length > 9 && cols[3] == "0A" && own.Contains(cols[9]))
                {
                    listening.Add(cols[9]);
                }
            }
        }

        return listening;
    }
}
