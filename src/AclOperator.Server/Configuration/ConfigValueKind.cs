namespace AclOperator.Server.Configuration;

/// <summary>How a directive's value is parsed and how CONFIG GET renders it.</summary>
public enum ConfigValueKind
{
    /// <summary><c>yes</c>/<c>no</c>.</summary>
    Bool,

    /// <summary>A decimal integer with bounds.</summary>
    Integer,

    /// <summary>An octal integer (<c>unixsocketperm</c>).</summary>
    Octal,

    /// <summary>A byte count accepting units (<c>1gb</c>, <c>512mb</c>, <c>100k</c>); rendered in bytes.</summary>
    Memory,

    /// <summary>One of a fixed list of names.</summary>
    Enum,

    /// <summary>Free text (paths, passwords).</summary>
    String,

    /// <summary>Several arguments with their own grammar (<c>bind</c>, <c>save</c>, <c>client-output-buffer-limit</c>, <c>replicaof</c>).</summary>
    Special,
}
