import { FleetTarget, Gate, Interval, MaxInFlight, RolloutPlan, Step, Threshold, WavePlan, WaveTargets } from '../../src';

const errorRate = Gate.prometheus({
  name: 'error-rate', address: 'http://prometheus:9090', query: 'sum(rate(errors[1m]))', threshold: Threshold.atMost(0.01),
});

/** Ten clusters, two in the EU edge tier. */
const fleet: FleetTarget[] = Array.from({ length: 10 }, (_, i) => ({
  name: `c${i}`,
  labels: { region: i < 5 ? 'eu' : 'us', ...(i === 3 || i === 4 ? { tier: 'edge' } : {}) },
}));

const names = (targets: FleetTarget[]) => targets.map((t) => t.name);

describe('assign', () => {
  test('names, labels, a share and the rest resolve to fixed lists in fleet order', () => {
    const plan = WavePlan.of([
      { name: 'canary', targets: WaveTargets.names('c7') },
      { name: 'edge', targets: WaveTargets.labels({ tier: 'edge' }) },
      { name: 'quarter', targets: WaveTargets.share(25) },
      { name: 'rest', targets: WaveTargets.rest() },
    ]);
    const waves = plan.assign(fleet);
    expect(waves.map((w) => w.wave.name)).toEqual(['canary', 'edge', 'quarter', 'rest']);
    expect(names(waves[0].targets)).toEqual(['c7']);
    expect(names(waves[1].targets)).toEqual(['c3', 'c4']);
    // 25% of 10 rounds up to 3, taken in fleet order from what names and labels left.
    expect(names(waves[2].targets)).toEqual(['c0', 'c1', 'c2']);
    expect(names(waves[3].targets)).toEqual(['c5', 'c6', 'c8', 'c9']);
  });

  test('a share is taken after every explicit wave, even a later one', () => {
    const waves = WavePlan.of([
      { name: 'first', targets: WaveTargets.share(10) },
      { name: 'named', targets: WaveTargets.names('c0') },
      { name: 'rest', targets: WaveTargets.rest() },
    ]).assign(fleet);
    expect(names(waves[0].targets)).toEqual(['c1']);
    expect(names(waves[1].targets)).toEqual(['c0']);
  });

  test('maxInFlight resolves per wave: counts cap at the wave size, percentages round down but never below one', () => {
    const waves = WavePlan.of([
      { name: 'a', targets: WaveTargets.names('c0', 'c1', 'c2'), maxInFlight: MaxInFlight.count(5) },
      { name: 'b', targets: WaveTargets.names('c3', 'c4', 'c5'), maxInFlight: MaxInFlight.percent(10) },
      { name: 'c', targets: WaveTargets.rest(), maxInFlight: MaxInFlight.percent(50) },
      // c: 4 targets, 50% → 2
    ]).assign(fleet);
    expect(waves.map((w) => w.targetsAtOnce)).toEqual([3, 1, 2]);
    expect(MaxInFlight.all().targetsAtOnce(7)).toBe(7);
    expect(MaxInFlight.percent(30).targetsAtOnce(10)).toBe(3);
    expect(MaxInFlight.percent(29).targetsAtOnce(10)).toBe(2);
  });

  test('fails when a target is in two waves', () => {
    const plan = WavePlan.of([
      { name: 'eu', targets: WaveTargets.labels({ region: 'eu' }) },
      { name: 'edge', targets: WaveTargets.labels({ tier: 'edge' }) },
      { name: 'rest', targets: WaveTargets.rest() },
    ]);
    expect(() => plan.assign(fleet)).toThrow(
      "WavePlan.assign(): invalid 'waves[1].targets': selects 'c3', which wave 'eu' already releases; a target belongs to one wave, got 'labels(tier=edge)'");
  });

  test('fails when the fleet has targets no wave covers', () => {
    const plan = WavePlan.of([{ name: 'canary', targets: WaveTargets.names('c5') }, { name: 'eu', targets: WaveTargets.labels({ region: 'eu' }) }]);
    expect(() => plan.assign(fleet.slice(0, 8))).toThrow(
      "WavePlan.assign(): invalid 'fleet': must have every target in a wave, but the waves cover 6 of 8 targets (name the others in a wave, or give the last wave WaveTargets.rest()); left out, got ['c6', 'c7']");
  });

  test('fails when a wave selects nothing', () => {
    const plan = WavePlan.of([{ name: 'edge', targets: WaveTargets.labels({ tier: 'core' }) }, { name: 'rest', targets: WaveTargets.rest() }]);
    expect(() => plan.assign(fleet)).toThrow(
      "WavePlan.assign(): invalid 'waves[0].targets': selects no target of the fleet; every wave needs at least one, got 'labels(tier=core)'");
    const all = WavePlan.of([{ name: 'all', targets: WaveTargets.share(100) }, { name: 'rest', targets: WaveTargets.rest() }]);
    expect(() => all.assign(fleet)).toThrow(
      "WavePlan.assign(): invalid 'waves[1].targets': selects no target of the fleet; every wave needs at least one, got 'rest()'");
  });

  test('fails when a share is larger than what is left', () => {
    const plan = WavePlan.of([{ name: 'eu', targets: WaveTargets.labels({ region: 'eu' }) }, { name: 'big', targets: WaveTargets.share(60) }]);
    expect(() => plan.assign(fleet)).toThrow(
      "WavePlan.assign(): invalid 'waves[1].targets': is 6 of 10 targets (shares round up) but only 5 are left after the other waves, got 'share(60)'");
  });

  test('fails on names the fleet does not have, repeated targets and an empty fleet', () => {
    const plan = WavePlan.of([{ name: 'canary', targets: WaveTargets.names('c0', 'eu-9') }, { name: 'rest', targets: WaveTargets.rest() }]);
    expect(() => plan.assign(fleet)).toThrow(
      "WavePlan.assign(): invalid 'waves[0].targets': names targets the fleet does not have ('eu-9'); the fleet has c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, got 'names(c0, eu-9)'");
    expect(() => plan.assign([{ name: 'c0' }, { name: 'c0' }])).toThrow("WavePlan.assign(): invalid 'fleet[1].name': must not repeat a target name, got 'c0'");
    expect(() => plan.assign([])).toThrow("WavePlan.assign(): invalid 'fleet': must have at least one target, got []");
    expect(() => plan.assign([{ name: 'EU_1' }])).toThrow("WavePlan.assign(): invalid 'fleet[0].name': must be a DNS-1123 label");
  });
});

