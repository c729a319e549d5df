/**
 * Runs one side of one scenario in this (fresh) process and prints one JSON line on stdout. Started by
 * bench/run.ts as `node --expose-gc worker.js <command> ...` from the transpiled build.
 *
 * - `list <size>...`: the scenarios, with their availability, raw baselines and repetitions for each size.
 * - `check <scenario> <n>`: synthesizes `n` services with the library and with every raw baseline, and
 *   compares each raw output with the library's.
 * - `prepare <scenario> <size>...`: runs every raw baseline's preparation for these sizes, so that a
 *   scenario that keeps what it prepared in the run's cache directory (see `cacheDir`) does not prepare
 *   it again in the measured processes.
 * - `measure <scenario> <side> <n> <repetitions>`: times `repetitions` syntheses of `n` services by one
 *   side (`library` or a baseline's name), after one untimed warm-up with one service, and reads the
 *   peak resident set size.
 */
import { Baseline, baselinesOf, Comparison, defaultRepetitions, LIBRARY, Scenario, Side, SynthFn, SynthOutput } from './scenario';
import { ALL_SCENARIOS } from './scenarios';

/** What `measure` prints. */
export interface Measurement {
  readonly scenario: string;
  readonly side: Side;
  readonly n: number;
  /** Wall time of each repetition, in milliseconds. */
  readonly timesMs: number[];
  /** CPU time (user + system, all threads of the process) of each repetition, in milliseconds. */
  readonly cpuMs: number[];
  /** Peak resident set size (KiB) before the first timed synthesis: node, modules, preparation, warm-up. */
  readonly baselineRssKb: number;
  /** Peak resident set size (KiB) of the whole process. */
  readonly peakRssKb: number;
  /** Objects (or resources) synthesized per repetition. */
  readonly objects: number;
  /** Size of the synthesized output (characters). */
  readonly outputChars: number;
}

/** What `check` prints: one result per raw baseline. */
export interface CheckResult {
  readonly scenario: string;
  readonly baseline: string;
  readonly comparison: Comparison;
  readonly n: number;
  /** Whether the outputs are the same under `comparison`. */
  readonly equal: boolean;
  /** Whether the outputs are the same text. */
  readonly identicalText: boolean;
  readonly libraryObjects: number;
  readonly rawObjects: number;
  readonly outputChars: number;
  /** The first lines that differ, when the outputs differ. */
  readonly difference?: string;
}

function find(name: string): Scenario {
  const scenario = ALL_SCENARIOS.find((s) => s.name === name);
  if (!scenario) throw new Error(`unknown scenario '${name}'; known: ${ALL_SCENARIOS.map((s) => s.name).join(', ')}`);
  if (scenario.unavailable) throw new Error(`scenario '${name}' is unavailable: ${scenario.unavailable}`);
  return scenario;
}

function gc(): void {
  const collect = (global as any).gc as (() => void) | undefined;
  if (!collect) throw new Error('run the worker with node --expose-gc');
  collect();
}

function baseline(scenario: Scenario, name: string): Baseline {
  const found = baselinesOf(scenario).find((b) => b.name === name);
  if (!found) throw new Error(`side must be ${[LIBRARY, ...baselinesOf(scenario).map((b) => b.name)].join(', ')}, got ${name}`);
  return found;
}

function side(scenario: Scenario, which: Side, sizes: number[]): SynthFn {
  if (which !== LIBRARY) return baseline(scenario, which).prepare(sizes);
  scenario.prepareLibrary?.(sizes);
  return (n) => scenario.library(n);
}

function measure(scenario: Scenario, which: Side, n: number, repetitions: number): Measurement {
  const synth = side(scenario, which, [1, n]);
  synth(1).dispose?.(); // warm-up: loads lazily required modules and compiles the hot paths once
  gc();
  const baselineRssKb = process.resourceUsage().maxRSS;
  const timesMs: number[] = [];
  const cpuMs: number[] = [];
  let objects = 0;
  let outputChars = 0;
  for (let r = 0; r < repetitions; r++) {
    gc();
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    const output = synth(n);
    const end = process.hrtime.bigint();
    const used = process.cpuUsage(cpu);
    timesMs.push(Number(end - start) / 1e6);
    cpuMs.push((used.user + used.system) / 1000);
    objects = output.objects();
    outputChars = output.text().length;
    output.dispose?.();
  }
  return { scenario: scenario.name, side: which, n, timesMs, cpuMs, baselineRssKb, peakRssKb: process.resourceUsage().maxRSS, objects, outputChars };
}

function compared(output: SynthOutput, comparison: Comparison): string {
  if (comparison === 'exact') return output.text();
  if (!output.sortedText) throw new Error('this scenario\'s output cannot be compared with sorted keys (no sortedText())');
  return output.sortedText();
}

function check(scenario: Scenario, n: number): CheckResult[] {
  const library = scenario.library(n);
  const results = baselinesOf(scenario).map((b): CheckResult => {
    const comparison = b.comparison ?? 'exact';
    const raw = b.prepare([n])(n);
    const a = compared(library, comparison);
    const c = compared(raw, comparison);
    const result = {
      scenario: scenario.name,
      baseline: b.name,
      comparison,
      n,
      equal: a === c,
      identicalText: library.text() === raw.text(),
      libraryObjects: library.objects(),
      rawObjects: raw.objects(),
      outputChars: library.text().length,
    };
    raw.dispose?.();
    return a === c ? result : { ...result, difference: firstDifference(a, c) };
  });
  library.dispose?.();
  return results;
}

function firstDifference(a: string, b: string): string {
  const la = a.split('\n');
  const lb = b.split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) {
      const from = Math.max(0, i - 3);
      return `line ${i + 1}:\n--- library\n${la.slice(from, i + 4).join('\n')}\n--- raw\n${lb.slice(from, i + 4).join('\n')}`;
    }
  }
  return 'outputs differ in length only';
}

function main(args: string[]): unknown {
  const [command, ...rest] = args;
  switch (command) {
    case 'list':
      return ALL_SCENARIOS.map((s) => ({
        name: s.name,
        title: s.title,
        group: s.group,
        rawTitle: s.rawTitle,
        baselines: baselinesOf(s).map((b) => ({ name: b.name, title: b.title, comparison: b.comparison ?? 'exact' })),
        unavailable: s.unavailable,
        controlOf: s.controlOf,
        checkSizes: s.checkSizes ?? [10],
        repetitions: Object.fromEntries(rest.map((n) => [n, (s.repetitions ?? defaultRepetitions)(Number(n))])),
      }));
    case 'check':
      return check(find(rest[0]), Number(rest[1]));
    case 'prepare': {
      const scenario = find(rest[0]);
      for (const b of baselinesOf(scenario)) b.prepare(rest.slice(1).map(Number));
      return {};
    }
    case 'measure': {
      const [name, which, n, repetitions] = rest;
      return measure(find(name), which, Number(n), Number(repetitions));
    }
    default:
      throw new Error(`unknown command '${command}' (list, check, prepare, measure)`);
  }
}

if (require.main === module) {
  process.stdout.write(`${JSON.stringify(main(process.argv.slice(2)))}\n`);
}
