import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { expectValidManifests } from './schema-validation';
import { exampleNames, synthExample } from '../scripts/synth-examples';

const names = exampleNames();

test('there are examples to synthesize', () => {
  expect(names.length).toBeGreaterThan(0);
});

describe.each(names)('example %s', (name) => {
  test('synthesizes, and every Kubernetes object validates against its schema', async () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `example-${name}-`));
    const files = await synthExample(name, outdir);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files.filter((f) => f.endsWith('.k8s.yaml'))) {
      const objects = YAML.parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => d.toJS()).filter(Boolean);
      expect(objects.length).toBeGreaterThan(0);
      expectValidManifests(objects);
    }
    for (const file of files.filter((f) => f.endsWith('.template.json'))) {
      const template = JSON.parse(fs.readFileSync(file, 'utf8'));
      expect(Object.keys(template.Resources ?? {}).length).toBeGreaterThan(0);
    }
  });
});
