using System.Text.Json;
using System.Text.Json.Serialization;
using AclOperator.Api.Snapshots;

namespace AclOperator.Server.AclRuntime.Kubernetes;

/// <summary>
/// The last applied snapshot kept on the pod's disk (O7): the verified shards with their manifest references, the
/// runtime users, and when they were last verified against the API. It holds password hashes, so it is written with
/// mode 0600, atomically (temporary file, fsync, rename), and never logged.
/// </summary>
internal sealed class LastGoodSnapshot
{
    public const int CurrentFormat = 1;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public int FormatVersion { get; set; } = CurrentFormat;

    public string Namespace { get; set; } = "";

    public string Server { get; set; } = "";

    public long Revision { get; set; }

    /// <summary>When this content was last read from (or confirmed by) the API.</summary>
    public DateTimeOffset VerifiedAt { get; set; }

    public ManifestDocument Manifest { get; set; } = new();

    public List<Shard> Shards { get; set; } = [];

    public List<RuntimeUser> RuntimeUsers { get; set; } = [];

    /// <summary>One verified shard pair with its entries.</summary>
    internal sealed class Shard
    {
        public int Index { get; set; }

        public ShardReference Rules { get; set; } = new();

        public ShardReference Hashes { get; set; } = new();

        public List<Entry> Entries { get; set; } = [];
    }

    /// <summary>One user of a shard (<see cref="SnapshotEntry"/>).</summary>
    internal sealed class Entry
    {
        public string Name { get; set; } = "";

        public string Rules { get; set; } = "";

        public List<string> Hashes { get; set; } = [];

        public long Since { get; set; }

        public string Fp { get; set; } = "";
    }

    public static LastGoodSnapshot From(string ns, string server, SnapshotContent content, IReadOnlyList<RuntimeUser> runtimeUsers, DateTimeOffset verifiedAt)
    {
        ArgumentNullException.ThrowIfNull(content);
        return new LastGoodSnapshot
        {
            Namespace = ns,
            Server = server,
            Revision = content.Revision,
            VerifiedAt = verifiedAt,
            Manifest = content.Manifest,
            Shards = content.Shards.Select(s => new Shard
            {
                Index = s.Index,
                Rules = s.Rules,
                Hashes = s.Hashes,
                Entries = s.Entries.Select(e => new Entry { Name = e.Name, Rules = e.Rules, Hashes = [.. e.Hashes], Since = e.Since, Fp = e.Fingerprint }).ToList(),
            }).ToList(),
            RuntimeUsers = [.. runtimeUsers],
        };
    }

    /// <summary>The snapshot as the reader returned it (no manifest resourceVersion: it is never trusted across restarts).</summary>
    public SnapshotContent ToContent() => new(
        Revision,
        Manifest,
        Shards.Select(s => new SnapshotShard(s.Index, s.Rules, s.Hashes,
            s.Entries.Select(e => new SnapshotEntry(e.Name, e.Rules, e.Hashes, e.Since, e.Fp)).ToList())).ToList(),
        "");

    public byte[] Serialize() => JsonSerializer.SerializeToUtf8Bytes(this, Json);

    public static LastGoodSnapshot Deserialize(byte[] bytes) =>
        JsonSerializer.Deserialize<LastGoodSnapshot>(bytes, Json) ?? throw new InvalidDataException("empty document");

    /// <summary>Writes <paramref name="path"/> atomically with mode 0600 (the temporary file is created with it).</summary>
    public async Task WriteAsync(string path, CancellationToken cancellationToken)
    {
        var bytes = Serialize();
        var tmp = $"{path}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            var fs = new FileStream(tmp, options);
            await using (fs.ConfigureAwait(false))
            {
                await fs.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
                fs.Flush(flushToDisk: true);
            }

            File.Move(tmp, path, overwrite: true);
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
    }

    /// <summary>Reads <paramref name="path"/>; null when it does not exist. Malformed content throws <see cref="InvalidDataException"/>.</summary>
    public static async Task<LastGoodSnapshot?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        try
        {
            return Deserialize(bytes);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException(e.Message, e);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing more to do; a leftover temporary file is harmless.
        }
    }
}
