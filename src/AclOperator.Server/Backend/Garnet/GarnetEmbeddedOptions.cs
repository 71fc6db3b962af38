using System.Globalization;

namespace AclOperator.Server.Backend.Garnet;

/// <summary>Settings for the embedded Garnet store (<see cref="GarnetEmbeddedBackend"/>).</summary>
public sealed record GarnetEmbeddedOptions
{
    /// <summary>Default Lua script timeout.</summary>
    public static readonly TimeSpan DefaultLuaTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Memory for the store (main log plus hash index), Redis/Garnet size syntax (<c>256m</c>, <c>1g</c>). Null sizes
    /// it from the container limit (<see cref="DefaultMemorySize"/>).
    /// </summary>
    public string? MemorySize { get; init; }

    /// <summary>Directory for checkpoints (SAVE/BGSAVE) and recovery at start. Null keeps everything in memory only.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>Whether EVAL/EVALSHA/SCRIPT/FUNCTION run. Off by default: scripts bypass the front end's key checks.</summary>
    public bool EnableLua { get; init; }

    /// <summary>Longest a Lua script may run before Garnet aborts it.</summary>
    public TimeSpan LuaTimeout { get; init; } = DefaultLuaTimeout;

    /// <summary>Memory limit for each Lua script invocation (Garnet size syntax).</summary>
    public string LuaMemoryLimit { get; init; } = "16m";

    /// <summary>Number of logical databases (SELECT 0..n-1).</summary>
    public int DatabaseCount { get; init; } = 16;

    /// <summary>
    /// Bytes of the pinned per-session reply buffer. Garnet splits larger replies into several sends, so this bounds
    /// memory per session, not reply size.
    /// </summary>
    public int ResponseBufferSize { get; init; } = 16 * 1024;

    /// <summary>Used when no container memory limit can be read.</summary>
    public const long FallbackMemoryBytes = 256L * 1024 * 1024;

    /// <summary>
    /// Half of the cgroup memory limit (v2 <c>memory.max</c>, else v1 <c>memory.limit_in_bytes</c>), between 64 MiB and
    /// 64 GiB; 256 MiB when no limit can be read. The rest is left to the .NET heap, connections and buffers.
    /// </summary>
    public static long DefaultMemoryBytes()
    {
        long? limit = ReadCgroupLimit("/sys/fs/cgroup/memory.max") ?? ReadCgroupLimit("/sys/fs/cgroup/memory/memory.limit_in_bytes");
        if (limit is not long l)
        {
            return FallbackMemoryBytes;
        }

        return Math.Clamp(l / 2, 64L * 1024 * 1024, 64L * 1024 * 1024 * 1024);
    }

    /// <summary><see cref="DefaultMemoryBytes"/> as a size string.</summary>
    public static string DefaultMemorySize() => (DefaultMemoryBytes() / (1024 * 1024)).ToString(CultureInfo.InvariantCulture) + "m";

    internal static long? ReadCgroupLimit(string path)
    {
        try
        {
            if (!File.Exists(path))
            {
                return null;
            }

            string text = File.ReadAllText(path).Trim();
            // "max" (v2) or a page-rounded 2^63-ish value (v1) mean "no limit".
            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value) && value > 0 && value < (1L << 50))
            {
                return value;
            }

            return null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Parses <c>123</c>, <c>64k</c>, <c>256m</c>, <c>1g</c> (also <c>kb</c>/<c>mb</c>/<c>gb</c>), case-insensitive.</summary>
    public static long ParseSize(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        string s = value.Trim().ToLowerInvariant();
        if (s.EndsWith('b') && s.Length > 1 && !char.IsAsciiDigit(s[^2]))
        {
            s = s[..^1];
        }

        long multiplier = 1;
        if (s.Length > 0)
        {
            switch (s[^1])
            {
                case 'k': multiplier = 1L << 10; s = s[..^1]; break;
                case 'm': multiplier = 1L << 20; s = s[..^1]; break;
                case 'g': multiplier = 1L << 30; s = s[..^1]; break;
                case 't': multiplier = 1L << 40; s = s[..^1]; break;
                default: break;
            }
        }

        if (!long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out long n) || n <= 0)
        {
            throw new FormatException($"Invalid memory size '{value}'.");
        }

        return checked(n * multiplier);
    }
}
