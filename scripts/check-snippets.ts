/**
 * Compiles every code sample users read: the ```ts blocks of README.md and docs/*.md, and every
 * `@example` in the public API's docstrings (read from the jsii assembly, so API.md shows only code
 * that compiles). All samples go into one TypeScript program, each in its own block, after the shared
 * fixture in rosetta/default.ts-fixture, and are type-checked with the project's strict settings.
 *
 * One program for all samples takes seconds; compiling each sample on its own (jsii-rosetta
 * extract --strict) took over ten minutes on two cores.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const root = path.resolve(__dirname, '..');
const outDir = path.join(root, '.cache', 'snippets');

interface Sample {
  readonly where: string;
  readonly code: string;
}

function markdownSamples(file: string): Sample[] {
  const text = fs.readFileSync(file, 'utf8');
  const samples: Sample[] = [];
  const fence = /^```(ts|typescript)\s*$([\s\S]*?)^```\s*$/gm;
  for (const m of text.matchAll(fence)) {
    const line = text.slice(0, m.index).split('\n').length + 1;
    samples.push({ where: `${path.relative(root, file)}:${line}`, code: m[2] });
  }
  return samples;
}

function docstringSamples(assemblyFile: string): Sample[] {
  const assembly = JSON.parse(fs.readFileSync(assemblyFile, 'utf8'));
  const samples: Sample[] = [];
  const add = (where: string, docs: any) => {
    if (docs?.example) samples.push({ where, code: docs.example });
  };
  for (const [fqn, type] of Object.entries<any>(assembly.types ?? {})) {
    add(fqn, type.docs);
    for (const m of type.methods ?? []) add(`${fqn}#${m.name}`, m.docs);
    for (const p of type.properties ?? []) add(`${fqn}#${p.name}`, p.docs);
    if (type.initializer) add(`${fqn}#constructor`, type.initializer.docs);
  }
  return samples;
}

function main(): void {
  const docs = fs.existsSync(path.join(root, 'docs'))
    ? fs.readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => path.join(root, 'docs', f))
    : [];
  const assemblyFile = path.join(root, '.jsii');
  if (!fs.existsSync(assemblyFile)) throw new Error('.jsii not found: compile first (npx projen compile)');
  const samples = [
    ...[path.join(root, 'README.md'), ...docs].flatMap(markdownSamples),
    ...docstringSamples(assemblyFile),
  ];

  const fixture = fs.readFileSync(path.join(root, 'rosetta', 'default.ts-fixture'), 'utf8')
    .replace(/'@release-constructs\/release-strategies'/g, "'../../src'")
    .replace(/^\/\/\/ here$/m, '');
  const lines = [fixture];
  const origins: Array<{ fromLine: number; sample: Sample }> = [];
  for (const sample of samples) {
    origins.push({ fromLine: lines.join('\n').split('\n').length + 1, sample });
    lines.push(`{ // ${sample.where}`, sample.code, '}');
  }
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, 'samples.ts');
  fs.writeFileSync(file, lines.join('\n'));

  const config = ts.getParsedCommandLineOfConfigFile(path.join(root, 'test', 'tsconfig.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); },
  })!;
  const options = { ...config.options, noUnusedLocals: false, noEmit: true };
  const program = ts.createProgram([file], options);
  const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => d.file?.fileName === file);
  for (const d of diagnostics) {
    const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
    const origin = [...origins].reverse().find((o) => o.fromLine <= line + 1);
    process.stderr.write(`${origin?.sample.where ?? 'fixture'}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}\n`);
  }
  process.stdout.write(`${samples.length} samples compiled, ${diagnostics.length} errors\n`);
  if (diagnostics.length > 0) process.exit(1);
}

main();
