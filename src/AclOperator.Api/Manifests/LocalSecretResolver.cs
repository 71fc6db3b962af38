using System.Text;
using AclOperator.Api.Compilation;
using AclOperator.Api.V1Alpha1;

namespace AclOperator.Api.Manifests;

/// <summary>
/// Local mode's secretKeyRef resolution, first match wins: a Secret manifest in the folder (<c>stringData</c> or
/// <c>data</c>); the file <c>&lt;dir&gt;/secrets/&lt;name&gt;/&lt;key&gt;</c> (the layout of a mounted Secret volume, bytes as
/// they are); the environment variable <c>ACLOP_SECRET_&lt;NAME&gt;_&lt;KEY&gt;</c> (upper case, other characters as
/// <c>_</c>). Shared by the server's local mode and <c>aclctl compile</c>.
/// </summary>
/// <param name="manifests">The files read; their Secret manifests come first.</param>
/// <param name="folder">The folder whose <c>secrets/&lt;name&gt;/&lt;key&gt;</c> files are read.</param>
/// <param name="environment">Environment lookup for <c>ACLOP_SECRET_*</c>.</param>
public sealed class LocalSecretResolver(ManifestSet manifests, string folder, Func<string, string?> environment) : ISecretResolver
{
    public SecretLookup Resolve(string? objectNamespace, SecretKeyRef reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (manifests.SecretValue(objectNamespace, reference.Name, reference.Key) is { } fromManifest)
        {
            return SecretLookup.Found(fromManifest);
        }

        // Names and keys are schema-checked (no '/'); '.' and '..' would still leave the secrets folder.
        if (reference.Key is not ("." or "..") && reference.Name is not ("." or ".."))
        {
            var path = Path.Combine(folder, "secrets", reference.Name, reference.Key);
            try
            {
                if (File.Exists(path))
                {
                    return SecretLookup.Found(File.ReadAllBytes(path));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return SecretLookup.Unavailable($"secrets/{reference.Name}/{reference.Key}: {StrError(e)}");
            }
        }

        string variable = EnvironmentVariableName(reference);
        if (environment(variable) is { } value)
        {
            return SecretLookup.Found(Encoding.UTF8.GetBytes(value));
        }

        return SecretLookup.NotFound($"no Secret manifest, no file secrets/{reference.Name}/{reference.Key}, no environment variable {variable}");
    }

    /// <summary><c>ACLOP_SECRET_&lt;NAME&gt;_&lt;KEY&gt;</c>: upper case, every character other than A-Z and 0-9 as <c>_</c>.</summary>
    public static string EnvironmentVariableName(SecretKeyRef reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return "ACLOP_SECRET_" + Normalize(reference.Name) + "_" + Normalize(reference.Key);

        static string Normalize(string s) => string.Create(s.Length, s, static (dst, src) =>
        {
            for (int i = 0; i < src.Length; i++)
            {
                char c = char.ToUpperInvariant(src[i]);
                dst[i] = c is (>= 'A' and <= 'Z') or (>= '0' and <= '9') ? c : '_';
            }
        });
    }

    /// <summary>The C library's strerror text for the usual file errors, as Redis prints them.</summary>
    private static string StrError(Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => "No such file or directory",
        UnauthorizedAccessException => "Permission denied",
        _ => e.Message,
    };
}
