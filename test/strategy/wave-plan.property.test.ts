/**
 * Property tests of the wave plan: for any fleet and any plan, `WavePlan.of()` + `assign()` either
 * refuse in the documented format or return a partition of the fleet that respects every selector.
 */
import * as fc from 'fast-check';
import { fleetArb, planArb, REFUSAL } from './wave-arbitraries';
import { FleetTarget, WaveOptions, WavePlan } from '../../src';

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
    if (w.wave.maxInFlight.targetCount === 0) {
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
    fc.property(fleetArb.chain((fleet) => fc.tuple(fc.constant(fleet), planArb(fleet.map((t) => t.name)))), ([fleet, plan]) => check(fleet, plan)),
    { seed: 20260816, numRuns: 3000 },
  );
});
