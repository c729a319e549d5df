/**
 * Rewrites the import of the library in rosetta/default.ts-fixture so it lists every name src/index.ts
 * exports: README snippets and docstring examples use those names bare. Run by the pre-compile task.
 */
import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '..');
const fixture = path.join(root, 'rosetta/default.ts-fixture');
const names = new Set<string>();
for (const line of fs.readFileSync(path.join(root, 'src/index.ts'), 'utf8').split('\n')) {
  const m = /^export \* from '\.\/(.+)';$/.exec(line.trim());
  if (!m) continue;
  const source = fs.readFileSync(path.join(root, 'src', `${m[1]}.ts`), 'utf8');
  for (const e of source.matchAll(/^export (?:declare )?(?:abstract )?(?:class|interface|enum|const|function) (\w+)/gm)) names.add(e[1]);
}
const block = `// BEGIN exports\nimport {\n${[...names].sort().map((n) => `  ${n},`).join('\n')}\n} from '@release-constructs/release-strategies';\n// END exports`;
const text = fs.readFileSync(fixture, 'utf8').replace(/\/\/ BEGIN exports[\s\S]*\/\/ END exports/, block);
fs.writeFileSync(fixture, text);
