using AclOperator.Api.Compilation;
using AclOperator.Api.Manifests;
using AclOperator.Api.V1Alpha1;

namespace AclOperator.Cli.Commands;

/// <summary>
/// Secrets for <c>validate</c>: a Secret manifest among the files answers as it would in the cluster (a missing key is
/// an error); any other reference stands for a Secret that exists elsewhere and gets a placeholder that is both a
/// valid password and a valid SHA-256 hex hash.
/// </summary>
internal sealed class PlaceholderSecretResolver(ManifestSet manifests) : ISecretResolver
{
    private const string Placeholder = "0000000000000000000000000000000000000000000000000000000000000000";

    public SecretLookup Resolve(string? objectNamespace, SecretKeyRef reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (manifests.SecretValue(objectNamespace, reference.Name, reference.Key) is { } value)
        {
            return SecretLookup.Found(value);
        }

        return manifests.HasSecret(objectNamespace, reference.Name)
            ? SecretLookup.NotFound("the Secret manifest among the files has no such key")
            : SecretLookup.Found(System.Text.Encoding.ASCII.GetBytes(Placeholder));
    }
}