describe('WavePlan.of', () => {
  test('defaults: no bake, no gates, every target at once, no manual hold', () => {
    const [wave] = WavePlan.of([{ name: 'all', targets: WaveTargets.rest() }]).waves;
    expect(wave.bake.toSeconds()).toBe(0);
    expect(wave.gates).toEqual([]);
    expect(wave.maxInFlight.isAll()).toBe(true);
    expect(wave.manualHold).toBe(false);
    expect(wave.holdsNextWave()).toBe(false);
    expect(String(wave)).toBe('all: rest(), maxInFlight all()');
  });

  test('fails on an empty plan', () => {
    expect(() => WavePlan.of([])).toThrow("WavePlan.of(): invalid 'waves': must have at least one wave, got []");
  });

  test('fails on a maximum in flight of 0 unless the wave is a manual hold', () => {
    expect(() => WavePlan.of([{ name: 'a', targets: WaveTargets.rest(), maxInFlight: MaxInFlight.count(0) }])).toThrow(
      "WavePlan.of(): invalid 'waves[0].maxInFlight': must let at least one target update at a time; 0 never starts the wave unless it is declared a manual hold (manualHold: true), where a person starts each target, got count(0)");
    const [held] = WavePlan.of([{ name: 'a', targets: WaveTargets.rest(), maxInFlight: MaxInFlight.count(0), manualHold: true }]).waves;
    expect(held.maxInFlight.targetCount).toBe(0);
    expect(held.manualHold).toBe(true);
  });

  test('fails on repeated wave names, rest() before the last wave and repeated gate names', () => {
    expect(() => WavePlan.of([{ name: 'a', targets: WaveTargets.share(10) }, { name: 'a', targets: WaveTargets.rest() }])).toThrow(
      "WavePlan.of(): invalid 'waves[1].name': must not repeat a wave name, got 'a'");
    expect(() => WavePlan.of([{ name: 'a', targets: WaveTargets.rest() }, { name: 'b', targets: WaveTargets.share(10) }])).toThrow(
      "WavePlan.of(): invalid 'waves[0].targets': only the last wave can take the rest of the fleet, got 'rest()'");
    expect(() => WavePlan.of([{ name: 'a', targets: WaveTargets.rest(), gates: [errorRate, errorRate] }])).toThrow(
      "WavePlan.of(): invalid 'waves[0].gates': must not repeat a gate name, got 'error-rate'");
    expect(() => WavePlan.of([{ name: 'Canary', targets: WaveTargets.rest() }])).toThrow("WavePlan.of(): invalid 'waves[0].name': must be a DNS-1123 label");
  });

  test('fails on bad selectors and sizes', () => {
    expect(() => WaveTargets.share(0)).toThrow("WaveTargets.share(): invalid 'percent': must be a whole number from 1 to 100, got 0");
    expect(() => WaveTargets.names()).toThrow("WaveTargets.names(): invalid 'names': must name at least one target, got []");
    expect(() => WaveTargets.names('a', 'a')).toThrow("WaveTargets.names(): invalid 'names': must not repeat a name, got ['a', 'a']");
    expect(() => WaveTargets.labels({})).toThrow("WaveTargets.labels(): invalid 'selector': must have at least one label, got {}");
    expect(() => MaxInFlight.percent(0)).toThrow("MaxInFlight.percent(): invalid 'percent': must be a whole number from 1 to 100, got 0");
    expect(() => MaxInFlight.count(-1)).toThrow("MaxInFlight.count(): invalid 'targets': must be a whole number from 0 to 10000, got -1");
  });
});

