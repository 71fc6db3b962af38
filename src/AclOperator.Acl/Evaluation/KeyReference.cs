using AclOperator.Acl.Commands;

namespace AclOperator.Acl.Evaluation;

/// <summary>One key of a call: its argv index and the effective key-spec flags for this call (for example
/// <c>RW|ACCESS|UPDATE</c> for <c>SET k v GET</c>, <c>OW|UPDATE</c> without GET), as Redis's key extraction returns
/// them.</summary>
/// <param name="Index">argv index of the key (argv[0] is the command name).</param>
/// <param name="Flags">Effective key-spec flags for this call.</param>
public readonly record struct KeyReference(int Index, KeySpecFlags Flags);
