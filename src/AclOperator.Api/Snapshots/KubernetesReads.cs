using System.Net;
using k8s.Autorest;

namespace AclOperator.Api.Snapshots;

/// <summary>Reads by name where "not there" is an answer, not an error.</summary>
public static class KubernetesReads
{
    /// <summary>The object, or null when the API answers 404; every other failure is thrown.</summary>
    public static async Task<T?> OrNullAsync<T>(Task<T> read)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(read);
        try
        {
            return await read.ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }
}
