using System.Globalization;
using System.Reflection;
using k8s.Models;

namespace AclOperator.Operator.Runtime;

/// <summary>
/// A resource of the Kubernetes API (group, version, plural, kind, scope) and the REST paths to it: what a
/// RESTMapper answers in client-go, fixed at compile time here.
/// </summary>
public sealed record ApiResource(string Group, string Version, string Plural, string Kind, bool Namespaced = true)
{
    public static readonly ApiResource ConfigMaps = new("", "v1", "configmaps", "ConfigMap");
    public static readonly ApiResource Secrets = new("", "v1", "secrets", "Secret");
    public static readonly ApiResource Services = new("", "v1", "services", "Service");
    public static readonly ApiResource Events = new("", "v1", "events", "Event");
    public static readonly ApiResource StatefulSets = new("apps", "v1", "statefulsets", "StatefulSet");
    public static readonly ApiResource Leases = new("coordination.k8s.io", "v1", "leases", "Lease");

    /// <summary><c>apiVersion</c> as written in objects: <c>v1</c> or <c>group/version</c>.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : Group + "/" + Version;

    /// <summary>The resource described by a model's <see cref="KubernetesEntityAttribute"/>.</summary>
    public static ApiResource For<T>() => For(typeof(T));

    /// <summary>The resource described by a model's <see cref="KubernetesEntityAttribute"/>.</summary>
    public static ApiResource For(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var entity = type.GetCustomAttribute<KubernetesEntityAttribute>()
            ?? throw new ArgumentException($"{type.Name} has no [KubernetesEntity] attribute; pass an ApiResource explicitly.", nameof(type));
        var namespaced = !ClusterScopedKinds.Contains(entity.Kind);
        return new ApiResource(entity.Group ?? "", entity.ApiVersion, entity.PluralName, entity.Kind, namespaced);
    }

    private static readonly HashSet<string> ClusterScopedKinds = new(StringComparer.Ordinal)
    {
        "Namespace", "Node", "PersistentVolume", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding", "StorageClass",
    };

    /// <summary>The collection path: <c>/api/v1/namespaces/ns/configmaps</c>, or across namespaces when <paramref name="ns"/> is null.</summary>
    public string CollectionPath(string? ns)
    {
        var prefix = Group.Length == 0 ? "/api/" + Version : "/apis/" + Group + "/" + Version;
        return Namespaced && !string.IsNullOrEmpty(ns)
            ? string.Create(CultureInfo.InvariantCulture, $"{prefix}/namespaces/{Uri.EscapeDataString(ns)}/{Plural}")
            : prefix + "/" + Plural;
    }

    /// <summary>The path of one object (and optionally one of its subresources, e.g. <c>status</c>).</summary>
    public string ObjectPath(string? ns, string name, string? subresource = null)
    {
        var path = CollectionPath(ns) + "/" + Uri.EscapeDataString(name);
        return subresource is null ? path : path + "/" + subresource;
    }

    public override string ToString() => Group.Length == 0 ? Plural : Plural + "." + Group;
}
