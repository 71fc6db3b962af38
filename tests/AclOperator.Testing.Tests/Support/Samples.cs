namespace AclOperator.Testing.Tests.Support;

/// <summary>Manifests shared by the tests: a namespaced CRD with a status subresource and a validating schema.</summary>
internal static class Samples
{
    public const string WidgetCrd = """
        {
          "apiVersion": "apiextensions.k8s.io/v1",
          "kind": "CustomResourceDefinition",
          "metadata": { "name": "widgets.example.com" },
          "spec": {
            "group": "example.com",
            "names": { "kind": "Widget", "plural": "widgets", "singular": "widget", "shortNames": ["wg"] },
            "scope": "Namespaced",
            "versions": [{
              "name": "v1", "served": true, "storage": true,
              "subresources": { "status": {} },
              "additionalPrinterColumns": [
                { "name": "Size", "type": "integer", "jsonPath": ".spec.size" },
                { "name": "Ready", "type": "string", "jsonPath": ".status.conditions[?(@.type==\"Ready\")].status" }
              ],
              "schema": { "openAPIV3Schema": {
                "type": "object",
                "x-kubernetes-validations": [{ "rule": "self.metadata.name != 'forbidden'", "message": "name is forbidden" }],
                "properties": {
                  "spec": {
                    "type": "object",
                    "required": ["size"],
                    "properties": {
                      "size": { "type": "integer", "minimum": 1, "maximum": 10 },
                      "color": { "type": "string", "enum": ["red", "blue"], "default": "red" },
                      "owner": { "type": "string", "maxLength": 8, "pattern": "^[a-z]+$" },
                      "tags": { "type": "array", "maxItems": 2, "x-kubernetes-list-type": "set", "items": { "type": "string" } },
                      "labels": { "type": "object", "additionalProperties": { "type": "string" } },
                      "free": { "type": "object", "x-kubernetes-preserve-unknown-fields": true },
                      "ports": {
                        "type": "array",
                        "x-kubernetes-list-type": "map",
                        "x-kubernetes-list-map-keys": ["name"],
                        "items": { "type": "object", "required": ["name"], "properties": {
                          "name": { "type": "string" }, "port": { "type": "integer" } } }
                      }
                    }
                  },
                  "status": {
                    "type": "object",
                    "properties": {
                      "observedGeneration": { "type": "integer" },
                      "conditions": {
                        "type": "array",
                        "x-kubernetes-list-type": "map",
                        "x-kubernetes-list-map-keys": ["type"],
                        "items": { "type": "object", "required": ["type", "status"], "properties": {
                          "type": { "type": "string" }, "status": { "type": "string" }, "reason": { "type": "string" },
                          "message": { "type": "string" }, "observedGeneration": { "type": "integer" } } }
                      }
                    }
                  }
                }
              } }
            }]
          }
        }
        """;

    public static string Widget(string name, int size, string ns = "default") =>
        $$$"""{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"{{{name}}}","namespace":"{{{ns}}}"},"spec":{"size":{{{size}}}}}""";

    public static string ConfigMap(string name, string data = """{"a":"1"}""", string labels = "{}") =>
        $$$"""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"{{{name}}}","labels":{{{labels}}}},"data":{{{data}}}}""";

    public const string WidgetsPath = "/apis/example.com/v1/namespaces/default/widgets";

    public const string ConfigMapsPath = "/api/v1/namespaces/default/configmaps";
}
