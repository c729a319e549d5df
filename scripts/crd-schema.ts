/**
 * Turns a CRD version's `openAPIV3Schema` into a strict JSON schema (draft-07).
 *
 * The API server prunes fields a structural schema does not declare: a misspelled field is dropped
 * without a word. For synth-time checking we want the opposite, so every object that declares
 * `properties` (and does not set `x-kubernetes-preserve-unknown-fields`) refuses other keys,
 * the same way kubeconform's `-strict` mode and `kubectl --validate=strict` behave.
 *
 * OpenAPI v3 extensions become their JSON-schema equivalents: `nullable` adds `null` to the type and
 * `x-kubernetes-int-or-string` accepts an integer or a string. CEL rules (`x-kubernetes-validations`)
 * cannot be evaluated by a JSON-schema validator and are left out (listed in docs/conformance.md);
 * descriptions are dropped to keep the files small.
 */

type Schema = { [key: string]: any };

const DROPPED = new Set([
  'description',
  'x-kubernetes-validations',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-map-type',
  'x-kubernetes-embedded-resource',
]);

function strictify(node: Schema): Schema {
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    if (DROPPED.has(key)) continue;
    if (key === 'properties') {
      out.properties = Object.fromEntries(Object.entries(value as Schema).map(([k, v]) => [k, strictify(v)]));
    } else if (key === 'items' || (key === 'additionalProperties' && typeof value === 'object')) {
      out[key] = strictify(value);
    } else if (key === 'anyOf' || key === 'oneOf' || key === 'allOf') {
      out[key] = (value as Schema[]).map(strictify);
    } else if (key === 'nullable' || key === 'x-kubernetes-int-or-string' || key === 'x-kubernetes-preserve-unknown-fields') {
      continue;
    } else {
      out[key] = value;
    }
  }
  if (node['x-kubernetes-int-or-string']) {
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (node.nullable && typeof out.type === 'string') {
    out.type = [out.type, 'null'];
  }
  const isObject = out.type === 'object' || out.properties !== undefined;
  if (isObject && out.additionalProperties === undefined && !node['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  return out;
}

/** The strict schema of one served version of a CRD, with `apiVersion` and `kind` pinned. */
export function strictSchemaFromCrd(group: string, version: string, kind: string, openApi: Schema): Schema {
  const body = strictify(openApi);
  body.properties = {
    ...body.properties,
    apiVersion: { type: 'string', enum: [`${group}/${version}`] },
    kind: { type: 'string', enum: [kind] },
    // The API server validates metadata itself (ObjectMeta); test/schema-validation.ts checks it
    // against the core ObjectMeta schema and the name rules.
    metadata: { type: 'object' },
  };
  body.required = [...new Set([...(body.required ?? []), 'apiVersion', 'kind', 'metadata'])];
  return { $schema: 'http://json-schema.org/draft-07/schema#', title: `${kind} ${group}/${version}`, ...body };
}
