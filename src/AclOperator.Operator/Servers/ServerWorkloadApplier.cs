using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using AclOperator.Api.V1Alpha1;
using AclOperator.Operator.Runtime;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AclOperator.Operator.Servers;

/// <summary>
/// Applies a server's rendered objects with server-side apply (field manager <see cref="FieldManager"/>, force, O12)
/// and deletes the owned objects that are no longer rendered. Each applied object carries the SHA-256 of its rendered
/// form in <see cref="AppliedHashAnnotation"/>; an object whose annotation matches is not written again, so a steady
/// state costs one metadata-only LIST per owned kind and no writes.
/// <para>
/// Only objects with a controller reference to this server (by uid) are written or deleted. An object of a rendered
/// name that belongs to anything else is reported in <see cref="ApplyOutcome.Conflicts"/> and never adopted; one left
/// by an earlier server of the same name waits for the garbage collector. Drift made by hand in fields the operator
/// sets is not detected until the rendered form changes.
/// </para>
/// </summary>
public sealed partial class ServerWorkloadApplier
{
    /// <summary>The field manager of every apply.</summary>
    public const string FieldManager = "aclop-operator";

    /// <summary>SHA-256 (hex) of the object as last applied, without this annotation.</summary>
    public const string AppliedHashAnnotation = "aclop.dev/applied-hash";

    /// <summary>On StatefulSets: SHA-256 (hex) of the spec fields the API server refuses to change.</summary>
    public const string ImmutableHashAnnotation = "aclop.dev/immutable-hash";

    /// <summary>The spec fields of a StatefulSet that validation forbids changing (apps/validation ValidateStatefulSetUpdate).</summary>
    private static readonly string[] ImmutableStatefulSetFields = ["selector", "serviceName", "podManagementPolicy", "volumeClaimTemplates"];

    /// <summary>The kinds a server owns. Applying anything else is refused: it could not be pruned.</summary>
    public static IReadOnlyList<ApiResource> OwnedResources { get; } =
    [
        ApiResource.For<V1ServiceAccount>(),
        ApiResource.For<V1Role>(),
        ApiResource.For<V1RoleBinding>(),
        ApiResource.For<V1Lease>(),
        ApiResource.For<V1Service>(),
        ApiResource.For<V1NetworkPolicy>(),
        ApiResource.For<V1PodDisruptionBudget>(),
        ApiResource.For<V1StatefulSet>(),
    ];

    private readonly KubernetesResourceClient _client;
    private readonly ILogger _logger;

