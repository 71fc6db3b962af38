namespace AclOperator.Api.V1Alpha1;

/// <summary>The API group and version of the operator's custom resources.</summary>
public static class AclopApi
{
    public const string Group = "aclop.dev";

    public const string Version = "v1alpha1";

    /// <summary><c>apiVersion</c> as written in manifests.</summary>
    public const string ApiVersion = Group + "/" + Version;

    /// <summary>The category every kind is listed under (<c>kubectl get redis</c>).</summary>
    public const string Category = "redis";

    /// <summary>A second, operator-specific category (<c>kubectl get aclop</c>), for clusters where other operators use <c>redis</c>.</summary>
    public const string OperatorCategory = "aclop";

    /// <summary>JSONPath of the Ready condition's status, for printer columns.</summary>
    internal const string ReadyColumn = ".status.conditions[?(@.type==\"Ready\")].status";

    /// <summary>JSONPath of the Valid condition's status, for printer columns.</summary>
    internal const string ValidColumn = ".status.conditions[?(@.type==\"Valid\")].status";

    /// <summary>JSONPath of the Enforced condition's status, for printer columns.</summary>
    internal const string EnforcedColumn = ".status.conditions[?(@.type==\"Enforced\")].status";

    /// <summary>A DNS-1123 subdomain (object names, Secret names).</summary>
    internal const string DnsSubdomainPattern = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

    /// <summary>A DNS-1123 label (namespace names).</summary>
    internal const string DnsLabelPattern = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

    /// <summary>A Secret data key.</summary>
    internal const string SecretKeyPattern = "^[-._a-zA-Z0-9]+$";
}
