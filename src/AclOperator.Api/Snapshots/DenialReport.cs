using System.Text.Json;
using System.Text.Json.Serialization;

namespace AclOperator.Api.Snapshots;

/// <summary>
/// What an enforcement pod puts in its Lease's <c>aclop.dev/acl-denials</c> annotation at each renewal: ACL denials by
/// user since the process started (<see cref="Since"/> tells a restart), counts only — never a key, channel or command
/// argument. The operator turns increases into rate-limited Warning events on the RedisAclUser. At most
/// <see cref="MaxUsers"/> users, the most recently denied first, so the annotation stays small.
/// </summary>
public sealed class DenialReport
{
    /// <summary>Users kept in one report (about 60 bytes each).</summary>
    public const int MaxUsers = 200;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault,
    };

    /// <summary>When the reporting process started (RFC 3339); counts restart from zero with a new value.</summary>
    public string Since { get; set; } = "";

    public Dictionary<string, DenialCounts> Users { get; set; } = new(StringComparer.Ordinal);

    public string Serialize() => JsonSerializer.Serialize(this, Json);

    /// <summary>The report in <paramref name="text"/>, or null when it is absent or not a report (never throws).</summary>
    public static DenialReport? Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        try
        {
            var report = JsonSerializer.Deserialize<DenialReport>(text, Json);
            if (report is null)
            {
                return null;
            }

            report.Users = new Dictionary<string, DenialCounts>(report.Users ?? [], StringComparer.Ordinal);
            return report;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>One user's denials by reason (the <c>reason</c> values of ACL LOG: auth, command, key, channel).</summary>
public sealed record DenialCounts
{
    public long Auth { get; init; }

    public long Command { get; init; }

    public long Key { get; init; }

    public long Channel { get; init; }

    [JsonIgnore]
    public long Total => Auth + Command + Key + Channel;

    /// <summary>What grew since <paramref name="before"/>; a count that went down (a restart) counts from zero.</summary>
    public DenialCounts Since(DenialCounts? before) => before is null ? this : new DenialCounts
    {
        Auth = Grown(Auth, before.Auth),
        Command = Grown(Command, before.Command),
        Key = Grown(Key, before.Key),
        Channel = Grown(Channel, before.Channel),
    };

    public DenialCounts Plus(DenialCounts other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new DenialCounts { Auth = Auth + other.Auth, Command = Command + other.Command, Key = Key + other.Key, Channel = Channel + other.Channel };
    }

    private static long Grown(long now, long before) => now >= before ? now - before : now;
}
