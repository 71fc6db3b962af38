namespace AclOperator.Api.Snapshots;

/// <summary>The JSON inside a rules shard (no secrets).</summary>
public sealed class RulesShardDocument
{
    public long Revision { get; set; }

    public int Index { get; set; }

    public List<RulesShardUser> Users { get; set; } = [];
}

/// <summary>A user's rules in a rules shard.</summary>
public sealed class RulesShardUser
{
    public string Name { get; set; } = "";

    public string Rules { get; set; } = "";

    public long Since { get; set; }

    public string Fp { get; set; } = "";

    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Src { get; set; }
}
