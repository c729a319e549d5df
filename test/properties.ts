/**
 * Shared pieces of the property-based tests (test/**\/properties.test.ts).
 *
 * Every property has the same invariant: an input is either refused in the documented format
 * (`<where>: invalid '<field>': <what is allowed>, got <value>`, with a readable value) or what it
 * produces is valid (schemas, controller rules). `outcome()` tells the two apart and fails the property
 * on anything else: a TypeError, a message in another format, a value printed as `[object Object]` or
 * as an encoded token.
 *
 * Runs are deterministic: fast-check uses the fixed `SEED`. A failing property prints its seed, path
 * and shrunk counterexample; replay it by passing them to `fc.assert`.
 */
import * as fc from 'fast-check';

/** The seed of every property. */
export const SEED = 1414;

const DOCUMENTED = /^(\S+): invalid '([^']+)': ([\s\S]+), got ([\s\S]*)$/;
/** A node validation's message (cdk8s prefixes the path): `[<path>] invalid '<field>': ..., got ...`. */
const VALIDATION = /^Validation failed with the following errors:\n((?: {2}\[[^\]]+\] invalid '[^']+': [\s\S]+, got [\s\S]*\n?)+)$/;
/** Values no user should have to read: an object's default rendering, a cdk8s Lazy's inside, an aws-cdk-lib number token. */
const UNREADABLE = /\[object \w+\]|\{"producer"|-1\.88\d*e\+289|\bundefined\b/;

/** How an input ended: refused with this message, or built into this value. */
export type Outcome<T> = { readonly refused: string } | { readonly value: T };

/**
 * Runs `build`; a documented refusal becomes `{ refused }`, anything else it throws fails the property.
 */
export function outcome<T>(build: () => T): Outcome<T> {
  let value: T;
  try {
    value = build();
  } catch (e) {
    return { refused: expectDocumented(e) };
  }
  return { value };
}

/** Returns the message of a documented refusal; throws (failing the property) for any other error. */
export function expectDocumented(e: unknown): string {
  if (!(e instanceof Error) || e.constructor !== Error) {
    throw new Error(`not a documented refusal but ${e instanceof Error ? e.constructor.name : typeof e}: ${e instanceof Error ? e.stack : String(e)}`);
  }
  const message = e.message;
  const documented = DOCUMENTED.exec(message);
  if (!documented && !VALIDATION.test(message)) throw new Error(`refused in an undocumented format: ${message}`);
  const got = documented ? documented[4] : message;
  if (UNREADABLE.test(got)) throw new Error(`refused with an unreadable value: ${message}`);
  return message;
}

/** Tallies outcomes per property, for the figures in the report (printed with PROPERTY_STATS=1). */
export class Tally {
  private readonly counts = new Map<string, { refused: number; valid: number; fields: Map<string, number> }>();

  /** Records one outcome of `property`. */
  public add(property: string, o: Outcome<unknown>): void {
    const c = this.counts.get(property) ?? { refused: 0, valid: 0, fields: new Map<string, number>() };
    if ('refused' in o) {
      c.refused++;
      const field = /invalid '([^']+)'/.exec(o.refused)?.[1]?.replace(/\[\d+\]/g, '[i]') ?? '?';
      c.fields.set(field, (c.fields.get(field) ?? 0) + 1);
    } else {
      c.valid++;
    }
    this.counts.set(property, c);
  }

  /** Prints the tally when PROPERTY_STATS is set. */
  public print(): void {
    if (!process.env.PROPERTY_STATS) return;
    const lines = [...this.counts.entries()].map(([p, c]) => {
      const top = [...c.fields.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([f, n]) => `${f} ${n}`).join(', ');
      return `${p}: ${c.refused + c.valid} cases, ${c.valid} valid, ${c.refused} refused (${top})`;
    });
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}

/** `fc.assert` with the fixed seed. */
export function check<T>(arbitrary: fc.Arbitrary<T>, predicate: (value: T) => void, numRuns: number): void {
  fc.assert(fc.property(arbitrary, predicate), { seed: SEED, numRuns });
}

/**
 * Mostly `valid`, sometimes one of `edge` or an arbitrary value of the same type: each field of a
 * generated input is usually valid, so most inputs get past their first check and reach the later ones.
 */
export function mostly<T>(valid: fc.Arbitrary<T>, ...edge: fc.Arbitrary<any>[]): fc.Arbitrary<T> {
  return fc.oneof({ weight: 25, arbitrary: valid }, ...edge.map((arbitrary) => ({ weight: 1, arbitrary })));
}

/** Numbers around the edges of a whole-number range: its ends and one past them, fractions, non-finite values, huge values. */
export function edgeNumbers(min: number, max: number): fc.Arbitrary<number> {
  return fc.constantFrom(min - 1, min, max, max + 1, min + 0.5, -0, NaN, Infinity, -Infinity, 2 ** 53, 1e21, -1e300);
}

/** Strings that break naive checks: empty, blanks, spaces inside, upper case, unicode, very long. */
export const EDGE_STRINGS = fc.constantFrom('', ' ', 'a b', 'Bad Key', 'UPPER', 'ü', '-a', 'a-', 'a.b', 'a/b', 'a'.repeat(64), 'x'.repeat(300), '0');

/** The largest Go duration: 2562047h47m16.854775807s. */
const GO_MAX_NANOS = 2n ** 63n - 1n;
const GO_UNIT_NANOS: { [unit: string]: bigint } = {
  h: 3600n * 10n ** 9n, m: 60n * 10n ** 9n, s: 10n ** 9n, ms: 10n ** 6n, us: 1000n, µs: 1000n, ns: 1n,
};

/** Whether Go's time.ParseDuration accepts `text` (whole-number components; what the library writes). */
export function isGoDuration(text: unknown): boolean {
  if (typeof text !== 'string' || !/^(\d+(ns|us|µs|ms|s|m|h))+$/.test(text)) return text === '0';
  let total = 0n;
  for (const m of text.matchAll(/(\d+)(ns|us|µs|ms|s|m|h)/g)) total += BigInt(m[1]) * GO_UNIT_NANOS[m[2]];
  return total <= GO_MAX_NANOS;
}
