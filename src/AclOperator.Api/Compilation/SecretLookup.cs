namespace AclOperator.Api.Compilation;

/// <summary>
/// A resolved secretKeyRef. <see cref="Value"/> is owned by the compiler from then on: it hashes cleartext at once
/// and zeroes the buffer, so resolvers hand over a fresh copy.
/// </summary>
public readonly record struct SecretLookup(SecretLookupStatus Status, byte[]? Value, string? Detail = null)
{
    public static SecretLookup Found(byte[] value) => new(SecretLookupStatus.Found, value);

    public static SecretLookup NotFound(string? detail = null) => new(SecretLookupStatus.NotFound, null, detail);

    public static SecretLookup Unavailable(string? detail = null) => new(SecretLookupStatus.Unavailable, null, detail);

    public static SecretLookup Conflict(string? detail = null) => new(SecretLookupStatus.Conflict, null, detail);
}
