/**
 * Synth-time and memory benchmark: N services synthesized with the library and, in the same run, as
 * raw objects that produce the same output (cdk8s `ApiObject`s; CloudFormation `CfnResource`s and typed
 * L1 classes). Reports the median wall time and the peak resident set size of each side, their ratio
 * (library / raw, for each raw baseline), and how time grows with N.
 *
 *   npx ts-node --project bench/tsconfig.json bench/run.ts [--quick] [--only a,b] [--sizes 10,100,1000] [--repetitions k]
 *
 * --quick measures N = 10 and 100 with one repetition (a smoke test, not a measurement).
 *
 * Each (scenario, side, N) runs in a fresh `node --expose-gc` process, on JavaScript transpiled once
 * into bench/results/.build, so that neither ts-node nor an earlier run sits in the measured memory.
 * The report goes to bench/results/latest.md (and the raw figures to latest.json); both are git-ignored.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import type { CheckResult, Measurement } from './worker';

const ROOT = path.resolve(__dirname, '..');
const RESULTS = path.join(ROOT, 'bench', 'results');
const BUILD = path.join(RESULTS, '.build');
/** Target of issue 7: the library at most this many times the raw side at the largest N. */
const TARGET_RATIO = 1.5;

interface Options {
  readonly quick: boolean;
  readonly sizes: number[];
  readonly only?: string[];
  readonly repetitions?: number;
  readonly rounds: number;
}

interface BaselineInfo {
  readonly name: string;
  readonly title: string;
  readonly comparison: 'exact' | 'sortedKeys';
}

interface ScenarioInfo {
  readonly name: string;
  readonly title: string;
  readonly group: string;
  readonly rawTitle: string;
  readonly baselines: BaselineInfo[];
  readonly unavailable?: string;
  readonly controlOf?: string;
  readonly checkSizes: number[];
  readonly repetitions: { [n: string]: number };
}

interface Row {
  readonly scenario: ScenarioInfo;
  readonly n: number;
  readonly library: Measurement;
  /** By baseline name. */
  readonly raws: { [baseline: string]: Measurement };
}

function parseArgs(argv: string[]): Options {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const known = new Set(['--quick', '--only', '--sizes', '--repetitions', '--rounds']);
  argv.forEach((a, i) => {
    if (a.startsWith('--') && !known.has(a)) throw new Error(`unknown option ${a}; options: ${[...known].join(', ')}`);
    if (!a.startsWith('--') && !known.has(argv[i - 1])) throw new Error(`unexpected argument ${a}`);
  });
  const quick = argv.includes('--quick');
  const sizes = (value('--sizes') ?? (quick ? '10,100' : '10,100,1000')).split(',').map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--sizes must be whole numbers, got ${value('--sizes')}`);
  const repetitions = value('--repetitions') !== undefined ? Number(value('--repetitions')) : quick ? 1 : undefined;
  const rounds = Number(value('--rounds') ?? (quick ? 1 : 3));
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a whole number, got ${value('--rounds')}`);
  return { quick, sizes, only: value('--only')?.split(','), repetitions, rounds };
}

/** Transpiles src/ and bench/ (no type check: `tsc -p test/tsconfig.json` does that) into BUILD. */
function build(): void {
  fs.rmSync(BUILD, { recursive: true, force: true });
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.CommonJS,
    target: ts.ScriptTarget.ES2022,
    esModuleInterop: true,
    experimentalDecorators: true,
  };
  for (const dir of ['src', 'bench']) {
    for (const file of fs.readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.ts') || file.endsWith('.d.ts') || file.startsWith('results')) continue;
      const source = fs.readFileSync(path.join(ROOT, dir, file), 'utf8');
      const out = ts.transpileModule(source, { compilerOptions: options, fileName: file });
      const target = path.join(BUILD, dir, file.replace(/\.ts$/, '.js'));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, out.outputText);
    }
  }
}

