/**
 * What a benchmark module provides: one scenario per construct configuration, each able to synthesize N
 * services with the library and as raw objects that produce the same output: cdk8s `ApiObject`s, or
 * CloudFormation `CfnResource`s and, as a second raw baseline, typed L1 classes (`CfnTargetGroup`, ...).
 *
 * A module is a file under bench/ that exports `scenarios: Scenario[]` and is listed in
 * bench/scenarios.ts. The worker (bench/worker.ts) runs one scenario side in a fresh process; the
 * runner (bench/run.ts) compares the sides and writes the report.
 */

/**
 * One way a scenario synthesizes the objects: `'library'`, or the name of a raw baseline (`'raw'` for
 * the scenario's own `prepareRaw`, see `baselinesOf`).
 */
export type Side = string;

/** The library side's name. */
export const LIBRARY = 'library';
/** Name of the baseline every scenario has (`Scenario.prepareRaw`). */
export const RAW = 'raw';

/** How the runner compares a raw baseline's output with the library's. */
export type Comparison = 'exact' | 'sortedKeys';

/** What one synthesis produced. */
export interface SynthOutput {
  /** Number of Kubernetes objects or CloudFormation resources synthesized (counted after timing). */
  objects(): number;
  /** The synthesized output as text (YAML, or the templates as JSON), compared between the sides. */
  text(): string;
  /**
   * The output with the keys of every object sorted (arrays keep their order), for baselines compared
   * with `sortedKeys`.
   * @default - the output cannot be compared that way
   */
  sortedText?(): string;
  /** Removes what the synthesis wrote to disk, if anything (called after `objects()` and `text()`). */
  dispose?(): void;
}

/** Builds an app of `n` services and synthesizes it; everything it does is timed. */
export type SynthFn = (n: number) => SynthOutput;

/** A way to build the library's output from raw objects, measured against the library in the same run. */
export interface Baseline {
  /** Identifier used in results and on the worker's command line (kebab-case, not 'library'). */
  readonly name: string;
  /** What the raw side is made of, as shown in the report. */
  readonly title: string;
  /**
   * How its output is compared with the library's: `exact` (the same text) or `sortedKeys` (the same
   * JSON once object keys are sorted: the same resources and values, written in another order).
   * @default 'exact'
   */
  readonly comparison?: Comparison;
  /** Untimed preparation for the sizes that will be measured; returns the timed synthesis. */
  prepare(sizes: number[]): SynthFn;
}

/** One benchmarked configuration. */
export interface Scenario {
  /** Identifier used on the command line and in results (kebab-case). */
  readonly name: string;
  /** The configuration, as shown in the report. */
  readonly title: string;
  /** Heading the scenario is reported under (e.g. 'Kubernetes (cdk8s)'). */
  readonly group: string;
  /** What the raw side (baseline `raw`) is made of, as shown in the report. */
  readonly rawTitle: string;
  /**
   * Why the scenario cannot run in this checkout (e.g. a construct that is not merged yet); the runner
   * reports it and skips the scenario.
   * @default - the scenario runs
   */
  readonly unavailable?: string;
  /**
   * The scenario this one is the control of: the same app without the construct under test. The report
   * then also shows what the construct adds (the difference of the two rows) on each side.
   * @default - not a control
   */
  readonly controlOf?: string;
  /**
   * Further raw baselines, measured and checked like `prepareRaw` in the same run.
   * @default - only `prepareRaw`
   */
  readonly extraBaselines?: Baseline[];
  /**
   * Numbers of services at which the runner checks that the library and every raw baseline synthesize the same output.
   * @default [10]
   */
  readonly checkSizes?: number[];
  /**
   * Repetitions for `n` services in a full run (the median is reported).
   * @default - 15 for n <= 10, 7 for n <= 100, 5 above
   */
  repetitions?(n: number): number;
  /**
   * Library side: untimed preparation for the sizes that will be measured.
   * @default - nothing to prepare
   */
  prepareLibrary?(sizes: number[]): void;
  /** Library side: builds `n` services with the library's constructs and synthesizes them. */
  library(n: number): SynthOutput;
  /**
   * Raw side: untimed preparation for the sizes that will be measured (synthesizes one service, or one
   * stack, with the library and keeps its output as the raw objects' input); returns the timed
   * synthesis, which builds the same objects as raw `ApiObject`s / `CfnResource`s.
   */
  prepareRaw(sizes: number[]): SynthFn;
}

/** The raw baselines of `scenario`: `raw` (its `prepareRaw`), then its `extraBaselines`. */
export function baselinesOf(scenario: Scenario): Baseline[] {
  return [
    { name: RAW, title: scenario.rawTitle, prepare: (sizes) => scenario.prepareRaw(sizes) },
    ...scenario.extraBaselines ?? [],
  ];
}

/** Default repetitions for `n` services. */
export function defaultRepetitions(n: number): number {
  if (n <= 10) return 15;
  if (n <= 100) return 7;
  return 5;
}

/**
 * Directory where a scenario may keep what it prepared (e.g. synthesized templates) for the other
 * processes of the same run; the runner sets it and empties it at the start of every run.
 */
export function cacheDir(): string | undefined {
  return process.env.BENCH_CACHE_DIR;
}

/** A name that appears in one service's output only where the service's own name goes. */
export const PLACEHOLDER = 'benchsvc';

/** Name of service `i` (the same on both sides). */
export function serviceName(i: number): string {
  return `svc-${i}`;
}

/**
 * A function that copies `template`, replacing `placeholder` in every string with its argument: how a
 * hand-written raw app would fill in one service's objects. Strings without the placeholder and all
 * other values are shared, not copied.
 */
export function substituter(template: unknown, placeholder: string): (name: string) => any {
  const compile = (value: unknown): (name: string) => unknown => {
    if (typeof value === 'string') {
      if (!value.includes(placeholder)) return () => value;
      const parts = value.split(placeholder);
      return (name) => parts.join(name);
    }
    if (Array.isArray(value)) {
      const items = value.map(compile);
      return (name) => items.map((f) => f(name));
    }
    if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value).map(([k, v]) => {
        if (k.includes(placeholder)) throw new Error(`placeholder '${placeholder}' in key '${k}' is not supported`);
        return [k, compile(v)] as const;
      });
      return (name) => {
        const out: { [key: string]: unknown } = {};
        for (const [k, f] of entries) out[k] = f(name);
        return out;
      };
    }
    return () => value;
  };
  return compile(template);
}
