import { Gate, HeaderMatch, Interval, ReleaseTimeline, RolloutPlan, Step, Threshold, TimelineActivity, TimelineEngine } from '../../src';

function gate(name: string, options: { interval?: Interval; count?: number; failureLimit?: number; initialDelay?: Interval } = {}): Gate {
  return Gate.prometheus({
    name,
    address: 'http://prometheus.monitoring:9090',
    query: 'sum(rate(http_requests_total[1m]))',
    threshold: Threshold.atLeast(0.99),
    ...options,
  });
}

// The plan from DESIGN.md: 5% for 5 minutes, an analysis (3 measurements 1 minute apart, 2 failures
// tolerated), 25% for 10 minutes, 50% for 10 minutes, then promotion.
const successRate = gate('success-rate', { interval: Interval.minutes(1), failureLimit: 2 });
const designPlan = RolloutPlan.steps([
  Step.setWeight(5), Step.bake(Interval.minutes(5)), Step.analysis(successRate),
  Step.setWeight(25), Step.bake(Interval.minutes(10)), Step.setWeight(50), Step.bake(Interval.minutes(10)),
]);

describe('time to full rollout', () => {
  test('sums bakes and analysis time; the analysis takes (count - 1) intervals', () => {
    const t = ReleaseTimeline.of(designPlan);
    // 5m bake + 2m analysis (measurements at 5m, 6m, 7m) + 10m + 10m
    expect(t.fullTrafficAtSeconds).toBe(27 * 60);
    expect(t.totalDurationSeconds).toBe(27 * 60);
    expect(t.unboundedSteps).toBe(0);
    const analysis = t.segments.find((s) => s.activity === TimelineActivity.ANALYSIS)!;
    expect(analysis).toMatchObject({ startSeconds: 300, durationSeconds: 120, weight: 5, stepGates: ['success-rate'] });
    const promote = t.segments.find((s) => s.activity === TimelineActivity.PROMOTE)!;
    expect(promote).toMatchObject({ startSeconds: 1620, weight: 100, step: 7 });
  });

  test('an initial delay lengthens the analysis', () => {
    const slow = gate('slow', { interval: Interval.minutes(1), count: 3, initialDelay: Interval.minutes(2) });
    const t = ReleaseTimeline.of(RolloutPlan.steps([Step.setWeight(10), Step.analysis(slow)]));
    // 2m delay, then measurements at 2m, 3m, 4m
    expect(t.segments.find((s) => s.activity === TimelineActivity.ANALYSIS)!.durationSeconds).toBe(240);
    expect(t.fullTrafficAtSeconds).toBe(240);
  });

  test('a linear plan reaches full traffic after every step has baked', () => {
    const t = ReleaseTimeline.of(RolloutPlan.linear({ step: 25, every: Interval.minutes(2) }));
    // 25, 50, 75 each baked 2 minutes, then promotion
    expect(t.fullTrafficAtSeconds).toBe(360);
    expect(t.segments.filter((s) => s.activity === TimelineActivity.SET_WEIGHT).map((s) => [s.weight, s.startSeconds]))
      .toEqual([[25, 0], [50, 120], [75, 240]]);
  });

  test('fractional weights (Amazon ECS takes steps of 0.1) are laid out and shown as given', () => {
    const t = ReleaseTimeline.of(RolloutPlan.canary({ percent: 0.5, bake: Interval.minutes(5) }), { engine: TimelineEngine.ecs() });
    expect(t.fullTrafficAtSeconds).toBe(300);
    expect(t.segments.map((s) => [s.label, s.weight, s.startSeconds])).toEqual([['setWeight(0.5)', 0.5, 0], ['bake(5m)', 0.5, 0], ['promote', 100, 300]]);
    const table = t.toTable();
    expect(table).toContain('| 1 | setWeight(0.5) | 0s | 0s | 0.5% | - |');
    expect(table).toContain('| 2 | bake(5m) | 0s | 5m | 0.5% | - |');
    expect(t.toSvg()).toContain('setWeight(0.5)');
    const linear = ReleaseTimeline.of(RolloutPlan.linear({ step: 3.3, every: Interval.minutes(1) }), { engine: TimelineEngine.ecs() });
    const weights = linear.segments.filter((s) => s.activity === TimelineActivity.SET_WEIGHT).map((s) => s.weight);
    expect(weights.slice(0, 3)).toEqual([3.3, 6.6, 9.9]);
    expect(weights[weights.length - 1]).toBe(99);
    expect(linear.fullTrafficAtSeconds).toBe(30 * 60);
    expect(linear.toTable()).toContain('| 5 | setWeight(9.9) | 2m | 0s | 9.9% | - |');
  });

  test('a setWeight(100) before a final bake is full rollout; the bake still counts towards completion', () => {
    const plan = RolloutPlan.steps([Step.setWeight(10), Step.bake(Interval.minutes(5)), Step.setWeight(100), Step.bake(Interval.minutes(30))]);
    const t = ReleaseTimeline.of(plan);
    expect(t.fullTrafficAtSeconds).toBe(300);
    expect(t.totalDurationSeconds).toBe(2100);
    expect(t.segments.some((s) => s.activity === TimelineActivity.PROMOTE)).toBe(false);
  });

  test('an A/B test keeps the weight at 0 and routes header-matched requests for iterations × every', () => {
    const t = ReleaseTimeline.of(RolloutPlan.abTest({ match: [HeaderMatch.exact('x-canary', 'yes')], iterations: 5, every: Interval.minutes(2), gates: [successRate] }));
    const bake = t.segments.find((s) => s.activity === TimelineActivity.BAKE)!;
    expect(bake).toMatchObject({ weight: 0, headerRouted: true, durationSeconds: 600 });
    expect(t.fullTrafficAtSeconds).toBe(600);
  });

  test('a manual pause makes the total unknown and the later times "at least"', () => {
    const t = ReleaseTimeline.of(RolloutPlan.steps([Step.setWeight(10), Step.pause(), Step.setWeight(50), Step.bake(Interval.minutes(10))]));
    expect(t.totalDurationSeconds).toBeUndefined();
    expect(t.minimumDurationSeconds).toBe(600);
    expect(t.unboundedSteps).toBe(1);
    expect(t.fullTrafficAtSeconds).toBe(600);
    expect(t.unboundedStepsBeforeFullTraffic).toBe(1);
    const pause = t.segments.find((s) => s.activity === TimelineActivity.PAUSE)!;
    expect(pause.durationSeconds).toBeUndefined();
    expect(t.segments.find((s) => s.label === 'bake(10m)')).toMatchObject({ startSeconds: 0, unboundedStepsBefore: 1 });
  });
});

