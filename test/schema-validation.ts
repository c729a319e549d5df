/**
 * Validates synthesized Kubernetes objects against their schemas, the way the API server would accept
 * them, but strictly: an unknown or mistyped field is an error (the API server would silently prune it).
 *
 *  - Custom resources: the strict JSON schemas in schemas/, generated from the CRDs by `npx projen import`.
 *  - Core objects: the strict v1.28 schemas of kubernetes-validate, fetched by
 *    scripts/fetch-kubernetes-schemas.sh (the `test` task runs it first).
 *  - Every object: metadata against the core ObjectMeta schema, plus the API server's name and label
 *    rules (DNS-1123 names, DNS-1035 Service names, label syntax).
 *
 * Used by every Kubernetes test (`expectValidManifests(Testing.synth(chart))`) and by the conformance
 * check of the synthesized examples (scripts/validate-manifests.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

const ROOT = path.resolve(__dirname, '..');
const CORE_DEFINITIONS = path.join(ROOT, '.cache/kubernetes-json-schema/v1.28.0-local-strict/_definitions.json');
const CORE_ID = 'https://kubernetes.io/api/_definitions.json';

const INT32 = { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 } as const;
const INT64 = { type: 'number', validate: (n: number) => Number.isInteger(n) } as const;

function withFormats<T extends Ajv>(ajv: T): T {
  addFormats(ajv);
  ajv.addFormat('int32', INT32);
  ajv.addFormat('int64', INT64);
  ajv.addFormat('double', { type: 'number', validate: () => true });
  ajv.addFormat('float', { type: 'number', validate: () => true });
  ajv.addFormat('byte', /^[A-Za-z0-9+/]*={0,2}$/);
  ajv.addFormat('string', () => true);
  ajv.addFormat('int-or-string', () => true);
  return ajv;
}

let coreAjv: Ajv2020 | undefined;
let crdAjv: Ajv | undefined;
const validators = new Map<string, ValidateFunction | undefined>();

function core(): Ajv2020 {
  if (!coreAjv) {
    if (!fs.existsSync(CORE_DEFINITIONS)) {
      throw new Error(`Core Kubernetes schemas not found at ${CORE_DEFINITIONS}: run scripts/fetch-kubernetes-schemas.sh (the 'test' task does)`);
    }
    coreAjv = withFormats(new Ajv2020({ strict: false, allErrors: true }));
    coreAjv.addSchema(JSON.parse(fs.readFileSync(CORE_DEFINITIONS, 'utf8')));
  }
  return coreAjv;
}

function crds(): Ajv {
  // No code optimization pass: it costs more than it saves on schemas this large (the ApplicationSet
  // CRD nests a full Application template in every generator: about 15 s against 5 s to compile).
  if (!crdAjv) crdAjv = withFormats(new Ajv({ strict: false, allErrors: true, code: { optimize: false } }));
  return crdAjv;
}

function coreDefinition(apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const pkg = group === '' ? 'core' : group.split('.')[0];
  return `${CORE_ID}#/$defs/io.k8s.api.${pkg}.${version}.${kind}`;
}

function validatorFor(apiVersion: string, kind: string): ValidateFunction | undefined {
  const key = `${apiVersion}/${kind}`;
  if (!validators.has(key)) {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    const crdFile = path.join(ROOT, 'schemas', group, `${kind.toLowerCase()}_${version}.json`);
    let validate: ValidateFunction | undefined;
    if (group !== '' && fs.existsSync(crdFile)) {
      validate = crds().compile(JSON.parse(fs.readFileSync(crdFile, 'utf8')));
    } else {
      const ref = coreDefinition(apiVersion, kind);
      validate = core().getSchema(ref) ? core().compile({ $ref: ref }) : undefined;
    }
    validators.set(key, validate);
  }
  return validators.get(key);
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function checkQualifiedKey(key: string, what: string): string[] {
  const parts = key.split('/');
  const name = parts.length === 2 ? parts[1] : parts[0];
  const prefix = parts.length === 2 ? parts[0] : undefined;
  const errors: string[] = [];
  if (parts.length > 2 || name.length > 63 || !LABEL_NAME.test(name)) errors.push(`${what} key '${key}' is not a qualified name`);
  if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) errors.push(`${what} key '${key}' has an invalid prefix`);
  return errors;
}

/** The API server's own checks on names and labels, which a JSON schema does not express. */
function metadataErrors(obj: any): string[] {
  const errors: string[] = [];
  const meta = obj.metadata ?? {};
  const metaValidate = core().getSchema(`${CORE_ID}#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`)!;
  if (!metaValidate(meta)) {
    errors.push(...(metaValidate.errors ?? []).map((e) => `/metadata${e.instancePath} ${e.message}`));
  }
  const name: unknown = meta.name;
  if (typeof name !== 'string') {
    errors.push('/metadata/name is required');
  } else if (obj.kind === 'Service') {
    if (name.length > 63 || !DNS1035_LABEL.test(name)) errors.push(`/metadata/name '${name}' must be a DNS-1035 label (Service names start with a letter, at most 63 characters)`);
  } else if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    errors.push(`/metadata/name '${name}' must be a DNS-1123 subdomain`);
  }
  if (meta.namespace !== undefined && (meta.namespace.length > 63 || !DNS1123_LABEL.test(meta.namespace))) {
    errors.push(`/metadata/namespace '${meta.namespace}' must be a DNS-1123 label`);
  }
  for (const [key, value] of Object.entries<any>(meta.labels ?? {})) {
    errors.push(...checkQualifiedKey(key, 'label'));
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) errors.push(`label '${key}' has an invalid value '${value}'`);
  }
  for (const key of Object.keys(meta.annotations ?? {})) errors.push(...checkQualifiedKey(key, 'annotation'));
  return errors;
}

