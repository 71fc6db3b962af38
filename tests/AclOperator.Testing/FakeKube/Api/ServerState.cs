using AclOperator.Testing.FakeKube.Resources;
using AclOperator.Testing.FakeKube.Storage;

namespace AclOperator.Testing.FakeKube.Api;

/// <summary>Everything the request handlers and controllers share.</summary>
internal sealed class ServerState
{
    private int _nextClusterIp = 10;

    public ServerState(FakeKubeOptions options, TimeProvider clock)
    {
        Options = options;
        Clock = clock;
        Store = new ObjectStore(options.WatchHistorySize, 1000);
        Catalog = new ResourceCatalog();
        Faults = new FakeKubeFaults();
    }

    public FakeKubeOptions Options { get; }

    public TimeProvider Clock { get; }

    public ObjectStore Store { get; }

    public ResourceCatalog Catalog { get; }

    public FakeKubeFaults Faults { get; }

    public DateTimeOffset Now => Clock.GetUtcNow();

    public string AllocateClusterIp()
    {
        var n = Interlocked.Increment(ref _nextClusterIp);
        return $"10.96.{n / 250}.{n % 250 + 1}";
    }

    private const string NameAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    /// <summary>The 5-character suffix of generateName (k8s.io/apiserver/pkg/storage/names).</summary>
    public static string RandomSuffix()
    {
        Span<char> chars = stackalloc char[5];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = NameAlphabet[System.Security.Cryptography.RandomNumberGenerator.GetInt32(NameAlphabet.Length)];
        }
        return new string(chars);
    }
}