describe('exposure before an abort', () => {
  test('broken from the start: the analysis aborts at its third failed measurement', () => {
    const t = ReleaseTimeline.of(designPlan);
    // Measurements at 5m, 6m, 7m all fail; failureLimit 2, so the third one aborts at 7m.
    // 5% of traffic for 7 minutes = 0.05 × 420 s = 21 s of all traffic.
    expect(t.brokenFromStart).toMatchObject({
      caught: true,
      bounded: true,
      detectedBy: 'success-rate',
      abortAfterSeconds: 420,
      restoredAfterSeconds: 420,
      peakWeight: 5,
      trafficSeconds: 21,
    });
  });

  test('worst case: a fault after the analysis has started is never caught', () => {
    const t = ReleaseTimeline.of(designPlan);
    // A fault at 5m is not seen by the measurement taken at 5m: only two measurements (6m, 7m) are left.
    expect(t.worstCase).toMatchObject({ caught: false, bounded: false, faultAtSeconds: 300, faultStep: 2, peakWeight: 100 });
  });

  test('Flagger aborts one interval after the deciding check', () => {
    const t = ReleaseTimeline.of(designPlan, { engine: TimelineEngine.flagger() });
    // 7m + 1m; 5% × 480 s = 24 s
    expect(t.brokenFromStart).toMatchObject({ abortAfterSeconds: 480, trafficSeconds: 24 });
  });

  test('a traffic restore delay adds exposure at the current weight', () => {
    const t = ReleaseTimeline.of(designPlan, { engine: TimelineEngine.ecs({ trafficRestoreDelay: Interval.seconds(30) }) });
    // aborted at 420 s, traffic back at 450 s while the new version still had 5%: 0.05 × 450 = 22.5
    expect(t.brokenFromStart).toMatchObject({ abortAfterSeconds: 420, restoredAfterSeconds: 450, trafficSeconds: 22.5 });
  });

  test('background gates catch a fault anywhere but near the end', () => {
    const bg = gate('errors', { interval: Interval.seconds(30), failureLimit: 1 });
    const t = ReleaseTimeline.of(RolloutPlan.linear({ step: 25, every: Interval.minutes(2), gates: [bg] }));
    // Background measurements from step 2 (t = 0) every 30 s until 6m. Broken from the start:
    // failures at 30 s and 60 s abort at 60 s; 25% × 60 s = 15 s.
    expect(t.brokenFromStart).toMatchObject({ caught: true, abortAfterSeconds: 60, peakWeight: 25, trafficSeconds: 15 });
    // A fault at 5m30s sees only the measurement at 6m before the release completes.
    expect(t.worstCase).toMatchObject({ caught: false, faultAtSeconds: 330, faultStep: 5 });
  });

  test('the worst caught fault is the one that spans a weight increase', () => {
    const bg = gate('errors', { interval: Interval.minutes(1), failureLimit: 0 });
    const plan = RolloutPlan.steps([Step.setWeight(10), Step.bake(Interval.minutes(5)), Step.setWeight(60), Step.bake(Interval.minutes(5)), Step.analysis(gate('final', { interval: Interval.minutes(1), count: 5, failureLimit: 0 }))],
      { backgroundGates: [bg] });
    const t = ReleaseTimeline.of(plan);
    // The worst fault starts at a measurement and is caught one interval later. A fault at 4m is
    // caught at 5m (10% × 60 s = 6 s); from 5m on the weight is 60%: 60% × 60 s = 36 s.
    expect(t.worstCase).toMatchObject({ caught: true, bounded: true, abortAfterSeconds: 60, peakWeight: 60, trafficSeconds: 36 });
  });

  test('a manual pause with traffic and no gate measuring makes the exposure unbounded', () => {
    const t = ReleaseTimeline.of(RolloutPlan.steps([Step.setWeight(10), Step.pause(), Step.setWeight(50), Step.analysis(successRate)]));
    expect(t.brokenFromStart).toMatchObject({ caught: true, bounded: false, detectedBy: 'success-rate' });
    expect(t.brokenFromStart.trafficSeconds).toBeUndefined();
  });

  test('a background gate aborts during a manual pause', () => {
    const t = ReleaseTimeline.of(RolloutPlan.steps([Step.setWeight(10), Step.pause(), Step.setWeight(50), Step.bake(Interval.minutes(10))],
      { backgroundGates: [successRate] }));
    // Measurements every minute from t = 0; the third failure aborts at 3m, during the pause: 10% × 180 s = 18 s.
    expect(t.brokenFromStart).toMatchObject({ caught: true, bounded: true, abortAfterSeconds: 180, trafficSeconds: 18, peakWeight: 10 });
  });

  test('a pause before any traffic does not count against the exposure', () => {
    const check = gate('check', { interval: Interval.minutes(1), count: 3, failureLimit: 1 });
    const t = ReleaseTimeline.of(RolloutPlan.steps([Step.pause(), Step.setWeight(20), Step.analysis(check)]));
    // After the pause: measurements at 0, 1m, 2m of the analysis, all after the fault; the second aborts at 1m.
    expect(t.brokenFromStart).toMatchObject({ caught: true, bounded: true, abortAfterSeconds: 60, trafficSeconds: 12, peakWeight: 20 });
  });

  test('all at once without gates: the fault takes all traffic', () => {
    const t = ReleaseTimeline.of(RolloutPlan.allAtOnce());
    expect(t.fullTrafficAtSeconds).toBe(0);
    expect(t.brokenFromStart).toMatchObject({ caught: false, bounded: false, peakWeight: 100 });
  });

  test('Kubernetes blue/green never aborts by itself', () => {
    const t = ReleaseTimeline.of(designPlan, { engine: TimelineEngine.kubernetesBlueGreen() });
    expect(t.brokenFromStart).toMatchObject({ caught: false, bounded: false });
  });
});

