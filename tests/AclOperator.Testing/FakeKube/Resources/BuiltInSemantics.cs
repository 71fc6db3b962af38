using System.Text.Json.Nodes;

namespace AclOperator.Testing.FakeKube.Resources;

/// <summary>
/// The list semantics of the built-in kinds this fake serves, copied from the Go types' struct tags
/// (patchStrategy/patchMergeKey and +listType/+listMapKey in k8s.io/api): containers by name, ports by
/// containerPort(+protocol), env by name, volumes by name, volumeMounts by mountPath, conditions by type, ...
/// Lists not named here are atomic, as untagged Go slices are.
/// </summary>
internal sealed class BuiltInSemantics : ITypeSemantics
{
    private readonly Dictionary<string, ListInfo> _lists = new(StringComparer.Ordinal);

    public BuiltInSemantics(params (string Path, ListInfo Info)[] lists)
    {
        AddMetadata(_lists, "metadata");
        foreach (var (path, info) in lists)
        {
            _lists[path] = info;
        }
    }

    public static void AddMetadata(Dictionary<string, ListInfo> lists, string prefix)
    {
        lists[prefix + ".finalizers"] = ListInfo.PrimitiveSet;
        lists[prefix + ".ownerReferences"] = ListInfo.MapBy("uid");
    }

    public ListInfo ListAt(IReadOnlyList<string> path) =>
        _lists.TryGetValue(string.Join('.', path), out var info) ? info : ListInfo.Atomic;

    public bool IsAtomicMap(IReadOnlyList<string> path) => false;

    private static readonly IReadOnlyDictionary<string, JsonNode> TcpDefault =
        new Dictionary<string, JsonNode> { ["protocol"] = JsonValue.Create("TCP") };

    /// <summary>The PodSpec lists under a prefix such as "spec.template.spec".</summary>
    public static IEnumerable<(string, ListInfo)> PodSpec(string p)
    {
        foreach (var c in new[] { "containers", "initContainers", "ephemeralContainers" })
        {
            yield return ($"{p}.{c}", ListInfo.MapBy("name"));
            yield return ($"{p}.{c}.ports", new ListInfo(ListType.Map, ["containerPort", "protocol"], "containerPort", true) { KeyDefaults = TcpDefault });
            yield return ($"{p}.{c}.env", ListInfo.MapBy("name"));
            yield return ($"{p}.{c}.volumeMounts", ListInfo.MapBy("mountPath"));
            yield return ($"{p}.{c}.volumeDevices", ListInfo.MapBy("devicePath"));
            yield return ($"{p}.{c}.resizePolicy", ListInfo.Atomic);
        }
        yield return ($"{p}.volumes", new ListInfo(ListType.Map, ["name"], "name", true, RetainKeys: true));
        yield return ($"{p}.imagePullSecrets", ListInfo.MapBy("name"));
        yield return ($"{p}.hostAliases", ListInfo.MapBy("ip"));
        yield return ($"{p}.topologySpreadConstraints", new ListInfo(ListType.Map, ["topologyKey", "whenUnsatisfiable"], "topologyKey", true));
        yield return ($"{p}.schedulingGates", ListInfo.MapBy("name"));
        yield return ($"{p}.resourceClaims", ListInfo.MapBy("name"));
    }

    public static (string, ListInfo) Conditions(string prefix = "status") => ($"{prefix}.conditions", ListInfo.MapBy("type"));
}