/** Runs the worker in a fresh process and parses the JSON line it prints. */
function worker<T>(args: string[]): { result: T; warnings: number } {
  const child = spawnSync(process.execPath, ['--expose-gc', path.join(BUILD, 'bench', 'worker.js'), ...args], {
    cwd: ROOT,
    env: { ...process.env, BENCH_CACHE_DIR: path.join(BUILD, 'cache') },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (child.status !== 0) {
    throw new Error(`worker ${args.join(' ')} failed (exit ${child.status ?? child.signal}):\n${child.stderr}`);
  }
  const warnings = child.stderr.split('\n').filter((l) => l.startsWith('[WARNING]')).length;
  return { result: JSON.parse(child.stdout.trim().split('\n').pop()!) as T, warnings };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The measurements of one side from several processes, as one. */
function merge(parts: Measurement[]): Measurement {
  return {
    ...parts[0],
    timesMs: parts.flatMap((m) => m.timesMs),
    cpuMs: parts.flatMap((m) => m.cpuMs),
    baselineRssKb: median(parts.map((m) => m.baselineRssKb)),
    peakRssKb: median(parts.map((m) => m.peakRssKb)),
  };
}

const ms = (m: Measurement) => median(m.timesMs);
const cpu = (m: Measurement) => median(m.cpuMs);
const mib = (kb: number) => kb / 1024;
const grown = (m: Measurement) => m.peakRssKb - m.baselineRssKb;
const fixed = (x: number, digits: number) => x.toFixed(digits);

function loadLine(label: string): string {
  const [one, five] = os.loadavg();
  return `${label}: ${fixed(one, 2)} (1 min), ${fixed(five, 2)} (5 min) on ${os.cpus().length} cores`;
}

/** Below this, the growth of the resident set is within what garbage collection timing changes. */
const MIN_GROWN_KB = 10 * 1024;

function memoryCell(m: Measurement): string {
  return `${fixed(mib(m.peakRssKb), 0)} (+${fixed(mib(grown(m)), 0)})`;
}

function checkLine(check: CheckResult): string {
  const what = `${check.scenario} against \`${check.baseline}\`, N = ${check.n}`;
  if (!check.equal) return `- Output check (${what}): OUTPUTS DIFFER`;
  const same = check.identicalText
    ? 'identical'
    : 'the same JSON once object keys are sorted (the text differs only in the order of resources and of keys)';
  return `- Output check (${what}): ${same} (${check.libraryObjects} objects, ${check.outputChars} characters)`;
}

function report(options: Options, rows: Row[], skipped: ScenarioInfo[], checks: CheckResult[], loadBefore: string, seconds: number): string {
  const largest = Math.max(...options.sizes);
  const sizes = [...options.sizes].sort((a, b) => a - b);
  const lines: string[] = [];
  lines.push('# Synth benchmark', '');
  lines.push(`- Date: ${new Date().toISOString()}`);
  lines.push(`- Node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, ${fixed(os.totalmem() / 2 ** 30, 1)} GiB`);
  lines.push(`- ${loadBefore}; ${loadLine('load after')}`);
  lines.push(`- Mode: ${options.quick ? 'quick (smoke test: one repetition, not a measurement)' : 'full'}; sizes ${options.sizes.join(', ')}; `
    + `${options.rounds} process(es) per side and size; total ${fixed(seconds, 0)} s`);
  lines.push('- Time: median wall time of the repetitions (building the construct tree and synthesizing it to YAML or templates), '
    + 'each side in fresh processes that alternate with the other sides, each after a warm-up. CPU time (all threads of the process, '
    + 'including the garbage collector) is less disturbed by other processes than wall time.');
  lines.push('- Memory: peak resident set size of the process in MiB, and in brackets its growth over the peak before the first timed '
    + 'synthesis (node, modules, preparation, warm-up). The growth ratio is left out when a side grew less than '
    + `${MIN_GROWN_KB / 1024} MiB (garbage collection timing decides such figures).`);
  lines.push(`- Ratios: library / raw. Target: at most ${TARGET_RATIO} at N = ${largest}, and time growing linearly with N.`);
  lines.push('');
  for (const check of checks) lines.push(checkLine(check));
  lines.push('');
  for (const group of [...new Set(rows.map((r) => r.scenario.group))]) {
    const groupRows = rows.filter((r) => r.scenario.group === group);
    const baselines = new Map<string, BaselineInfo>();
    for (const r of groupRows) for (const b of r.scenario.baselines) if (!baselines.has(b.name)) baselines.set(b.name, b);
    const several = baselines.size > 1;
    lines.push(`## ${group}`, '');
    if (several) {
      lines.push('Raw sides, each holding the objects the library synthesized:', '');
      for (const b of baselines.values()) lines.push(`- \`${b.name}\`: ${b.title}`);
      lines.push('');
    } else {
      lines.push(`Raw side: ${[...baselines.values()][0].title} holding the objects the library synthesized.`, '');
    }
    const sideColumn = several ? ' Raw side |' : '';
    lines.push(`| Scenario | N |${sideColumn} Objects | Library ms | Raw ms | Time ratio | CPU time ratio | Library peak MiB | Raw peak MiB | Peak ratio | Growth ratio |`);
    lines.push(`|---|---:|${several ? '---|' : ''}---:|---:|---:|---:|---:|---:|---:|---:|---:|`);
    for (const r of groupRows) {
      for (const b of r.scenario.baselines) {
        const raw = r.raws[b.name];
        const ratio = ms(r.library) / ms(raw);
        const mark = r.n === largest ? (ratio <= TARGET_RATIO ? ' ✓' : ' ✗') : '';
        const growthRatio = Math.min(grown(r.library), grown(raw)) >= MIN_GROWN_KB ? fixed(grown(r.library) / grown(raw), 2) : 'n/a';
        lines.push(`| ${r.scenario.title} | ${r.n} |${several ? ` \`${b.name}\` |` : ''} ${r.library.objects} | ${fixed(ms(r.library), 1)} | ${fixed(ms(raw), 1)} `
          + `| ${fixed(ratio, 2)}${mark} | ${fixed(cpu(r.library) / cpu(raw), 2)} | ${memoryCell(r.library)} | ${memoryCell(raw)} `
          + `| ${fixed(r.library.peakRssKb / raw.peakRssKb, 2)} | ${growthRatio} |`);
      }
    }
    lines.push('');
    for (const name of [...new Set(groupRows.filter((x) => x.scenario.controlOf !== undefined).map((x) => x.scenario.name))]) {
      const controlRows = groupRows.filter((x) => x.scenario.name === name);
      const targetName = controlRows[0].scenario.controlOf!;
      if (!groupRows.some((x) => x.scenario.name === targetName)) continue;
      lines.push(`Cost of what ${targetName} adds to its control (${name}): the difference of the two rows, per side.`, '');
      lines.push(`| N |${sideColumn} Library ms | Raw ms | Time ratio | CPU time ratio |`, `|---:|${several ? '---|' : ''}---:|---:|---:|---:|`);
      for (const r of controlRows) {
        const target = groupRows.find((x) => x.scenario.name === targetName && x.n === r.n);
        if (!target) continue;
        for (const b of r.scenario.baselines.filter((x) => target.raws[x.name] !== undefined)) {
          const extra = (m: (row: Row) => Measurement, f: (m: Measurement) => number) => f(m(target)) - f(m(r));
          const lib = (row: Row) => row.library;
          const raw = (row: Row) => row.raws[b.name];
          lines.push(`| ${r.n} |${several ? ` \`${b.name}\` |` : ''} ${fixed(extra(lib, ms), 1)} | ${fixed(extra(raw, ms), 1)} `
            + `| ${fixed(extra(lib, ms) / extra(raw, ms), 2)} | ${fixed(extra(lib, cpu) / extra(raw, cpu), 2)} |`);
        }
      }
      lines.push('');
    }
    if (sizes.length > 1) {
      lines.push('Growth of the median wall time from one size to the next (10 times the services: 10 is linear, less means fixed '
        + 'costs are still being spread, more would be worse than linear).', '');
      const steps = sizes.slice(1).map((n, i) => [sizes[i], n]);
      lines.push(`| Scenario | Side | ${steps.map(([a, b]) => `${a}→${b}`).join(' | ')} |`);
      lines.push(`|---|---|${steps.map(() => '---:|').join('')}`);
      for (const name of [...new Set(groupRows.map((r) => r.scenario.name))]) {
        const at = (n: number) => groupRows.find((r) => r.scenario.name === name && r.n === n)!;
        const first = at(sizes[0]);
        const growth = (m: (row: Row) => Measurement) => steps.map(([a, b]) => `${fixed(ms(m(at(b))) / ms(m(at(a))), 1)}x`);
        lines.push(`| ${first.scenario.title} | library | ${growth((row) => row.library).join(' | ')} |`);
        for (const b of first.scenario.baselines) lines.push(`| ${first.scenario.title} | \`${b.name}\` | ${growth((row) => row.raws[b.name]).join(' | ')} |`);
      }
      lines.push('');
    }
  }
  for (const s of skipped) lines.push(`- Skipped ${s.name}: ${s.unavailable}`);
  if (skipped.length > 0) lines.push('');
  lines.push('Figures measured while other processes use the CPU are noisy: compare the load lines above, and rerun if in doubt.');
  return `${lines.join('\n')}\n`;
}

function main(): void {
  const options = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const loadBefore = loadLine('Load before');
  process.stderr.write(`${loadBefore}\n`);
  if (os.loadavg()[0] > os.cpus().length) process.stderr.write('The machine is busy: the figures will be noisy.\n');
  build();
  const all = worker<ScenarioInfo[]>(['list', ...options.sizes.map(String)]).result;
  const unknown = (options.only ?? []).filter((name) => !all.some((s) => s.name === name));
  if (unknown.length > 0) throw new Error(`unknown scenario(s) ${unknown.join(', ')}; known: ${all.map((s) => s.name).join(', ')}`);
  const chosen = all.filter((s) => options.only === undefined || options.only.includes(s.name));
  const skipped = chosen.filter((s) => s.unavailable !== undefined);
  const scenarios = chosen.filter((s) => s.unavailable === undefined);

  const checks: CheckResult[] = [];
  for (const s of scenarios) {
    for (const n of options.quick ? s.checkSizes.slice(0, 1) : s.checkSizes) {
      for (const result of worker<CheckResult[]>(['check', s.name, String(n)]).result) {
        checks.push(result);
        process.stderr.write(`check ${s.name} ${result.baseline} N=${n}: ${result.identicalText ? 'identical' : result.equal ? 'same JSON with sorted keys' : 'DIFFERENT'}\n`);
        if (!result.equal) throw new Error(`library and ${result.baseline} outputs of ${s.name} differ at ${result.difference}`);
      }
    }
  }

  const rows: Row[] = [];
  for (const s of scenarios) {
    worker(['prepare', s.name, '1', ...options.sizes.map(String)]);
    for (const n of options.sizes) {
      const repetitions = Math.ceil((options.repetitions ?? s.repetitions[String(n)]) / options.rounds);
      const sides = ['library', ...s.baselines.map((b) => b.name)];
      const parts: { [side: string]: Measurement[] } = Object.fromEntries(sides.map((side) => [side, []]));
      const measure = (side: string) => {
        const { result, warnings } = worker<Measurement>(['measure', s.name, side, String(n), String(repetitions)]);
        process.stderr.write(`${s.name} ${side} N=${n}: median ${fixed(median(result.timesMs), 1)} ms (CPU ${fixed(median(result.cpuMs), 1)} ms) of ${repetitions}, `
          + `peak ${fixed(mib(result.peakRssKb), 0)} MiB${warnings > 0 ? ` (${warnings} synth warnings)` : ''}\n`);
        parts[side].push(result);
      };
      // ABBA order (library, raws, raws reversed, library, ...), so that a change in the machine's load hits all sides alike.
      for (let round = 0; round < options.rounds; round++) {
        (round % 2 === 0 ? sides : [...sides].reverse()).forEach(measure);
      }
      const raws = Object.fromEntries(s.baselines.map((b) => [b.name, merge(parts[b.name])]));
      rows.push({ scenario: s, n, library: merge(parts.library), raws });
    }
  }

  const markdown = report(options, rows, skipped, checks, loadBefore, (Date.now() - started) / 1000);
  fs.mkdirSync(RESULTS, { recursive: true });
  fs.writeFileSync(path.join(RESULTS, 'latest.md'), markdown);
  fs.writeFileSync(path.join(RESULTS, 'latest.json'), `${JSON.stringify({ options, checks, rows }, undefined, 2)}\n`);
  process.stdout.write(markdown);
}

main();
