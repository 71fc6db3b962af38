// Evaluates the x-kubernetes-validations (CEL) rules of CRD schemas on objects, the way the Kubernetes API server
// does after defaulting (k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel):
// - every rule runs with `self` bound to the value of the schema node that carries it, for every occurrence of that
//   node in the object (list items, map values), and only where the value is present (absent fields skip their rules);
// - integers are CEL ints (BigInt here), numbers doubles, objects with properties are CEL objects whose absent fields
//   answer has() with false; property names are escaped as the API server escapes them (__dash__, __dot__, reserved
//   words as __namespace__, ...);
// - at the root, metadata exposes only name and generateName;
// - Kubernetes' CEL environment includes the strings extension (lowerAscii, ...) and RE2 `matches`, which
//   @bufbuild/cel provides (it passes the cel-spec conformance suite).
// Transition rules (oldSelf) are not used by these CRDs and not supported here.
//
// stdin:  {"schemas": {"<kind>": <openAPIV3Schema>}, "objects": [{"id": "...", "kind": "<kind>", "object": {...}}]}
// stdout: {"results": [{"id", "path", "rule", "message", "outcome": "true"|"false"|"error", "error"?}]}
import { run, isCelError } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";

const reserved = new Set([
  "true", "false", "null", "in", "as", "break", "const", "continue", "else", "for", "function", "if", "import",
  "let", "loop", "package", "namespace", "return", "var", "void", "while",
]);

function escapeName(name) {
  if (reserved.has(name)) return `__${name}__`;
  return name
    .replaceAll("__", "__underscores__")
    .replaceAll(".", "__dot__")
    .replaceAll("-", "__dash__")
    .replaceAll("/", "__slash__");
}

// The CEL value of `value` under `schema`.
function toCel(value, schema) {
  if (value === null || value === undefined) return null;
  if (schema?.["x-kubernetes-int-or-string"]) {
    return typeof value === "number" ? BigInt(value) : value;
  }
  switch (schema?.type) {
    case "integer":
      return BigInt(value);
    case "number":
      return Number(value);
    case "array":
      return value.map((v) => toCel(v, schema.items));
    case "object": {
      const out = {};
      if (schema.properties) {
        for (const [k, v] of Object.entries(value)) {
          if (schema.properties[k]) out[escapeName(k)] = toCel(v, schema.properties[k]);
        }
      } else if (schema.additionalProperties) {
        const m = new Map();
        for (const [k, v] of Object.entries(value)) m.set(k, toCel(v, schema.additionalProperties));
        return m;
      } else {
        return structuredClone(value);
      }
      return out;
    }
    default:
      return value;
  }
}

// The root as CEL sees it: metadata reduced to name and generateName.
function rootValue(object, schema) {
  const self = toCel(object, schema);
  const meta = object.metadata ?? {};
  self.metadata = {};
  if (meta.name !== undefined) self.metadata.name = meta.name;
  if (meta.generateName !== undefined) self.metadata.generateName = meta.generateName;
  return self;
}

function evaluate(id, value, schema, path, isRoot, results) {
  if (value === null || value === undefined || !schema) return;
  for (const rule of schema["x-kubernetes-validations"] ?? []) {
    const self = isRoot ? rootValue(value, schema) : toCel(value, schema);
    const entry = { id, path: path || "<root>", rule: rule.rule, message: rule.message ?? null };
    try {
      const r = run(rule.rule, { self }, { funcs: strings });
      if (isCelError(r)) {
        entry.outcome = "error";
        entry.error = String(r.message ?? r);
      } else if (typeof r !== "boolean") {
        entry.outcome = "error";
        entry.error = `rule did not evaluate to a bool but to ${typeof r}`;
      } else {
        entry.outcome = String(r);
      }
    } catch (e) {
      entry.outcome = "error";
      entry.error = String(e?.message ?? e);
    }
    results.push(entry);
  }
  if (schema.type === "object" && typeof value === "object") {
    if (schema.properties) {
      for (const [k, child] of Object.entries(schema.properties)) {
        if (isRoot && k === "metadata") continue;
        evaluate(id, value[k], child, path ? `${path}.${k}` : k, false, results);
      }
    } else if (schema.additionalProperties) {
      for (const [k, v] of Object.entries(value)) {
        evaluate(id, v, schema.additionalProperties, `${path}[${JSON.stringify(k)}]`, false, results);
      }
    }
  } else if (schema.type === "array" && Array.isArray(value)) {
    value.forEach((v, i) => evaluate(id, v, schema.items, `${path}[${i}]`, false, results));
  }
}

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString("utf8"));
const results = [];
for (const { id, kind, object } of input.objects) {
  const schema = input.schemas[kind];
  if (!schema) throw new Error(`no schema for kind ${kind}`);
  evaluate(id, object, schema, "", true, results);
}
process.stdout.write(JSON.stringify({ results }));
