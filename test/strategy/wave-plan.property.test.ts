/**
 * Property tests of the wave plan: for any fleet and any plan, `WavePlan.of()` + `assign()` either
 * refuse in the documented format or return a partition of the fleet that respects every selector.
 */
import * as fc from 'fast-check';
import { FleetTarget, MaxInFlight, WaveOptions, WavePlan, WaveTargets } from '../../src';

/** `<where>: invalid '<field>': <what is allowed>, got <value>` */
export const REFUSAL = /^[A-Za-z.]+\(\): invalid '[^']+': .+, got .+$/s;

export const fleetArb: fc.Arbitrary<FleetTarget[]> = fc.integer({ min: 1, max: 30 }).chain((n) => fc.tuple(
  ...Array.from({ length: n }, (_, i) => fc.record({
    region: fc.constantFrom('eu', 'us', 'ap'),
    tier: fc.constantFrom('edge', 'core'),
  }).map(({ region, tier }): FleetTarget => ({ name: `t${i}`, labels: { region, tier } }))),
));

const selectorArb = (fleetSize: number): fc.Arbitrary<WaveTargets> => fc.oneof(
  fc.uniqueArray(fc.integer({ min: 0, max: fleetSize + 1 }), { minLength: 1, maxLength: 3 }).map((is) => WaveTargets.names(...is.map((i) => `t${i}`))),
  fc.record({ region: fc.constantFrom('eu', 'us', 'ap') }).map((l) => WaveTargets.labels(l)),
  fc.record({ tier: fc.constantFrom('edge', 'core') }).map((l) => WaveTargets.labels(l)),
  fc.integer({ min: 1, max: 100 }).map((p) => WaveTargets.share(p)),
);

const maxInFlightArb: fc.Arbitrary<MaxInFlight> = fc.oneof(
  fc.constant(MaxInFlight.all()),
  fc.integer({ min: 0, max: 6 }).map((n) => MaxInFlight.count(n)),
  fc.integer({ min: 1, max: 100 }).map((p) => MaxInFlight.percent(p)),
);

export const planArb = (fleetSize: number): fc.Arbitrary<WaveOptions[]> => fc.tuple(
  fc.array(fc.record({ targets: selectorArb(fleetSize), maxInFlight: maxInFlightArb, manualHold: fc.boolean() }), { minLength: 0, maxLength: 4 }),
  fc.boolean(),
).map(([waves, rest]) => [
  ...waves.map((w, i) => ({ name: `w${i}`, ...w })),
  ...(rest ? [{ name: 'rest', targets: WaveTargets.rest(), maxInFlight: MaxInFlight.percent(50) }] : []),
]);

function check(fleet: FleetTarget[], options: WaveOptions[]): void {
  let plan: WavePlan;
  let assigned;
  try {
    plan = WavePlan.of(options);
    assigned = plan.assign(fleet);
  } catch (e) {
    expect((e as Error).message).toMatch(REFUSAL);
    return;
  }
  // A partition: every target in exactly one wave, no wave empty, fleet order kept.
  const all = assigned.flatMap((w) => w.targets.map((t) => t.name));
  expect([...all].sort()).toEqual(fleet.map((t) => t.name).sort());
  for (const w of assigned) {
    expect(w.targets.length).toBeGreaterThan(0);
    const order = w.targets.map((t) => fleet.indexOf(t));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    // targetsAtOnce: 0 only on a manual hold with count(0); otherwise 1..size.
    if (w.wave.maxInFlight.count === 0) {
      expect(w.wave.manualHold).toBe(true);
      expect(w.targetsAtOnce).toBe(0);
    } else {
      expect(w.targetsAtOnce).toBeGreaterThanOrEqual(1);
      expect(w.targetsAtOnce).toBeLessThanOrEqual(w.targets.length);
    }
    // Each selector got what it asked for.
    const sel = String(w.wave.targets);
    const labels = /^labels\((\w+)=(\w+)\)$/.exec(sel);
    if (labels) {
      const want = fleet.filter((t) => t.labels![labels[1]] === labels[2]);
      expect(w.targets).toEqual(want);
    }
    const share = /^share\((\d+)\)$/.exec(sel);
    if (share) expect(w.targets.length).toBe(Math.ceil((Number(share[1]) * fleet.length) / 100));
    const names = /^names\((.*)\)$/.exec(sel);
    if (names) expect(w.targets.map((t) => t.name).sort()).toEqual(names[1].split(', ').sort());
  }
}

test('a wave plan either partitions the fleet as its selectors say or is refused in the documented format', () => {
  fc.assert(
    fc.property(fleetArb.chain((fleet) => fc.tuple(fc.constant(fleet), planArb(fleet.length))), ([fleet, plan]) => check(fleet, plan)),
    { seed: 20260816, numRuns: 3000 },
  );
});