describe('time to roll back per engine', () => {
  test('compares every engine by default', () => {
    const t = ReleaseTimeline.of(designPlan);
    const byName = Object.fromEntries(t.rollbacks.map((r) => [r.engine, r]));
    // success-rate: (failureLimit 2 + 1) × 1m = 3m; Flagger adds one interval
    expect(byName['Argo Rollouts']).toMatchObject({ automatic: true, detectionSeconds: 180, trafficRestoreSeconds: 0, totalSeconds: 180, scaleDownSeconds: 30 });
    expect(byName.Flagger).toMatchObject({ automatic: true, detectionSeconds: 240, totalSeconds: 240, scaleDownSeconds: 0 });
    expect(byName['Amazon ECS']).toMatchObject({ detectionSeconds: 180, totalSeconds: 180 });
    expect(byName['AWS CodeDeploy']).toMatchObject({ detectionSeconds: 180, totalSeconds: 180 });
    expect(byName['Kubernetes blue/green']).toMatchObject({ automatic: false, detectionSeconds: undefined, totalSeconds: undefined, scaleDownSeconds: undefined });
  });

  test('uses the fastest gate and the engine options', () => {
    const fast = gate('fast', { interval: Interval.seconds(20), failureLimit: 1 });
    const t = ReleaseTimeline.of(RolloutPlan.canary({ percent: 10, bake: Interval.minutes(10), gates: [fast, successRate] }), {
      compareEngines: [TimelineEngine.argoRollouts({ abortScaleDownDelay: Interval.minutes(5), trafficRestoreDelay: Interval.seconds(45) })],
    });
    expect(t.rollbacks).toEqual([expect.objectContaining({ engine: 'Argo Rollouts', detectionSeconds: 40, trafficRestoreSeconds: 45, totalSeconds: 85, scaleDownSeconds: 300 })]);
  });

  test('abortScaleDownDelay 0 keeps the canary pods', () => {
    expect(TimelineEngine.argoRollouts({ abortScaleDownDelay: Interval.seconds(0) }).scaleDownSeconds).toBeUndefined();
  });
});

