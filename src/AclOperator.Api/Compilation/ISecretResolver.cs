using AclOperator.Api.V1Alpha1;

namespace AclOperator.Api.Compilation;

/// <summary>Reads Secret values for the compiler: the operator from its Secret cache, local mode from files.</summary>
public interface ISecretResolver
{
    /// <summary>The value of <paramref name="reference"/> in <paramref name="objectNamespace"/> (null: the server's namespace).</summary>
    SecretLookup Resolve(string? objectNamespace, SecretKeyRef reference);
}
