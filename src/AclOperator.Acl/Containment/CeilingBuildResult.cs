using AclOperator.Acl.Users;

namespace AclOperator.Acl.Containment;

/// <summary>The outcome of <see cref="AclContainment.BuildCeiling"/>.</summary>
/// <param name="Ceiling">The ceiling as a one-selector pseudo-user, or null when the rule list is invalid.</param>
/// <param name="AllowsNoPass">True when the ceiling rule list contains <c>nopass</c>.</param>
/// <param name="Error">Why the rule list was rejected, or null.</param>
public sealed record CeilingBuildResult(AclUser? Ceiling, bool AllowsNoPass, string? Error)
{
    public bool Succeeded => Ceiling is not null;
}
