using System.Net;
using AclOperator.Api.Snapshots;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace AclOperator.Server.AclRuntime.Kubernetes;

/// <summary>
/// Reports the enforced revision on the pod's own Lease <c>&lt;server&gt;-&lt;ordinal&gt;</c> (O5, O12): a GET and a
/// replace with its resourceVersion, by name only, changing nothing but <c>spec.holderIdentity</c>,
/// <c>spec.renewTime</c>, the <c>aclop.dev/enforced-revision</c> annotation and the <c>aclop.dev/acl-denials</c>
/// report (<see cref="DenialReport"/>: counts by user, never a key). The operator creates the Lease; when it is
/// missing the pod creates it. Nothing else is ever written (no patch of any other object).
/// </summary>
internal sealed class LeaseReporter
{
    private readonly IKubernetes _client;
    private readonly KubernetesSourceOptions _options;
    private readonly string _name;
    private readonly TimeProvider _time;

    public LeaseReporter(IKubernetes client, KubernetesSourceOptions options, string podName, TimeProvider time)
    {
        _client = client;
        _options = options;
        _name = podName;
        _time = time;
    }

    /// <summary>Renews the Lease with <paramref name="revision"/> and <paramref name="denials"/>; API failures are thrown (<see cref="HttpOperationException"/>).</summary>
    public async Task ReportAsync(string revision, DenialReport? denials, CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            var lease = await KubernetesReads.OrNullAsync(_client.CoordinationV1.ReadNamespacedLeaseAsync(_name, _options.Namespace, cancellationToken: cancellationToken)).ConfigureAwait(false);

            try
            {
                if (lease is null)
                {
                    await _client.CoordinationV1.CreateNamespacedLeaseAsync(New(revision, denials), _options.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    Renew(lease, revision, denials);
                    await _client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, _name, _options.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
                }

                return;
            }
            catch (HttpOperationException e) when (e.Response?.StatusCode == HttpStatusCode.Conflict && attempt < 3)
            {
                // Changed (or created) since our read: read it again.
            }
        }
    }

    private void Renew(V1Lease lease, string revision, DenialReport? denials)
    {
        lease.Spec ??= new V1LeaseSpec();
        lease.Spec.HolderIdentity = _name;
        lease.Spec.RenewTime = _time.GetUtcNow().UtcDateTime;
        lease.Metadata.Annotations ??= new Dictionary<string, string>();
        lease.Metadata.Annotations[SnapshotNames.EnforcedRevisionAnnotation] = revision;
        if (denials is not null)
        {
            lease.Metadata.Annotations[SnapshotNames.DenialsAnnotation] = denials.Serialize();
        }
        else
        {
            lease.Metadata.Annotations.Remove(SnapshotNames.DenialsAnnotation);
        }
    }

    private V1Lease New(string revision, DenialReport? denials)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        var lease = new V1Lease
        {
            Metadata = new V1ObjectMeta
            {
                Name = _name,
                NamespaceProperty = _options.Namespace,
                Labels = new Dictionary<string, string>
                {
                    [SnapshotNames.NameLabel] = SnapshotNames.AppName,
                    [SnapshotNames.InstanceLabel] = _options.Server,
                    [SnapshotNames.ServerLabel] = _options.Server,
                },
            },
            Spec = new V1LeaseSpec { AcquireTime = now, LeaseDurationSeconds = _options.LeaseDurationSeconds },
        };
        Renew(lease, revision, denials);
        return lease;
    }
}