describe('releasePlan', () => {
  const plan = WavePlan.of([
    { name: 'canary', targets: WaveTargets.names('c0'), bake: Interval.minutes(30), gates: [errorRate] },
    { name: 'rest', targets: WaveTargets.rest() },
  ]);

  test('appends full traffic, the wave bake and the wave gates to the cluster plan', () => {
    const p = plan.releasePlan('canary', RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5) }));
    expect(String(p)).toBe('setWeight(10), bake(5m), setWeight(100), bake(30m), analysis(error-rate)');
    expect(plan.wave('canary')._holdMissingFrom(p)).toBeUndefined();
  });

  test('keeps background gates and does not repeat setWeight(100)', () => {
    const base = RolloutPlan.steps([Step.setWeight(20), Step.bake(Interval.minutes(1)), Step.setWeight(100)], { backgroundGates: [errorRate] });
    const p = plan.releasePlan('canary', base);
    expect(String(p)).toBe('setWeight(20), bake(1m), setWeight(100), bake(30m), analysis(error-rate)');
    expect(p.backgroundGates).toEqual([errorRate]);
    expect(p.backgroundStartStep).toBe(base.backgroundStartStep);
  });

  test('a wave without bake or gates leaves the plan as it is', () => {
    const base = RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5) });
    expect(plan.releasePlan('rest', base)).toBe(base);
    expect(plan.wave('rest')._holdMissingFrom(base)).toBeUndefined();
  });

  test('names what a plan lacks to hold a wave', () => {
    const canary = plan.wave('canary');
    expect(canary._holdMissingFrom(RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5) })))
      .toBe('a setWeight(100) step, bakes of at least 30m after it (has 0s), an analysis step running error-rate after it');
    expect(canary._holdMissingFrom(RolloutPlan.steps([Step.setWeight(100), Step.bake(Interval.minutes(10)), Step.analysis(errorRate)])))
      .toBe('bakes of at least 30m after it (has 10m)');
  });

  test('fails on a wave the plan does not have', () => {
    expect(() => plan.releasePlan('second', RolloutPlan.allAtOnce())).toThrow(
      "WavePlan.wave(): invalid 'name': must be one of the plan's waves (canary, rest), got 'second'");
  });
});
