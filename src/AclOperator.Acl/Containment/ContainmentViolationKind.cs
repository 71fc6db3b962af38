namespace AclOperator.Acl.Containment;

/// <summary>Which dimension of a user exceeds the rule ceiling (O2).</summary>
public enum ContainmentViolationKind
{
    /// <summary>The user has <c>nopass</c> and the ceiling does not allow it.</summary>
    NoPass,

    /// <summary>The selector has the "future commands" bit (<c>+@all</c>) and the ceiling does not.</summary>
    AllCommands,

    /// <summary>A command or subcommand bit the ceiling does not set.</summary>
    Command,

    /// <summary>A legacy first-arg allowance (<c>+select|0</c>) the ceiling neither grants as a whole nor by the same first-arg.</summary>
    FirstArg,

    /// <summary><c>allkeys</c> (<c>~*</c>) while the ceiling lacks <c>allkeys</c>.</summary>
    AllKeys,

    /// <summary>A key pattern no ceiling pattern covers with at least the same access.</summary>
    Key,

    /// <summary><c>allchannels</c> (<c>&amp;*</c>) while the ceiling lacks <c>allchannels</c>.</summary>
    AllChannels,

    /// <summary>A channel pattern no ceiling channel pattern covers.</summary>
    Channel,
}
