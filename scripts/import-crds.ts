/**
 * Regenerates everything derived from the upstream CRDs listed in cdk8s.yaml:
 *
 *  - src/kubernetes/imports/<name>.ts: typed bindings, written by `cdk8s import`.
 *  - schemas/<group>/<kind>_<version>.json: one strict JSON schema per served version, in the
 *    layout kubeconform reads (`{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json`) and
 *    that test/schema-validation.ts loads.
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
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'crd-import-'));

fs.rmSync(importsDir, { recursive: true, force: true });
fs.rmSync(schemasDir, { recursive: true, force: true });
fs.mkdirSync(schemasDir, { recursive: true });

const sources: Record<string, { file: string; sha256: string; schemas: string[] }> = {};
const specs: string[] = [];
for (const entry of config.imports as string[]) {
  const [name, source] = entry.split(':=');
  const sourcePath = path.resolve(root, source);
  const raw = fs.readFileSync(sourcePath, 'utf8');
  // js-yaml reads Flagger's under-indented quoted descriptions as the upstream tooling does; the `yaml`
  // package (which cdk8s-cli uses) turns their continuation lines into keys.
  const docs = (jsYaml.loadAll(raw) as any[]).filter((d) => d && d.kind === 'CustomResourceDefinition');
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
  sources[name] = { file: source, sha256: createHash('sha256').update(raw).digest('hex'), schemas: written };
}

for (const spec of specs) {
  execFileSync('npx', ['cdk8s', 'import', '--no-save', '--no-check-upgrade', '--language', 'typescript', '--output', importsDir, spec], {
    cwd: root,
    stdio: 'inherit',
  });
}
fs.writeFileSync(path.join(schemasDir, 'SOURCES.json'), JSON.stringify(sources, undefined, 2) + '\n');
fs.rmSync(work, { recursive: true, force: true });
