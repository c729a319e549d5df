/**
 * Post-compile step that lets a project install only the side of the library it uses: cdk8s and
 * cdk8s-plus-28 for Kubernetes, aws-cdk-lib for AWS (package.json marks them optional peers).
 *
 * 1. lib/index.js: every name src/index.ts exports is defined as a getter that loads its module on
 *    first use, so `require('@release-constructs/release-strategies')` loads no framework, and using
 *    `CanaryRollout` never loads aws-cdk-lib. A name whose module needs a peer that is not installed
 *    fails with an error naming the peer to install. The module list comes from src/index.ts and the
 *    names from the compiled modules, so a new `export * from './x'` line needs nothing here.
 * 2. lib/**\/*.d.ts: each line naming an optional peer's module gets a `// @ts-ignore` above it, so a
 *    strict type-check (no skipLibCheck, as `cdk8s init` and `cdk init` write it) of a project without
 *    that peer passes; with the peer installed, the types resolve as before.
 *
 * aws-cdk-lib's own index is lazy the same way (one getter per submodule).
 */
import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '..');
const lib = path.join(root, 'lib');
const MARK = '// @ts-ignore optional peer dependency: types resolve when it is installed';

interface PackageJson {
  readonly peerDependencies?: { [name: string]: string };
  readonly peerDependenciesMeta?: { [name: string]: { optional?: boolean } };
}

/** The optional peers and their version ranges, from package.json. */
export function optionalPeers(pkg: PackageJson): { [name: string]: string } {
  const peers: { [name: string]: string } = {};
  for (const [name, range] of Object.entries(pkg.peerDependencies ?? {})) {
    if (pkg.peerDependenciesMeta?.[name]?.optional) peers[name] = range;
  }
  return peers;
}

/** The modules src/index.ts re-exports, in order (`./strategy/interval`, ...). */
export function exportedModules(indexSource: string): string[] {
  const modules: string[] = [];
  for (const [i, raw] of indexSource.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('//')) continue;
    const m = /^export \* from '(\.\/[^']+)';$/.exec(line);
    if (!m) throw new Error(`src/index.ts:${i + 1}: only \`export * from './file';\` lines are allowed (STYLE.md), got: ${line}`);
    modules.push(m[1]);
  }
  return modules;
}

/** The text of the lazy lib/index.js for `exports` (module → its export names, in order). */
export function lazyIndex(exports: ReadonlyArray<readonly [string, string[]]>, peers: { [name: string]: string }): string {
  const seen = new Set<string>();
  const lines = [
    '"use strict";',
    '// Written after compiling by scripts/optional-peers.ts from src/index.ts: each export loads its module on',
    '// first use, so a project loads (and installs) only the framework of the side it uses.',
    'Object.defineProperty(exports, "__esModule", { value: true });',
    `const OPTIONAL_PEERS = ${JSON.stringify(peers)};`,
    'function lazy(load, names) {',
    '    let loaded;',
    '    const target = () => {',
    '        if (loaded === undefined) {',
    '            try {',
    '                loaded = load();',
    '            }',
    '            catch (e) {',
    '                const missing = e && e.code === "MODULE_NOT_FOUND" ? Object.keys(OPTIONAL_PEERS).find((p) => e.message.startsWith(`Cannot find module \'${p}\'`) || e.message.startsWith(`Cannot find module \'${p}/`)) : undefined;',
    '                if (missing === undefined) throw e;',
    '                throw new Error(`@release-constructs/release-strategies: ${names.join(", ")} need${names.length === 1 ? "s" : ""} the peer dependency \'${missing}\', which is not installed: npm install ${missing}@\'${OPTIONAL_PEERS[missing]}\'`);',
    '            }',
    '        }',
    '        return loaded;',
    '    };',
    '    for (const name of names) {',
    '        Object.defineProperty(exports, name, { enumerable: true, configurable: true, get: () => target()[name] });',
    '    }',
    '}',
  ];
  for (const [file, names] of exports) {
    const fresh = names.filter((n) => n !== 'default' && n !== '__esModule' && !seen.has(n));
    fresh.forEach((n) => seen.add(n));
    if (fresh.length > 0) lines.push(`lazy(() => require(${JSON.stringify(file)}), ${JSON.stringify(fresh)});`);
  }
  // Node's ES module loader finds the names of a CommonJS module by reading its source
  // (cjs-module-lexer), which cannot see getters: this never-run assignment lists them for it.
  lines.push(`0 && (module.exports = { ${[...seen].join(', ')} });`, '');
  return lines.join('\n');
}

/** `source` (a .d.ts) with a `// @ts-ignore` line above every line that names a module of `peers`. */
export function tolerateMissingPeers(source: string, peers: string[]): string {
  const specifier = new RegExp(`['"](${peers.map((p) => p.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')).join('|')})(/[^'"]*)?['"]`);
  const out: string[] = [];
  for (const line of source.split('\n')) {
    if (specifier.test(line) && out[out.length - 1]?.trim() !== MARK) out.push(`${line.match(/^\s*/)![0]}${MARK}`);
    out.push(line);
  }
  return out.join('\n');
}

function declarationFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return declarationFiles(full);
    return e.name.endsWith('.d.ts') ? [full] : [];
  });
}

function main(): void {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const peers = optionalPeers(pkg);
  const modules = exportedModules(fs.readFileSync(path.join(root, 'src', 'index.ts'), 'utf8'));
  // The compiled modules tell which names each one exports (this build has every peer installed).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const exported = modules.map((m) => [m, Object.keys(require(path.join(lib, m)))] as const);
  fs.writeFileSync(path.join(lib, 'index.js'), lazyIndex(exported, peers));
  let marked = 0;
  for (const file of declarationFiles(lib)) {
    const before = fs.readFileSync(file, 'utf8');
    const after = tolerateMissingPeers(before, Object.keys(peers));
    if (after !== before) {
      fs.writeFileSync(file, after);
      marked++;
    }
  }
  process.stdout.write(`lib/index.js: ${exported.reduce((n, [, names]) => n + names.length, 0)} names from ${modules.length} modules, each loaded on first use; ${marked} declaration files marked for optional peers (${Object.keys(peers).join(', ')})\n`);
}

if (require.main === module) main();
