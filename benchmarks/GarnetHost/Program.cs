using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using Garnet;
using Garnet.server;

// garnet-host [--port N] [--bind ADDR] [--memory SIZE] [--enable-lua yes|no]
// A minimal host of Microsoft.Garnet with its normal TCP listener and no auth: the "Garnet directly" reference of
// benchmarks/throughput.sh. The store is sized like aclop-server's embedded backend (GarnetEmbeddedBackend): of the
// total, an eighth (power of two, 1 MiB..1 GiB) for the hash index, the rest for the log, pages of log/16 (1..16 MiB).
int port = 6379;
string bind = "127.0.0.1";
string memory = "256m";
bool lua = true;
for (int i = 0; i < args.Length; i++)
{
    string next = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--port": port = int.Parse(next, CultureInfo.InvariantCulture); i++; break;
        case "--bind": bind = next; i++; break;
        case "--memory": memory = next; i++; break;
        case "--enable-lua": lua = next is "yes" or "true"; i++; break;
        default:
            Console.Error.WriteLine("usage: garnet-host [--port N] [--bind ADDR] [--memory SIZE] [--enable-lua yes|no]");
            return 2;
    }
}

long total = Math.Max(ParseSize(memory), 16L << 20);
long index = Math.Clamp(PreviousPowerOf2(total / 8), 1L << 20, 1L << 30);
long log = total - index;
long page = Math.Clamp(PreviousPowerOf2(log / 16), 1L << 20, 16L << 20);

var options = new GarnetServerOptions
{
    EndPoints = [new IPEndPoint(IPAddress.Parse(bind), port)],
    QuietMode = true,
    LogMemorySize = log.ToString(CultureInfo.InvariantCulture),
    PageSize = page.ToString(CultureInfo.InvariantCulture),
    IndexMemorySize = index.ToString(CultureInfo.InvariantCulture),
    EnableStorageTier = false,
    EnableLua = lua,
    LuaOptions = new LuaOptions(null),
    EnableCluster = false,
    EnableAOF = false,
    NetworkConnectionLimit = -1,
};

using var garnet = new GarnetServer(options, loggerFactory: null, servers: null, cleanupDir: false);
garnet.Start();
Console.WriteLine($"garnet-host ready on {bind}:{port} (log {log >> 20} MiB, page {page >> 20} MiB, index {index >> 20} MiB)");

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx =>
{
    ctx.Cancel = true;
    stop.Cancel();
});
try
{
    await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
}
catch (OperationCanceledException)
{
}

return 0;

static long PreviousPowerOf2(long v) => v <= 1 ? 1 : 1L << (63 - (int)long.LeadingZeroCount(v));

static long ParseSize(string value)
{
    string s = value.Trim().ToLowerInvariant().TrimEnd('b');
    long multiplier = 1;
    if (s.Length > 0 && s[^1] is 'k' or 'm' or 'g')
    {
        multiplier = s[^1] switch { 'k' => 1L << 10, 'm' => 1L << 20, _ => 1L << 30 };
        s = s[..^1];
    }

    return long.Parse(s, NumberStyles.None, CultureInfo.InvariantCulture) * multiplier;
}
