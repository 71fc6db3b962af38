namespace AclOperator.Acl.Evaluation;

/// <summary>Result of an ACL check; the numeric values are Redis's ACL_* codes, which also rank denials.</summary>
public enum AclCheckOutcome : byte
{
    Allowed = 0,
    DeniedCommand = 1,
    DeniedKey = 2,
    DeniedAuth = 3,
    DeniedChannel = 4,
    /// <summary>Not an ACL denial: the command's keys could not be resolved (see <see cref="AclCheckResult.Error"/>).</summary>
    InvalidArguments = 5,
    /// <summary>SORT/SORT_RO BY or GET without full key read access (<see cref="AclCheckResult.Error"/> has the text).</summary>
    DeniedSortPattern = 6,
}
