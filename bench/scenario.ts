/**
 * What a benchmark module provides: one scenario per construct configuration, each able to synthesize N
 * services twice, with the library and as raw objects (cdk8s `ApiObject`s or CloudFormation
 * `CfnResource`s) that produce the same output.
 *
 * A module is a file under bench/ that exports `scenarios: Scenario[]` and is listed in
 * bench/scenarios.ts. The worker (bench/worker.ts) runs one scenario side in a fresh process; the
 * runner (bench/run.ts) compares the sides and writes the report.
 */

/** The two ways a scenario synthesizes the same objects. */
export type Side = 'library' | 'raw';

/** What one synthesis produced. */
export interface SynthOutput {
  /** Number of Kubernetes objects or CloudFormation resources synthesized (counted after timing). */
  objects(): number;
  /** The synthesized output as text (YAML, or the templates as JSON), compared between the sides. */
  text(): string;
  /** Removes what the synthesis wrote to disk, if anything (called after `objects()` and `text()`). */
  dispose?(): void;
}

/** Builds an app of `n` services and synthesizes it; everything it does is timed. */
export type SynthFn = (n: number) => SynthOutput;

/** One benchmarked configuration. */
export interface Scenario {
  /** Identifier used on the command line and in results (kebab-case). */
  readonly name: string;
  /** The configuration, as shown in the report. */
  readonly title: string;
  /** Heading the scenario is reported under (e.g. 'Kubernetes (cdk8s)'). */
  readonly group: string;
  /** What the raw side is made of, as shown in the report. */
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
   * Numbers of services at which the runner checks that both sides synthesize the same output.
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
