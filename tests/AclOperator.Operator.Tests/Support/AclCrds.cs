namespace AclOperator.Operator.Tests.Support;

/// <summary>
/// Minimal CustomResourceDefinitions for the three kinds (status subresource, schemas preserving unknown fields).
/// The generated crds/ (branch crds, aclctl crds) replace these once merged.
/// </summary>
internal static class AclCrds
{
    public static readonly string[] All = [Crd("RedisAclServer", "redisaclservers"), Crd("RedisAcl", "redisacls"), Crd("RedisAclUser", "redisaclusers")];

    private static string Crd(string kind, string plural) => $$"""
        {
          "apiVersion": "apiextensions.k8s.io/v1",
          "kind": "CustomResourceDefinition",
          "metadata": { "name": "{{plural}}.aclop.dev" },
          "spec": {
            "group": "aclop.dev",
            "names": { "kind": "{{kind}}", "plural": "{{plural}}", "singular": "{{kind.ToLowerInvariant()}}", "listKind": "{{kind}}List" },
            "scope": "Namespaced",
            "versions": [{
              "name": "v1alpha1", "served": true, "storage": true,
              "subresources": { "status": {} },
              "schema": { "openAPIV3Schema": {
                "type": "object",
                "properties": {
                  "spec": { "type": "object", "x-kubernetes-preserve-unknown-fields": true },
                  "status": { "type": "object", "x-kubernetes-preserve-unknown-fields": true }
                }
              } }
            }]
          }
        }
        """;
}
