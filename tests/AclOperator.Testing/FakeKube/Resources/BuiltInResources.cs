namespace AclOperator.Testing.FakeKube.Resources;

/// <summary>The built-in kinds the operator uses, with the names, scopes and short names of a v1.32 API server.</summary>
internal static class BuiltInResources
{
    private static ResourceType T(string group, string version, string kind, string plural, bool namespaced,
        string[]? shortNames = null, bool status = false, GenerationPolicy generation = GenerationPolicy.None,
        ITypeSemantics? semantics = null, string[]? categories = null, bool deleteCollection = true, bool returnDeleted = false) => new()
        {
            ReturnDeletedObject = returnDeleted,
            Group = group,
            Version = version,
            Kind = kind,
            Plural = plural,
            Singular = kind.ToLowerInvariant(),
            Namespaced = namespaced,
            ShortNames = shortNames ?? [],
            HasStatus = status,
            Generation = generation,
            Semantics = semantics ?? new BuiltInSemantics(),
            Categories = categories ?? [],
            DeleteCollection = deleteCollection,
        };

    public static IEnumerable<ResourceType> All()
    {
        var pod = BuiltInSemantics.PodSpec("spec").Append(BuiltInSemantics.Conditions()).ToArray();
        var template = BuiltInSemantics.PodSpec("spec.template.spec")
            .Append(BuiltInSemantics.Conditions())
            .Append(("spec.template.metadata.finalizers", ListInfo.PrimitiveSet))
            .ToArray();

        yield return T("", "v1", "Namespace", "namespaces", false, ["ns"], status: true,
            semantics: new BuiltInSemantics(BuiltInSemantics.Conditions()), deleteCollection: false);
        yield return T("", "v1", "ConfigMap", "configmaps", true, ["cm"]);
        yield return T("", "v1", "Secret", "secrets", true);
        yield return T("", "v1", "Service", "services", true, ["svc"], status: true, categories: ["all"],
            semantics: new BuiltInSemantics(
                ("spec.ports", new ListInfo(ListType.Map, ["port", "protocol"], "port", true)
                {
                    KeyDefaults = new Dictionary<string, System.Text.Json.Nodes.JsonNode> { ["protocol"] = "TCP" },
                }),
                BuiltInSemantics.Conditions()), deleteCollection: true);
        yield return T("", "v1", "ServiceAccount", "serviceaccounts", true, ["sa"],
            semantics: new BuiltInSemantics(("secrets", ListInfo.MapBy("name"))), returnDeleted: true);
        yield return T("", "v1", "Event", "events", true, ["ev"]);
        yield return T("", "v1", "Pod", "pods", true, ["po"], status: true, categories: ["all"], semantics: new BuiltInSemantics(pod), returnDeleted: true);
        yield return T("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", true, ["pvc"], status: true,
            semantics: new BuiltInSemantics(BuiltInSemantics.Conditions()));
        yield return T("", "v1", "Endpoints", "endpoints", true, ["ep"]);
        yield return T("apps", "v1", "StatefulSet", "statefulsets", true, ["sts"], status: true, GenerationPolicy.Spec,
            new BuiltInSemantics(template), ["all"]);
        yield return T("apps", "v1", "Deployment", "deployments", true, ["deploy"], status: true, GenerationPolicy.Spec,
            new BuiltInSemantics(template), ["all"]);
        yield return T("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", true, ["pdb"], status: true,
            GenerationPolicy.Spec, new BuiltInSemantics(BuiltInSemantics.Conditions()));
        yield return T("coordination.k8s.io", "v1", "Lease", "leases", true);
        yield return T("rbac.authorization.k8s.io", "v1", "Role", "roles", true);
        yield return T("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", true);
        yield return T("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", false);
        yield return T("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", false);
        yield return T("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", true, ["netpol"],
            generation: GenerationPolicy.Spec);
        var eventsView = T("events.k8s.io", "v1", "Event", "events", true, ["ev"]);
        yield return new ResourceType
        {
            Group = eventsView.Group,
            Version = eventsView.Version,
            Kind = eventsView.Kind,
            Plural = eventsView.Plural,
            Singular = eventsView.Singular,
            Namespaced = true,
            ShortNames = eventsView.ShortNames,
            StorageKeyOverride = "events",
        };
        yield return T("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", false,
            ["crd", "crds"], status: true, GenerationPolicy.Spec,
            new BuiltInSemantics(BuiltInSemantics.Conditions()), ["api-extensions"]);
    }
}
