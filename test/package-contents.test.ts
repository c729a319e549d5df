import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

// The published package holds what a user needs and nothing else. Needs a compiled lib/ (test:all
// compiles before it tests).

const root = path.resolve(__dirname, '..');

interface PackedFile {
  readonly path: string;
}

function packedFiles(): { files: string[]; bundled: string[] } {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const [pack] = JSON.parse(out);
  return { files: (pack.files as PackedFile[]).map((f) => f.path).sort(), bundled: pack.bundled };
}

const { files, bundled } = fs.existsSync(path.join(root, 'lib', 'index.js'))
  ? packedFiles()
  : { files: [] as string[], bundled: [] as string[] };

test('lib/ is compiled (npx projen compile), so the file list below is the real one', () => {
  expect(fs.existsSync(path.join(root, 'lib', 'index.js'))).toBe(true);
});

test('the package holds the compiled library, its jsii assembly, the API reference, README, LICENSE and docs', () => {
  expect(files).toEqual(expect.arrayContaining([
    'package.json', 'README.md', 'LICENSE', 'API.md', '.jsii',
    'lib/index.js', 'lib/index.d.ts', 'lib/cli/main.js', 'lib/kubernetes/canary-rollout.js', 'lib/aws/ecs-canary-rollout.d.ts',
    'docs/getting-started.md',
  ]));
});

test('the package holds nothing else: no sources, tests, examples, scripts, benchmarks, schemas or tool caches', () => {
  const allowed = [
    /^(package\.json|README\.md|LICENSE|API\.md|\.jsii)$/,
    /^lib\/.+\.(js|d\.ts)$/,
    /^docs\/[^/]+\.(md|svg)$/,
    ...bundled.map((name) => new RegExp(`^node_modules/${name.replace(/[/.]/g, '\\$&')}/`)),
  ];
  expect(files.filter((f) => !allowed.some((re) => re.test(f)))).toEqual([]);
});

test('the only bundled dependencies are the two non-jsii ones the library runs on', () => {
  expect(bundled.filter((name) => !name.startsWith('@pgsql/')).sort()).toEqual(['libpg-query', 'yaml']);
});