    public ServerWorkloadApplier(KubernetesResourceClient client, ILogger<ServerWorkloadApplier>? logger = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>
    /// Brings the server's owned objects to <paramref name="desired"/> (normally
    /// <see cref="ServerWorkloadRenderer.Render"/>'s result), in its order, then deletes owned objects not in it.
    /// API errors are thrown (the reconciler backs off and retries); what was done before the error stays done.
    /// </summary>
    public async Task<ApplyOutcome> ApplyAsync(RedisAclServer server, IReadOnlyList<IKubernetesObject<V1ObjectMeta>> desired, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(desired);
        var ns = server.Metadata.NamespaceProperty;
        var name = server.Metadata.Name;
        if (string.IsNullOrEmpty(ns) || string.IsNullOrEmpty(name) || string.IsNullOrEmpty(server.Metadata.Uid))
        {
            throw new ArgumentException("the server needs a name, a namespace and a uid (apply for a server read from the API)", nameof(server));
        }

        var live = new Dictionary<(ApiResource Resource, string Name), V1ObjectMeta>();
        var selector = new ListRequest { LabelSelector = ServerLabels.OwnedSelector(name), MetadataOnly = true };
        // One metadata LIST per owned kind, concurrently: every reconcile of the server pays for them, also when nothing changed.
        var lists = await Task.WhenAll(OwnedResources.Select(async resource =>
            (resource, await _client.ListAsync<PartialObjectMetadataList>(resource, ns, selector, cancellationToken).ConfigureAwait(false)))).ConfigureAwait(false);
        foreach (var (resource, list) in lists)
        {
            foreach (var item in list.Items)
            {
                live[(resource, item.Metadata.Name)] = item.Metadata;
            }
        }

        List<OwnedObject> created = [], updated = [], deleted = [], replaced = [], conflicts = [], waiting = [];
        var rendered = new HashSet<(ApiResource, string)>();
        foreach (var obj in desired)
        {
            var resource = ApiResource.For(obj.GetType());
            if (!OwnedResources.Contains(resource))
            {
                throw new ArgumentException($"{resource} is not a kind a server owns", nameof(desired));
            }
            var objName = obj.Metadata?.Name;
            if (string.IsNullOrEmpty(objName) || obj.Metadata!.NamespaceProperty != ns)
            {
                throw new ArgumentException($"every object needs a name and the server's namespace '{ns}' ({resource} '{objName}' does not)", nameof(desired));
            }
            if (!rendered.Add((resource, objName)))
            {
                throw new ArgumentException($"{resource} '{objName}' is rendered twice", nameof(desired));
            }
            var owned = new OwnedObject(resource.Kind, objName);
            var (body, hash, immutableHash) = Prepare(obj, resource);
            // Not listed: missing, or without our labels (written again if it is ours, whatever its hash says).
            var listed = live.TryGetValue((resource, objName), out var current);
            current ??= await GetMetadataAsync(resource, ns, objName, cancellationToken).ConfigureAwait(false);
            if (current is not null)
            {
                switch (OwnershipOf(current, server))
                {
                    case Ownership.Foreign:
                        LogConflict(_logger, owned.Kind, owned.Name, ns, name);
                        conflicts.Add(owned);
                        continue;
                    case Ownership.EarlierServer:
                        waiting.Add(owned);
                        continue;
                }
                if (current.DeletionTimestamp is not null)
                {
                    waiting.Add(owned);
                    continue;
                }
                if (immutableHash is not null && current.Annotations?.TryGetValue(ImmutableHashAnnotation, out var applied) == true && applied != immutableHash)
                {
                    // Orphan: the pods keep serving until the new StatefulSet adopts and rolls them.
                    await DeleteAsync(resource, ns, current, "Orphan", cancellationToken).ConfigureAwait(false);
                    LogReplaced(_logger, owned.Kind, owned.Name, ns);
                    replaced.Add(owned);
                    waiting.Add(owned);
                    continue;
                }
                if (listed && current.Annotations?.TryGetValue(AppliedHashAnnotation, out var appliedHash) == true && appliedHash == hash)
                {
                    continue;
                }
            }
            await _client.ApplyAsync<PartialObjectMetadata>(resource, ns, objName, body, FieldManager, force: true, cancellationToken).ConfigureAwait(false);
            LogApplied(_logger, current is null ? "Created" : "Updated", owned.Kind, owned.Name, ns);
            (current is null ? created : updated).Add(owned);
        }

        foreach (var ((resource, objName), meta) in live)
        {
            if (rendered.Contains((resource, objName)) || meta.DeletionTimestamp is not null || OwnershipOf(meta, server) != Ownership.Ours)
            {
                continue;
            }
            if (await DeleteAsync(resource, ns, meta, "Background", cancellationToken).ConfigureAwait(false))
            {
                var owned = new OwnedObject(resource.Kind, objName);
                LogApplied(_logger, "Deleted", owned.Kind, owned.Name, ns);
                deleted.Add(owned);
            }
        }
        return new ApplyOutcome { Created = created, Updated = updated, Deleted = deleted, Replaced = replaced, Conflicts = conflicts, Waiting = waiting };
    }

    /// <summary>The apply body with the hash annotations, and the hashes (of the rendered form without them).</summary>
    internal static (string Body, string Hash, string? ImmutableHash) Prepare(IKubernetesObject<V1ObjectMeta> obj, ApiResource resource)
    {
        var json = KubernetesJson.Serialize((object)obj);
        var node = JsonNode.Parse(json)!.AsObject();
        node["apiVersion"] = resource.ApiVersion;
        node["kind"] = resource.Kind;
        json = node.ToJsonString();
        var hash = Sha256(json);
        string? immutableHash = null;
        if (resource.Kind == "StatefulSet" && node["spec"] is JsonObject spec)
        {
            var immutable = new JsonObject();
            foreach (var field in ImmutableStatefulSetFields)
            {
                immutable[field] = spec[field]?.DeepClone();
            }
            immutableHash = Sha256(immutable.ToJsonString());
        }
        var metadata = node["metadata"] as JsonObject ?? [];
        node["metadata"] = metadata;
        var annotations = metadata["annotations"] as JsonObject ?? [];
        metadata["annotations"] = annotations;
        annotations[AppliedHashAnnotation] = hash;
        if (immutableHash is not null)
        {
            annotations[ImmutableHashAnnotation] = immutableHash;
        }
        return (node.ToJsonString(), hash, immutableHash);
    }

    private enum Ownership
    {
        Ours,
        EarlierServer,
        Foreign,
    }

    private static Ownership OwnershipOf(V1ObjectMeta meta, RedisAclServer server)
    {
        var controller = meta.OwnerReferences?.FirstOrDefault(r => r.Controller == true);
        if (controller is null)
        {
            return Ownership.Foreign;
        }
        if (controller.Uid == server.Metadata.Uid)
        {
            return Ownership.Ours;
        }
        // A server deleted and created again under the same name: the garbage collector removes the old one's objects.
        return controller.Kind == RedisAclServer.KindName && KubernetesObjects.GroupOf(controller.ApiVersion) == AclopApi.Group &&
            controller.Name == server.Metadata.Name
            ? Ownership.EarlierServer
            : Ownership.Foreign;
    }

    private async Task<V1ObjectMeta?> GetMetadataAsync(ApiResource resource, string ns, string name, CancellationToken cancellationToken)
    {
        try
        {
            return (await _client.GetAsync<PartialObjectMetadata>(resource, ns, name, cancellationToken).ConfigureAwait(false)).Metadata;
        }
        catch (Exception e) when (KubernetesErrors.IsNotFound(e))
        {
            return null;
        }
    }

    /// <summary>Deletes with the uid as precondition (never a same-named successor); false when it was already gone.</summary>
    private async Task<bool> DeleteAsync(ApiResource resource, string ns, V1ObjectMeta meta, string propagationPolicy, CancellationToken cancellationToken)
    {
        try
        {
            var options = new V1DeleteOptions { PropagationPolicy = propagationPolicy, Preconditions = new V1Preconditions { Uid = meta.Uid } };
            await _client.DeleteAsync(resource, ns, meta.Name, options, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (KubernetesErrors.IsNotFound(e))
        {
            return false;
        }
    }

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    [LoggerMessage(Level = LogLevel.Information, Message = "{Action} {Kind} {Name} in {Namespace}")]
    private static partial void LogApplied(ILogger logger, string action, string kind, string name, string @namespace);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replacing {Kind} {Name} in {Namespace}: a field the API server does not let change has changed")]
    private static partial void LogReplaced(ILogger logger, string kind, string name, string @namespace);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Kind} {Name} in {Namespace} exists and is not owned by server {Server}; it is left alone")]
    private static partial void LogConflict(ILogger logger, string kind, string name, string @namespace, string server);
}
