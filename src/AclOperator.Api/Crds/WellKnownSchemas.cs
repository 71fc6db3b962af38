using k8s.Models;

namespace AclOperator.Api.Crds;

/// <summary>
/// Schemas of the Kubernetes types the custom resources embed, as controller-gen writes them for the Go types
/// (metav1.ObjectMeta, metav1.Condition, resource.Quantity, intstr.IntOrString, corev1.ResourceRequirements).
/// </summary>
internal static class WellKnownSchemas
{
    /// <summary>resource.Quantity's canonical pattern.</summary>
    public const string QuantityPattern =
        "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$";

    public static V1JSONSchemaProps? For(Type type) =>
        type == typeof(V1ObjectMeta) ? new V1JSONSchemaProps { Type = "object" }
        : type == typeof(V1Condition) ? Condition()
        : type == typeof(ResourceQuantity) ? Quantity()
        : type == typeof(IntOrString) ? IntOrString()
        : type == typeof(V1ResourceRequirements) ? ResourceRequirements()
        : type == typeof(object) ? new V1JSONSchemaProps { XKubernetesPreserveUnknownFields = true }
        : null;

    /// <summary>
    /// The root's metadata: the API server validates ObjectMeta itself and allows a schema to restrict only name and
    /// generateName. The name's bound is the API server's own (DNS-1123 subdomain); CEL rules read it (O13).
    /// </summary>
    public static V1JSONSchemaProps RootObjectMeta() => new()
    {
        Type = "object",
        Properties = new Dictionary<string, V1JSONSchemaProps>
        {
            ["name"] = new() { Type = "string", MaxLength = 253 },
        },
    };

    /// <summary>metav1.Condition with the validation markers of k8s.io/apimachinery.</summary>
    public static V1JSONSchemaProps Condition() => new()
    {
        Type = "object",
        Description = "Condition contains details for one aspect of the current state of this API Resource.",
        Properties = new Dictionary<string, V1JSONSchemaProps>
        {
            ["lastTransitionTime"] = new()
            {
                Type = "string",
                Format = "date-time",
                Description = "lastTransitionTime is the last time the condition transitioned from one status to another. This should be when the underlying condition changed.  If that is not known, then using the time when the API field changed is acceptable.",
            },
            ["message"] = new()
            {
                Type = "string",
                MaxLength = 32768,
                Description = "message is a human readable message indicating details about the transition. This may be an empty string.",
            },
            ["observedGeneration"] = new()
            {
                Type = "integer",
                Format = "int64",
                Minimum = 0,
                Description = "observedGeneration represents the .metadata.generation that the condition was set based upon. For instance, if .metadata.generation is currently 12, but the .status.conditions[x].observedGeneration is 9, the condition is out of date with respect to the current state of the instance.",
            },
            ["reason"] = new()
            {
                Type = "string",
                MinLength = 1,
                MaxLength = 1024,
                Pattern = "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$",
                Description = "reason contains a programmatic identifier indicating the reason for the condition's last transition. Producers of specific condition types may define expected values and meanings for this field, and whether the values are considered a guaranteed API. The value should be a CamelCase string. This field may not be empty.",
            },
            ["status"] = new()
            {
                Type = "string",
                EnumProperty = ["True", "False", "Unknown"],
                Description = "status of the condition, one of True, False, Unknown.",
            },
            ["type"] = new()
            {
                Type = "string",
                MaxLength = 316,
                Pattern = "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$",
                Description = "type of condition in CamelCase or in foo.example.com/CamelCase.",
            },
        },
        Required = ["lastTransitionTime", "message", "reason", "status", "type"],
    };

    public static V1JSONSchemaProps Quantity() => new()
    {
        AnyOf = [new V1JSONSchemaProps { Type = "integer" }, new V1JSONSchemaProps { Type = "string" }],
        Pattern = QuantityPattern,
        XKubernetesIntOrString = true,
    };

    public static V1JSONSchemaProps IntOrString() => new()
    {
        AnyOf = [new V1JSONSchemaProps { Type = "integer" }, new V1JSONSchemaProps { Type = "string" }],
        XKubernetesIntOrString = true,
    };

    /// <summary>corev1.ResourceRequirements (claims as a map list keyed by name, as in the Pod API).</summary>
    public static V1JSONSchemaProps ResourceRequirements() => new()
    {
        Type = "object",
        Description = "ResourceRequirements describes the compute resource requirements.",
        Properties = new Dictionary<string, V1JSONSchemaProps>
        {
            ["claims"] = new()
            {
                Type = "array",
                Description = "Claims lists the names of resources, defined in spec.resourceClaims, that are used by this container.",
                MaxItems = 16,
                Items = new V1JSONSchemaProps
                {
                    Type = "object",
                    Description = "ResourceClaim references one entry in PodSpec.ResourceClaims.",
                    Properties = new Dictionary<string, V1JSONSchemaProps>
                    {
                        ["name"] = new() { Type = "string", MaxLength = 253, Description = "Name must match the name of one entry in pod.spec.resourceClaims of the Pod where this field is used. It makes that resource available inside a container." },
                        ["request"] = new() { Type = "string", MaxLength = 253, Description = "Request is the name chosen for a request in the referenced claim. If empty, everything from the claim is made available, otherwise only the result of this request." },
                    },
                    Required = ["name"],
                },
                XKubernetesListType = "map",
                XKubernetesListMapKeys = ["name"],
            },
            ["limits"] = new()
            {
                Type = "object",
                Description = "Limits describes the maximum amount of compute resources allowed. More info: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",
                AdditionalProperties = Quantity(),
            },
            ["requests"] = new()
            {
                Type = "object",
                Description = "Requests describes the minimum amount of compute resources required. If Requests is omitted for a container, it defaults to Limits if that is explicitly specified, otherwise to an implementation-defined value. Requests cannot exceed Limits. More info: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",
                AdditionalProperties = Quantity(),
            },
        },
    };
}