/**
 * Parts of custom resources whose CRD schema is looser than what the controller accepts: Argo Rollouts'
 * CRDs leave resource quantities untyped, but the controller parses the pod template as a core
 * PodTemplateSpec (and a job metric as a core JobSpec) and sits in InvalidSpec when that fails.
 */
const EMBEDDED_CORE: { [apiVersionKind: string]: (obj: any) => Array<{ pointer: string; value: any; definition: string }> } = {
  'argoproj.io/v1alpha1/Rollout': (obj) => obj.spec?.template === undefined ? [] : [
    { pointer: '/spec/template', value: obj.spec.template, definition: 'io.k8s.api.core.v1.PodTemplateSpec' },
  ],
  'argoproj.io/v1alpha1/AnalysisTemplate': (obj) => (obj.spec?.metrics ?? []).flatMap((m: any, i: number) => m.provider?.job?.spec === undefined ? [] : [
    { pointer: `/spec/metrics/${i}/provider/job/spec`, value: m.provider.job.spec, definition: 'io.k8s.api.batch.v1.JobSpec' },
  ]),
};

function embeddedCoreErrors(obj: any): string[] {
  const parts = EMBEDDED_CORE[`${obj.apiVersion}/${obj.kind}`]?.(obj) ?? [];
  return parts.flatMap(({ pointer, value, definition }) => {
    const validate = core().getSchema(`${CORE_ID}#/$defs/${definition}`)!;
    if (validate(value)) return [];
    return (validate.errors ?? []).map((e) => {
      const extra = e.keyword === 'additionalProperties' ? ` '${(e.params as any).additionalProperty}'` : '';
      return `${pointer}${e.instancePath} ${e.message}${extra}`;
    });
  });
}

/** Schema problems of one object, each as `<kind>/<name><json pointer> <message>`. Empty when valid. */
export function manifestErrors(obj: any): string[] {
  const id = `${obj?.kind ?? '?'}/${obj?.metadata?.name ?? '?'}`;
  if (typeof obj?.apiVersion !== 'string' || typeof obj?.kind !== 'string') return [`${id}: apiVersion and kind are required`];
  const validate = validatorFor(obj.apiVersion, obj.kind);
  if (!validate) return [`${id}: no schema for ${obj.apiVersion} ${obj.kind}`];
  const errors: string[] = [];
  if (!validate(obj)) {
    for (const e of validate.errors ?? []) {
      const extra = e.keyword === 'additionalProperties' ? ` '${(e.params as any).additionalProperty}'` : '';
      errors.push(`${e.instancePath} ${e.message}${extra}`);
    }
  }
  errors.push(...embeddedCoreErrors(obj));
  errors.push(...metadataErrors(obj));
  return [...new Set(errors)].map((e) => `${id}${e.startsWith('/') ? '' : ': '}${e}`);
}

/** Throws, listing every problem, unless every object validates against its schema. */
export function expectValidManifests(objects: any[]): void {
  const errors = objects.flatMap(manifestErrors);
  if (errors.length > 0) throw new Error(`Invalid Kubernetes objects:\n  ${errors.join('\n  ')}`);
}
