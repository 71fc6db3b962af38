namespace AclOperator.Api.Compilation;

/// <summary>The outcome of resolving a secretKeyRef.</summary>
public enum SecretLookupStatus
{
    Found,

    /// <summary>The Secret or the key does not exist: authoritative, the user is revoked (O8).</summary>
    NotFound,

    /// <summary>The value could not be read now (unsynced cache, API error): transient (O8).</summary>
    Unavailable,

    /// <summary>The Secret exists but is not ours to use (a generated-password Secret without our ownerReference, O3).</summary>
    Conflict,
}
