using System.Globalization;

namespace AclOperator.Server.Configuration;

/// <summary>
/// <c>client-output-buffer-limit</c> for the three settable client classes. Canonical form (CONFIG GET):
/// <c>normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60</c>.
/// </summary>
public sealed record ClientOutputBufferLimits(ClientBufferLimit Normal, ClientBufferLimit Replica, ClientBufferLimit Pubsub)
{
    /// <summary>Redis's presets (<c>clientBufferLimitsDefaults</c>).</summary>
    public static ClientOutputBufferLimits Default { get; } = new(
        new ClientBufferLimit(0, 0, 0),
        new ClientBufferLimit(256UL * 1024 * 1024, 64UL * 1024 * 1024, 60),
        new ClientBufferLimit(32UL * 1024 * 1024, 8UL * 1024 * 1024, 60));

    /// <summary>
    /// Applies <c>&lt;class&gt; &lt;hard&gt; &lt;soft&gt; &lt;soft_seconds&gt;</c> groups to this value (classes not named keep
    /// their limits), all-or-nothing, with Redis's error texts (<c>updateClientOutputBufferLimit</c>).
    /// </summary>
    public ClientOutputBufferLimits? Apply(IReadOnlyList<string> args, out string? error)
    {
        ArgumentNullException.ThrowIfNull(args);
        error = null;
        if (args.Count % 4 != 0)
        {
            error = "Wrong number of arguments in buffer limit configuration.";
            return null;
        }

        var result = this;
        for (int j = 0; j < args.Count; j += 4)
        {
            string cls = args[j].ToLowerInvariant();
            if (cls is not ("normal" or "slave" or "replica" or "pubsub"))
            {
                error = "Invalid client class specified in buffer limit configuration.";
                return null;
            }

            if (!ConfigNumbers.TryParseMemory(args[j + 1], out ulong hard) ||
                !ConfigNumbers.TryParseMemory(args[j + 2], out ulong soft) ||
                !ConfigNumbers.TryParseCLong(args[j + 3], out long seconds) || seconds < 0 || seconds > int.MaxValue)
            {
                error = "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
                return null;
            }

            var limit = new ClientBufferLimit(hard, soft, seconds);
            result = cls switch
            {
                "normal" => result with { Normal = limit },
                "pubsub" => result with { Pubsub = limit },
                _ => result with { Replica = limit },
            };
        }

        return result;
    }

    /// <summary>The canonical CONFIG GET rendering.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture,
            $"normal {Normal.HardLimitBytes} {Normal.SoftLimitBytes} {Normal.SoftLimitSeconds} slave {Replica.HardLimitBytes} {Replica.SoftLimitBytes} {Replica.SoftLimitSeconds} pubsub {Pubsub.HardLimitBytes} {Pubsub.SoftLimitBytes} {Pubsub.SoftLimitSeconds}");
}