describe('rendering', () => {
  test('the table lists every step and the summary figures', () => {
    const table = ReleaseTimeline.of(designPlan).toTable();
    expect(table).toContain('| 3 | analysis(success-rate) | 5m | 2m | 5% | success-rate |');
    expect(table).toContain('| - | promote | 27m | 0s | 100% | - |');
    expect(table).toContain('- Time to full rollout: 27m');
    expect(table).toContain('aborted by success-rate after 7m, all traffic back after 7m; peak 5% of traffic, 21 s of all traffic');
    expect(table).toContain('| Flagger | yes | 4m | 0s | 4m | 0s |');
  });

  test('the table says when time is unknown', () => {
    const plan = RolloutPlan.steps([Step.setWeight(10), Step.pause(), Step.setWeight(50), Step.bake(Interval.minutes(10))]);
    const table = ReleaseTimeline.of(plan).toTable();
    expect(table).toContain('| 2 | pause() | 0s | unknown (manual) | 10% | - |');
    expect(table).toContain('- Time to complete: unknown: at least 10m plus 1 step of unknown length');
    expect(table).toContain('- Time to full rollout: 10m + 1 manual wait');
  });

  test('the chart is a self-contained SVG with the weight line, the analysis, pauses and the abort', () => {
    const plan = RolloutPlan.steps([
      Step.setWeight(5), Step.bake(Interval.minutes(1)), Step.analysis(successRate), Step.pause(),
      Step.setWeight(50), Step.bake(Interval.minutes(10)),
    ]);
    const svg = ReleaseTimeline.of(plan).toSvg();
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg).not.toMatch(/<script|href="http|@import/);
    expect(svg).toContain('<polyline');
    expect(svg).toContain('manual ∞');
    expect(svg).toContain('abort at 3m if broken from the start (success-rate)');
    expect(svg).toContain('fill="#fde7b0"'); // the analysis band
  });

  test('the chart of a year-long plan has at most ten time ticks (it used to draw one every 2 days)', () => {
    const plan = RolloutPlan.steps([Step.setWeight(10), Step.bake(Interval.hours(8760)), Step.setWeight(50), Step.bake(Interval.hours(8760))]);
    const svg = ReleaseTimeline.of(plan).toSvg();
    const ticks = svg.match(/<text [^>]*text-anchor="middle"[^>]*>\d+h[^<]*<\/text>|>0s<\/text>/g) ?? [];
    expect(ticks.length).toBeLessThanOrEqual(11);
    expect(svg.length).toBeLessThan(20_000);
  });
});

describe('bad input', () => {
  test('fails when the plan is not a RolloutPlan', () => {
    expect(() => ReleaseTimeline.of({} as any)).toThrow("ReleaseTimeline.of(): invalid 'plan': must be a RolloutPlan, got {}");
  });

  test('fails when the engine is not a TimelineEngine', () => {
    expect(() => ReleaseTimeline.of(designPlan, { engine: 'argo' as any })).toThrow("ReleaseTimeline.of(): invalid 'engine': must be a TimelineEngine, got 'argo'");
  });

  test('fails when a compared engine is not a TimelineEngine', () => {
    expect(() => ReleaseTimeline.of(designPlan, { compareEngines: [TimelineEngine.ecs(), 3 as any] }))
      .toThrow("ReleaseTimeline.of(): invalid 'compareEngines[1]': must be a TimelineEngine, got 3");
  });

  test('fails when the worst case would have to try more than 100000 gate measurements', () => {
    const everySecond = gate('errors', { interval: Interval.seconds(1) });
    const plan = RolloutPlan.steps([Step.setWeight(10), Step.bake(Interval.hours(28))], { backgroundGates: [everySecond] });
    expect(() => ReleaseTimeline.of(plan)).toThrow("ReleaseTimeline.of(): invalid 'plan': must take at most 100000 gate measurements for the timeline to try every fault time (a gate measuring every minute for 69 days takes 100000), got 100801");
    const shorter = RolloutPlan.steps([Step.setWeight(10), Step.bake(Interval.hours(27))], { backgroundGates: [everySecond] });
    expect(ReleaseTimeline.of(shorter).brokenFromStart.detectedBy).toBe('errors');
  });

  test('fails when an engine delay is not an Interval', () => {
    expect(() => TimelineEngine.argoRollouts({ abortScaleDownDelay: 30 as any }))
      .toThrow("TimelineEngine.argoRollouts(): invalid 'abortScaleDownDelay': must be an Interval, got 30");
  });
});
