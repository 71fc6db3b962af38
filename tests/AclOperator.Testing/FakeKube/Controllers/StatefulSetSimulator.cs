using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using AclOperator.Testing.FakeKube.Api;
using AclOperator.Testing.FakeKube.Json;
using AclOperator.Testing.FakeKube.Resources;

namespace AclOperator.Testing.FakeKube.Controllers;

/// <summary>
/// Opt-in stand-in for the StatefulSet controller and the kubelet (FakeKubeOptions.SimulateStatefulSets): pods
/// &lt;set&gt;-0..N-1 from the template, owned by the set and labelled with controller-revision-hash and
/// statefulset.kubernetes.io/pod-name, reported Running and Ready at once; pods of an older template are replaced;
/// the set's status (replicas, readyReplicas, revisions, observedGeneration) follows.
/// </summary>
internal sealed class StatefulSetSimulator
{
    private readonly ServerState _s;
    private readonly ApiOperations _ops;

    public StatefulSetSimulator(ServerState state, ApiOperations ops)
    {
        _s = state;
        _ops = ops;
    }

    private static string Revision(string name, JsonNode? template)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(JsonTools.ToJson(template)));
        return name + "-" + Convert.ToHexStringLower(hash)[..10];
    }

    public void RunOnce()
    {
        var stsType = _s.Catalog.Find("apps", "v1", "statefulsets")!;
        var podType = _s.Catalog.Find("", "v1", "pods")!;
        foreach (var (_, sts) in _s.Store.Scan(stsType.StorageKey, null))
        {
            var meta = (JsonObject)sts["metadata"]!;
            if (meta["deletionTimestamp"] is not null)
            {
                continue;
            }
            var ns = JsonTools.Str(meta, "namespace")!;
            var name = JsonTools.Str(meta, "name")!;
            var uid = JsonTools.Str(meta, "uid")!;
            var replicas = (int)(JsonTools.Int(sts["spec"], "replicas") ?? 1);
            var template = JsonTools.At(sts, "spec", "template") as JsonObject ?? new JsonObject();
            var revision = Revision(name, template);
            var owned = _s.Store.Scan(podType.StorageKey, ns)
                .Select(p => p.Object)
                .Where(p => (JsonTools.At(p, "metadata", "ownerReferences") as JsonArray ?? []).Any(r => JsonTools.Str(r, "uid") == uid))
                .ToList();
            foreach (var pod in owned)
            {
                var podName = JsonTools.StrAt(pod, "metadata", "name")!;
                var ordinal = int.TryParse(podName[(name.Length + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var o) ? o : int.MaxValue;
                var podRevision = JsonTools.StrAt(pod, "metadata", "labels", "controller-revision-hash");
                if (ordinal >= replicas || podRevision != revision)
                {
                    _ops.DeleteInternal(podType, ns, podName, "Background");
                }
            }
            var ready = 0;
            for (var i = 0; i < replicas; i++)
            {
                var podName = $"{name}-{i}";
                if (_s.Store.Get(podType.StorageKey, ns, podName) is { } existing)
                {
                    if (JsonTools.StrAt(existing, "metadata", "labels", "controller-revision-hash") == revision)
                    {
                        ready++;
                    }
                    continue;
                }
                CreatePod(podType, sts, template, ns, podName, name, uid, revision, i);
                ready++;
            }
            var status = new JsonObject
            {
                ["observedGeneration"] = JsonTools.Int(meta, "generation") ?? 1,
                ["replicas"] = replicas,
                ["readyReplicas"] = ready,
                ["currentReplicas"] = ready,
                ["updatedReplicas"] = ready,
                ["availableReplicas"] = ready,
                ["currentRevision"] = revision,
                ["updateRevision"] = revision,
                ["collisionCount"] = 0,
            };
            if (!JsonNode.DeepEquals(sts["status"], status))
            {
                var changed = JsonTools.Clone(sts);
                changed["status"] = status;
                _ops.UpdateStatusInternal(stsType, sts, changed, "kube-controller-manager");
            }
        }
    }

    private void CreatePod(ResourceType podType, JsonObject sts, JsonObject template, string ns, string podName, string setName, string uid, string revision, int ordinal)
    {
        var labels = (JsonTools.At(template, "metadata", "labels") as JsonObject)?.DeepClone() as JsonObject ?? new JsonObject();
        labels["controller-revision-hash"] = revision;
        labels["statefulset.kubernetes.io/pod-name"] = podName;
        labels["apps.kubernetes.io/pod-index"] = ordinal.ToString(CultureInfo.InvariantCulture);
        var spec = (JsonTools.At(template, "spec") as JsonObject)?.DeepClone() as JsonObject ?? new JsonObject();
        spec["hostname"] = podName;
        if (JsonTools.StrAt(sts, "spec", "serviceName") is { Length: > 0 } service)
        {
            spec["subdomain"] = service;
        }
        spec["nodeName"] = "fakekube-node";
        var pod = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject
            {
                ["name"] = podName,
                ["namespace"] = ns,
                ["labels"] = labels,
                ["annotations"] = (JsonTools.At(template, "metadata", "annotations") as JsonObject)?.DeepClone(),
                ["ownerReferences"] = new JsonArray(new JsonObject
                {
                    ["apiVersion"] = "apps/v1",
                    ["kind"] = "StatefulSet",
                    ["name"] = setName,
                    ["uid"] = uid,
                    ["controller"] = true,
                    ["blockOwnerDeletion"] = true,
                }),
            },
            ["spec"] = spec,
        };
        if (JsonTools.Metadata(pod)["annotations"] is null)
        {
            JsonTools.Metadata(pod).Remove("annotations");
        }
        _ops.Create(podType, ns, pod, new WriteOptions { FieldManager = "kube-controller-manager" });
        var stored = _s.Store.Get(podType.StorageKey, ns, podName)!;
        var running = JsonTools.Clone(stored);
        var now = JsonTools.Timestamp(_s.Now);
        var containers = (spec["containers"] as JsonArray ?? []).OfType<JsonObject>().Select(c => (JsonNode?)new JsonObject
        {
            ["name"] = JsonTools.Str(c, "name"),
            ["image"] = JsonTools.Str(c, "image"),
            ["ready"] = true,
            ["started"] = true,
            ["restartCount"] = 0,
            ["state"] = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = now } },
        }).ToArray();
        running["status"] = new JsonObject
        {
            ["phase"] = "Running",
            ["conditions"] = new JsonArray(
                new JsonObject { ["type"] = "PodScheduled", ["status"] = "True", ["lastTransitionTime"] = now },
                new JsonObject { ["type"] = "Initialized", ["status"] = "True", ["lastTransitionTime"] = now },
                new JsonObject { ["type"] = "ContainersReady", ["status"] = "True", ["lastTransitionTime"] = now },
                new JsonObject { ["type"] = "Ready", ["status"] = "True", ["lastTransitionTime"] = now }),
            ["hostIP"] = "10.0.0.1",
            ["podIP"] = $"10.244.0.{ordinal + 2}",
            ["startTime"] = now,
            ["qosClass"] = "BestEffort",
            ["containerStatuses"] = new JsonArray(containers),
        };
        _ops.UpdateStatusInternal(podType, stored, running, "kubelet");
    }
}
