using AclOperator.Api.V1Alpha1;

namespace AclOperator.Api.Compilation;

/// <summary>Reads Secret values for the compiler: the operator from its Secret cache, local mode from files.</summary>
public interface ISecretResolver
{
    /// <summary>The value of <paramref name="reference"/> in <paramref name="objectNamespace"/> (null: the server's namespace).</summary>
    SecretLookup Resolve(string? objectNamespace, SecretKeyRef reference);

    /// <summary>
    /// For a cleartext password: the lowercase SHA-256 hex of the value, as ASCII bytes. Resolvers that keep only hashes
    /// (the operator, O3) answer from them; the default hashes <see cref="Resolve"/>'s value and zeroes it.
    /// </summary>
    SecretLookup ResolvePasswordHash(string? objectNamespace, SecretKeyRef reference)
    {
        var lookup = Resolve(objectNamespace, reference);
        if (lookup.Status != SecretLookupStatus.Found)
        {
            return lookup;
        }

        var value = lookup.Value ?? [];
        try
        {
            return SecretLookup.Found(System.Text.Encoding.ASCII.GetBytes(AclOperator.Acl.Passwords.PasswordHasher.Hash(value)));
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(value);
        }
    }
}
