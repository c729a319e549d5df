import { FleetEngine, FleetTarget, Gate, Interval, MaxInFlight, ReleaseTimeline, RolloutPlan, Threshold, WavePlan, WaveTargets } from '../../src';

/** One measurement a minute, three per analysis, the third failure aborts. */
const errors = Gate.cloudWatch({
  name: 'errors', metrics: [{ namespace: 'Shop', metricName: 'Errors', statistic: 'Sum' }], threshold: Threshold.atMost(5), failureLimit: 2,
});
const fleet: FleetTarget[] = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((name) => ({ name }));
const plan = (canaryBake = Interval.minutes(30)) => WavePlan.of([
  { name: 'canary', targets: WaveTargets.names('a'), bake: canaryBake, gates: [errors] },
  { name: 'quarter', targets: WaveTargets.share(25), bake: Interval.minutes(20), gates: [errors] },
  { name: 'rest', targets: WaveTargets.rest(), maxInFlight: MaxInFlight.count(2) },
]);

describe('Argo CD: the hold runs inside each target', () => {
  const t = ReleaseTimeline.ofFleet(plan(), { targets: fleet, engine: FleetEngine.ARGO_CD, targetUpdateTime: Interval.minutes(2) });

  test('each target takes its update, the bake and the analysis; waves run their batches one after another', () => {
    // canary: 2m update + 30m bake + 2m analysis (3 measurements a minute apart).
    const rows = t.waves.map((w) => [w.wave, w.targets.length, w.batches, w.startSeconds, w.targetSeconds, w.durationSeconds, w.fleetPercentAfter]);
    expect(rows).toEqual([
      ['canary', 1, 1, 0, 2040, 2040, 12.5],
      ['quarter', 2, 1, 2040, 1440, 1440, 37.5],
      ['rest', 5, 3, 3480, 120, 360, 100],
    ]);
    expect(t.fullFleetAtSeconds).toBe(3840);
    expect(t.totalDurationSeconds).toBe(3840);
  });

  test('a version broken from the start is stopped in the canary cluster, at its third failed measurement', () => {
    expect(t.brokenFromStart).toEqual({
      caught: true, wave: 'canary', gate: 'errors', abortAtSeconds: 2040, manualWaitsBefore: 0, exposedTargets: 1, exposedPercent: 12.5, keptTargets: 0,
    });
  });

  test('with the cluster\'s own plan, a target takes that plan plus its wave\'s hold', () => {
    const own = RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5) });
    const withPlan = ReleaseTimeline.ofFleet(plan(), { targets: fleet, engine: FleetEngine.ARGO_CD, releasePlan: own });
    expect(withPlan.waves.map((w) => w.targetSeconds)).toEqual([300 + 1800 + 120, 300 + 1200 + 120, 300]);
    expect(withPlan.brokenFromStart.abortAtSeconds).toBe(300 + 1800 + 120);
  });
});

describe('CodePipeline: the bake follows the wave', () => {
  test('deploy batches, then the bake; the alarm fires after failureLimit + 1 periods', () => {
    const t = ReleaseTimeline.ofFleet(plan(), { targets: fleet, engine: FleetEngine.CODEPIPELINE, targetUpdateTime: Interval.minutes(5) });
    expect(t.waves.map((w) => [w.wave, w.startSeconds, w.durationSeconds])).toEqual([['canary', 0, 2100], ['quarter', 2100, 1500], ['rest', 3600, 900]]);
    expect(t.fullFleetAtSeconds).toBe(4500);
    expect(t.brokenFromStart).toEqual({
      caught: true, wave: 'canary', gate: 'errors', abortAtSeconds: 300 + 180, manualWaitsBefore: 0, exposedTargets: 1, exposedPercent: 12.5, keptTargets: 0,
    });
  });

  test('a bake shorter than the alarm needs cannot stop the release; the next gated wave does, with more of the fleet exposed', () => {
    const options = { targets: fleet, engine: FleetEngine.CODEPIPELINE, targetUpdateTime: Interval.minutes(5) };
    const t = ReleaseTimeline.ofFleet(plan(Interval.minutes(2)), options);
    expect(t.brokenFromStart).toEqual({
      caught: true, wave: 'quarter', gate: 'errors', abortAtSeconds: 420 + 300 + 180, manualWaitsBefore: 0, exposedTargets: 3, exposedPercent: 37.5, keptTargets: 1,
    });
  });

  test('manual holds make the totals "at least"; no gates means the whole fleet is exposed', () => {
    const held = WavePlan.of([{ name: 'first', targets: WaveTargets.names('a'), manualHold: true }, { name: 'rest', targets: WaveTargets.rest() }]);
    const t = ReleaseTimeline.ofFleet(held, { targets: fleet, engine: FleetEngine.CODEPIPELINE, targetUpdateTime: Interval.minutes(5) });
    expect(t.totalDurationSeconds).toBeUndefined();
    expect(t.minimumDurationSeconds).toBe(600);
    expect(t.manualWaitsBeforeFullFleet).toBe(1);
    expect(t.brokenFromStart).toEqual({ caught: false, manualWaitsBefore: 0, exposedTargets: 8, exposedPercent: 100, keptTargets: 8 });
    expect(t.toTable()).toContain('- Time to full fleet: 10m + 1 manual wait');
  });
});

test('the table lists every wave and the fleet figures', () => {
  const t = ReleaseTimeline.ofFleet(plan(), { targets: fleet, engine: FleetEngine.CODEPIPELINE, targetUpdateTime: Interval.minutes(5), title: 'checkout' });
  expect(t.toTable()).toBe([
    '### checkout',
    '',
    '8 targets, AWS CodePipeline.',
    '',
    '| Wave | Targets | At once | Starts | Lasts | One target | Bake | Gates | Fleet updated after |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    '| canary | 1 (a) | 1 | 0s | 35m | 5m | 30m | errors | 12.5% |',
    '| quarter | 2 (b, c) | 2 | 35m | 25m | 5m | 20m | errors | 37.5% |',
    '| rest | 5 (d, e, f, g, h) | 2 | 1h | 15m | 5m | - | - | 100% |',
    '',
    '- Time to full fleet: 1h15m',
    '- Time to complete: 1h15m',
    "- Broken from the start: gate errors of wave 'canary' can stop the release at 8m; by then 1 of 8 targets (12.5%) have the new version, and 0 keep it after the abort",
    '',
  ].join('\n'));
  const svg = t.toSvg();
  expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  expect(svg).toContain('first abort if broken from the start (errors, wave canary): 12.5% of the fleet exposed');
});

test('fails on targets the plan does not cover and on an unknown engine', () => {
  expect(() => ReleaseTimeline.ofFleet(plan(), { targets: [{ name: 'a' }, { name: 'b' }], engine: FleetEngine.ARGO_CD })).toThrow(
    "ReleaseTimeline.ofFleet(): invalid 'waves[2].targets': selects no target of the fleet; every wave needs at least one, got 'rest()'");
  expect(() => ReleaseTimeline.ofFleet(plan(), { targets: fleet, engine: 'flux' as FleetEngine })).toThrow(
    "ReleaseTimeline.ofFleet(): invalid 'engine': must be FleetEngine.ARGO_CD or FleetEngine.CODEPIPELINE, got 'flux'");
});
