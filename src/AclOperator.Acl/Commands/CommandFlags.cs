namespace AclOperator.Acl.Commands;

/// <summary>Redis command flags (<c>command_flags</c> in the command JSON).</summary>
[Flags]
public enum CommandFlags : uint
{
    None = 0,
    Write = 1u << 0,
    ReadOnly = 1u << 1,
    DenyOom = 1u << 2,
    Module = 1u << 3,
    Admin = 1u << 4,
    PubSub = 1u << 5,
    NoScript = 1u << 6,
    Blocking = 1u << 7,
    Loading = 1u << 8,
    Stale = 1u << 9,
    SkipMonitor = 1u << 10,
    SkipSlowlog = 1u << 11,
    Asking = 1u << 12,
    Fast = 1u << 13,
    NoAuth = 1u << 14,
    MayReplicate = 1u << 15,
    Sentinel = 1u << 16,
    OnlySentinel = 1u << 17,
    NoMandatoryKeys = 1u << 18,
    Protected = 1u << 19,
    NoAsyncLoading = 1u << 20,
    NoMulti = 1u << 21,
    AllowBusy = 1u << 22,
    TouchesArbitraryKeys = 1u << 23,
    /// <summary>Not in the JSON: set by the loader when a command's keys cannot be found from its key specs alone
    /// (an <c>unknown</c>/<c>incomplete</c>/<c>variable_flags</c> spec, or a keynum/keyword search), as Redis's
    /// <c>CMD_MOVABLE_KEYS</c>.</summary>
    MovableKeys = 1u << 24,
}
