/**
 * Regenerates everything derived from the upstream CRDs listed in cdk8s.yaml:
 *
 *  - src/kubernetes/imports/<name>.ts: typed bindings, written by `cdk8s import`.
 *  - schemas/<group>/<kind>_<version>.json: one strict JSON schema per served version, in the
 *    layout kubeconform reads (`{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json`) and
 *    that test/schema-validation.ts loads.
 *  - schemas/crds/<plural>.<group>.json: the CustomResourceDefinition itself, as JSON without its
 *    descriptions (schemas, defaults and CEL rules unchanged), which scripts/cluster/run.sh installs
 *    into the local API server. Besides the CRDs of cdk8s.yaml it writes those that only the
 *    controllers need (CLUSTER_ONLY below: Argo Rollouts' AnalysisRun, Experiment and
 *    ClusterAnalysisTemplate), which get no bindings.
 *
 * Every CRD is parsed with js-yaml and written back as JSON before `cdk8s import` reads it:
 * cdk8s's own reader misreads the under-indented continuation lines of quoted descriptions in
 * Flagger's file (fluxcd/flagger#1419). The documents are unchanged by the round trip; the upstream files are
 * never modified.
 *
 * Run with `npx projen import`. Needs the CRD files at the paths in cdk8s.yaml; nothing else in
 * the build or the tests reads them.
 */
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as jsYaml from 'js-yaml';
import * as YAML from 'yaml';
import { strictSchemaFromCrd } from './crd-schema';

const root = path.resolve(__dirname, '..');
const config = YAML.parse(fs.readFileSync(path.join(root, 'cdk8s.yaml'), 'utf8'));
const importsDir = path.join(root, 'src/kubernetes/imports');
const schemasDir = path.join(root, 'schemas');
const crdsDir = path.join(schemasDir, 'crds');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-import-'));

/** CRDs the controllers in the cluster tests watch, but that no construct writes: no bindings, no schema. */
const CLUSTER_ONLY: Record<string, string> = {
  'argo-analysis-run': '../shared/crds/argo-rollouts-analysisrun-crd.yaml',
  'argo-cluster-analysis-template': '../shared/crds/argo-rollouts-clusteranalysistemplate-crd.yaml',
  'argo-experiment': '../shared/crds/argo-rollouts-experiment-crd.yaml',
};

/** Drops `description` from a schema (not a property named description). */
function withoutDescriptions(node: any): any {
  if (Array.isArray(node)) return node.map(withoutDescriptions);
  if (node === null || typeof node !== 'object') return node;
  const out: any = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'description' && typeof value === 'string') continue;
    out[key] = key === 'properties'
      ? Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, withoutDescriptions(v)]))
      : withoutDescriptions(value);
  }
  return out;
}

/** Writes the CRD the API server installs; returns its path under schemas/. */
function writeCrd(crd: any): string {
  const rel = `crds/${crd.metadata.name}.json`;
  const { creationTimestamp, ...metadata } = crd.metadata;
  const manifest = { apiVersion: crd.apiVersion, kind: crd.kind, metadata, spec: withoutDescriptions(crd.spec) };
  fs.mkdirSync(crdsDir, { recursive: true });
  fs.writeFileSync(path.join(schemasDir, rel), JSON.stringify(manifest) + '\n');
  return rel;
}

function crdDocuments(raw: string): any[] {
  // js-yaml reads Flagger's under-indented quoted descriptions as the upstream tooling does; the `yaml`
  // package (which cdk8s-cli uses) turns their continuation lines into keys.
  return (jsYaml.loadAll(raw) as any[]).filter((d) => d && d.kind === 'CustomResourceDefinition');
}

fs.rmSync(importsDir, { recursive: true, force: true });
fs.rmSync(schemasDir, { recursive: true, force: true });
fs.mkdirSync(schemasDir, { recursive: true });

const sources: Record<string, { file: string; sha256: string; schemas: string[]; crds: string[] }> = {};
const specs: string[] = [];
for (const entry of config.imports as string[]) {
  const [name, source] = entry.split(':=');
  const sourcePath = path.resolve(root, source);
  const raw = fs.readFileSync(sourcePath, 'utf8');
  const docs = crdDocuments(raw);
  const normalized = path.join(work, `${name}.yaml`);
  // JSON is YAML: written this way no multi-line scalar is left for cdk8s's reader to misread.
  fs.writeFileSync(normalized, docs.map((d) => JSON.stringify(d)).join('\n---\n'));
  specs.push(`${name}:=${normalized}`);

  const written: string[] = [];
  for (const crd of docs) {
    for (const version of crd.spec.versions) {
      if (!version.served) continue;
      const rel = `${crd.spec.group}/${crd.spec.names.kind.toLowerCase()}_${version.name}.json`;
      const schema = strictSchemaFromCrd(crd.spec.group, version.name, crd.spec.names.kind, version.schema.openAPIV3Schema);
      fs.mkdirSync(path.dirname(path.join(schemasDir, rel)), { recursive: true });
      fs.writeFileSync(path.join(schemasDir, rel), JSON.stringify(schema, undefined, 1) + '\n');
      written.push(rel);
    }
  }
  sources[name] = { file: source, sha256: createHash('sha256').update(raw).digest('hex'), schemas: written, crds: docs.map(writeCrd) };
}
for (const [name, source] of Object.entries(CLUSTER_ONLY)) {
  const raw = fs.readFileSync(path.resolve(root, source), 'utf8');
  sources[name] = { file: source, sha256: createHash('sha256').update(raw).digest('hex'), schemas: [], crds: crdDocuments(raw).map(writeCrd) };
}

for (const spec of specs) {
  execFileSync('npx', ['cdk8s', 'import', '--no-save', '--no-check-upgrade', '--language', 'typescript', '--output', importsDir, spec], {
    cwd: root,
    stdio: 'inherit',
  });
}
fs.writeFileSync(path.join(schemasDir, 'SOURCES.json'), JSON.stringify(sources, undefined, 2) + '\n');
fs.rmSync(work, { recursive: true, force: true });
