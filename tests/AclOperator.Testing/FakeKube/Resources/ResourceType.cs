using System.Text.Json.Nodes;
using AclOperator.Testing.FakeKube.Schema;

namespace AclOperator.Testing.FakeKube.Resources;

/// <summary>One served resource in one version (a REST endpoint): names, scope, verbs and the semantics the server needs.</summary>
internal sealed class ResourceType
{
    public required string Group { get; init; }

    public required string Version { get; init; }

    public required string Kind { get; init; }

    public required string Plural { get; init; }

    public required string Singular { get; init; }

    public string ListKind => ListKindOverride ?? Kind + "List";

    public string? ListKindOverride { get; init; }

    public required bool Namespaced { get; init; }

    public IReadOnlyList<string> ShortNames { get; init; } = [];

    public IReadOnlyList<string> Categories { get; init; } = [];

    public bool HasStatus { get; init; }

    public GenerationPolicy Generation { get; init; }

    /// <summary>PUT without metadata.resourceVersion is allowed (false for custom resources).</summary>
    public bool AllowUnconditionalUpdate { get; init; } = true;

    public bool DeleteCollection { get; init; } = true;

    /// <summary>DELETE answers with the deleted object instead of a Status (genericregistry.Store.ReturnDeletedObject).</summary>
    public bool ReturnDeletedObject { get; init; }

    public ITypeSemantics Semantics { get; init; } = new BuiltInSemantics();

    /// <summary>For custom resources: the structural schema of this version (null when served without validation).</summary>
    public StructuralSchema? Schema { get; init; }

    /// <summary>For custom resources: additionalPrinterColumns of this version.</summary>
    public JsonArray? PrinterColumns { get; init; }

    /// <summary>Name of the owning CustomResourceDefinition, null for built-ins.</summary>
    public string? CrdName { get; init; }

    public bool IsCustom => CrdName is not null;

    public string ApiVersion => Group.Length == 0 ? Version : Group + "/" + Version;

    public string GroupVersion => ApiVersion;

    /// <summary>"configmaps" or "statefulsets.apps": how errors name the resource.</summary>
    public string GroupResource => Group.Length == 0 ? Plural : Plural + "." + Group;

    /// <summary>"ConfigMap" or "StatefulSet.apps": how Invalid errors name the kind.</summary>
    public string QualifiedKind => Group.Length == 0 ? Kind : Kind + "." + Group;

    /// <summary>All versions of a resource share one storage (like etcd's /registry/&lt;group&gt;/&lt;resource&gt;).</summary>
    public string StorageKey => StorageKeyOverride ?? GroupResource;

    /// <summary>Set when this resource is another API's view of a shared storage (events.k8s.io Events are core Events).</summary>
    public string? StorageKeyOverride { get; init; }

    /// <summary>True for events.k8s.io/v1 Events, served from core/v1 Event storage through a conversion.</summary>
    public bool IsEventsApiView => Group == "events.k8s.io" && Kind == "Event";

    public IReadOnlyList<string> Verbs => DeleteCollection
        ? ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
        : ["create", "delete", "get", "list", "patch", "update", "watch"];

    public override string ToString() => GroupResource + "/" + Version;
}
