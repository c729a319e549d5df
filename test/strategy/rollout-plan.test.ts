import { Gate, HeaderMatch, HttpMethod, Interval, MatchType, PlanKind, RolloutPlan, Step, StepKind, Threshold } from '../../src';

const gate = (name = 'success-rate', threshold = Threshold.atLeast(0.99)) => Gate.prometheus({
  name, address: 'http://prometheus:9090', query: 'sum(rate(ok[1m])) / sum(rate(all[1m]))', threshold,
});

test('allAtOnce moves all traffic in one step', () => {
  const plan = RolloutPlan.allAtOnce();
  expect(plan.kind).toBe(PlanKind.ALL_AT_ONCE);
  expect(plan.weights()).toEqual([100]);
});

test('canary is one weight and one bake', () => {
  const plan = RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5) });
  expect(plan.kind).toBe(PlanKind.CANARY);
  expect(plan.percent).toBe(10);
  expect(plan.interval?.toSeconds()).toBe(300);
  expect(plan.sequence.map(String)).toEqual(['setWeight(10)', 'bake(5m)']);
});

test('linear steps until the last step below 100', () => {
  const plan = RolloutPlan.linear({ step: 30, every: Interval.minutes(2) });
  expect(plan.kind).toBe(PlanKind.LINEAR);
  expect(plan.sequence.map(String)).toEqual(['setWeight(30)', 'bake(2m)', 'setWeight(60)', 'bake(2m)', 'setWeight(90)', 'bake(2m)']);
});

test('linear with 10% steps has nine weights', () => {
  expect(RolloutPlan.linear({ step: 10, every: Interval.minutes(1) }).weights()).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90]);
});

test('steps keep their order, kinds and gates', () => {
  const g = gate();
  const plan = RolloutPlan.steps([Step.setWeight(5), Step.bake(Interval.minutes(5)), Step.analysis(g), Step.setWeight(50), Step.pause()]);
  expect(plan.sequence.map((s) => s.kind)).toEqual([StepKind.SET_WEIGHT, StepKind.BAKE, StepKind.ANALYSIS, StepKind.SET_WEIGHT, StepKind.PAUSE]);
  expect(plan.gates()).toEqual([g]);
  expect(String(plan)).toBe('setWeight(5), bake(5m), analysis(success-rate), setWeight(50), pause()');
});

test('background gates start after the first step that sends traffic', () => {
  const steps = [Step.setWeight(0), Step.pause(), Step.setWeight(20), Step.bake(Interval.minutes(1))];
  const plan = RolloutPlan.steps(steps, { backgroundGates: [gate()] });
  expect(plan.backgroundStartStep).toBe(3);
  expect(RolloutPlan.canary({ percent: 10, bake: Interval.minutes(5), gates: [gate()] }).backgroundStartStep).toBe(1);
});

test('an explicit background start step is kept', () => {
  const plan = RolloutPlan.steps([Step.setWeight(20), Step.bake(Interval.minutes(1))], { backgroundGates: [gate()], backgroundStartStep: 0 });
  expect(plan.backgroundStartStep).toBe(0);
});

test('abTest routes matching requests for iterations × every', () => {
  const plan = RolloutPlan.abTest({ match: [HeaderMatch.exact('x-canary', 'insider')], iterations: 10, every: Interval.minutes(1) });
  expect(plan.kind).toBe(PlanKind.AB_TEST);
  expect(plan.iterations).toBe(10);
  const [route, bake] = plan.sequence;
  expect(route.kind).toBe(StepKind.HEADER_ROUTE);
  expect(route.match.map(String)).toEqual(["x-canary exact 'insider'"]);
  expect(bake.duration?.toSeconds()).toBe(600);
});

test('fails when an A/B test would last longer than the longest Interval', () => {
  const match = [HeaderMatch.exact('x-canary', 'insider')];
  expect(RolloutPlan.abTest({ match, iterations: 365, every: Interval.hours(24) }).sequence[1].toString()).toBe('bake(8760h)');
  expect(() => RolloutPlan.abTest({ match, iterations: 366, every: Interval.hours(24) }))
    .toThrow("RolloutPlan.abTest(): invalid 'iterations': must keep the test (iterations × every, 24h) at most 8760h (365 days), got 366");
});

test('fails when a weight goes down by just 1 without allowDecrease', () => {
  expect(() => RolloutPlan.steps([Step.setWeight(50), Step.bake(Interval.minutes(1)), Step.setWeight(49)]))
    .toThrow("RolloutPlan.steps(): invalid 'steps[2]': weights must not decrease (previous weight 50); pass { allowDecrease: true } to move traffic back on purpose, got 'setWeight(49)'");
  expect(RolloutPlan.steps([Step.setWeight(50), Step.setWeight(50)]).weights()).toEqual([50, 50]);
});

test('a weight may go down only when the step says so', () => {
  expect(() => RolloutPlan.steps([Step.setWeight(50), Step.setWeight(20)]))
    .toThrow("RolloutPlan.steps(): invalid 'steps[1]': weights must not decrease (previous weight 50); pass { allowDecrease: true } to move traffic back on purpose, got 'setWeight(20)'");
  expect(RolloutPlan.steps([Step.setWeight(50), Step.setWeight(20, { allowDecrease: true })]).weights()).toEqual([50, 20]);
});

test('fails on weights outside 0..100', () => {
  expect(() => Step.setWeight(101)).toThrow("Step.setWeight(): invalid 'weight': must be a multiple of 0.1 from 0 to 100, got 101");
  expect(() => Step.setWeight(-1)).toThrow("Step.setWeight(): invalid 'weight': must be a multiple of 0.1 from 0 to 100, got -1");
});

test('weights are multiples of 0.1, kept as the tenth the user gave', () => {
  expect(Step.setWeight(0.5).weight).toBe(0.5);
  expect(Step.setWeight(99.9).weight).toBe(99.9);
  // Floating-point error is not a finer weight: 0.1 + 0.2 is 0.30000000000000004, read back as 0.3.
  expect(Step.setWeight(0.1 + 0.2).weight).toBe(0.3);
  expect(Step.setWeight(0.5).toString()).toBe('setWeight(0.5)');
  expect(() => Step.setWeight(0.55)).toThrow("Step.setWeight(): invalid 'weight': must be a multiple of 0.1 from 0 to 100, got 0.55");
  expect(() => Step.setWeight(12.34)).toThrow("Step.setWeight(): invalid 'weight': must be a multiple of 0.1 from 0 to 100, got 12.34");
  expect(() => Step.setWeight(NaN)).toThrow("Step.setWeight(): invalid 'weight': must be a multiple of 0.1 from 0 to 100, got NaN");
});

test('fails on a canary percentage or linear step out of range or finer than 0.1', () => {
  expect(() => RolloutPlan.canary({ percent: 100, bake: Interval.minutes(1) }))
    .toThrow("RolloutPlan.canary(): invalid 'percent': must be a multiple of 0.1 from 0.1 to 99.9, got 100");
  expect(() => RolloutPlan.canary({ percent: 0.05, bake: Interval.minutes(1) }))
    .toThrow("RolloutPlan.canary(): invalid 'percent': must be a multiple of 0.1 from 0.1 to 99.9, got 0.05");
  expect(() => RolloutPlan.linear({ step: 2.25, every: Interval.minutes(1) }))
    .toThrow("RolloutPlan.linear(): invalid 'step': must be a multiple of 0.1 from 1 to 99.9, got 2.25");
  expect(() => RolloutPlan.linear({ step: 0.5, every: Interval.minutes(1) }))
    .toThrow("RolloutPlan.linear(): invalid 'step': must be a multiple of 0.1 from 1 to 99.9, got 0.5");
});

test('a fractional canary keeps its percentage', () => {
  const plan = RolloutPlan.canary({ percent: 0.5, bake: Interval.minutes(5) });
  expect(plan.percent).toBe(0.5);
  expect(plan.weights()).toEqual([0.5]);
});

test('a fractional linear plan adds its step in tenths, without floating-point drift', () => {
  const plan = RolloutPlan.linear({ step: 3.3, every: Interval.minutes(1) });
  expect(plan.percent).toBe(3.3);
  const weights = plan.weights();
  expect(weights.slice(0, 4)).toEqual([3.3, 6.6, 9.9, 13.2]);
  expect(weights).toHaveLength(30);
  expect(weights[29]).toBe(99);
  // Each weight is exactly the double of its one-decimal literal (9.9, not 9.899999999999999).
  expect(weights).toEqual(Array.from({ length: 30 }, (_, k) => Number(((k + 1) * 3.3).toFixed(1))));
});

test('fails on a zero bake', () => {
  expect(() => RolloutPlan.canary({ percent: 10, bake: Interval.seconds(0) }))
    .toThrow("RolloutPlan.canary(): invalid 'bake': must be longer than 0s, got 0s");
  expect(() => Step.bake(Interval.seconds(0))).toThrow("Step.bake(): invalid 'duration': must be longer than 0s, got 0s");
});

test('fails on an empty plan', () => {
  expect(() => RolloutPlan.steps([])).toThrow("RolloutPlan.steps(): invalid 'steps': must have at least one step, got []");
});

test('fails when one name is given to two different gates', () => {
  expect(() => RolloutPlan.steps([Step.setWeight(10), Step.analysis(gate('latency')), Step.setWeight(20), Step.analysis(gate('latency', Threshold.atLeast(0.5)))]))
    .toThrow("RolloutPlan.steps(): invalid 'gates': must not give one name to two different gates (metric names must be unique), got 'latency'");
});

test('the same gate may run at several steps', () => {
  const g = gate();
  expect(RolloutPlan.steps([Step.setWeight(10), Step.analysis(g), Step.setWeight(20), Step.analysis(g)]).gates()).toEqual([g]);
});

test('fails when an analysis step repeats a gate', () => {
  const g = gate();
  expect(() => Step.analysis(g, g)).toThrow("Step.analysis(): invalid 'gates': must not repeat a gate name, got 'success-rate'");
});

test('fails when an analysis step has no gate', () => {
  expect(() => Step.analysis()).toThrow("Step.analysis(): invalid 'gates': must name at least one gate, got []");
});

test('fails on a background start step outside the plan', () => {
  expect(() => RolloutPlan.steps([Step.setWeight(10)], { backgroundGates: [gate()], backgroundStartStep: 3 }))
    .toThrow("RolloutPlan.steps(): invalid 'backgroundStartStep': must be a whole number from 0 to 0, got 3");
});

test('fails on a background start step without background gates', () => {
  expect(() => RolloutPlan.steps([Step.setWeight(10)], { backgroundStartStep: 0 }))
    .toThrow("RolloutPlan.steps(): invalid 'backgroundStartStep': needs backgroundGates to start, got 0");
});

test('canary scale takes exactly one option', () => {
  expect(Step.canaryScale({ replicas: 2 }).scale).toEqual({ replicas: 2 });
  expect(() => Step.canaryScale({ replicas: 2, weight: 10 }))
    .toThrow("Step.canaryScale(): invalid 'options': must set exactly one of replicas, weight or matchTrafficWeight: true, got {\"replicas\":2,\"weight\":10}");
});

test('mirror steps take 0.1..100 percent in steps of 0.1', () => {
  expect(Step.mirror(20).weight).toBe(20);
  expect(Step.mirror(0.5).weight).toBe(0.5);
  expect(() => Step.mirror(0)).toThrow("Step.mirror(): invalid 'percent': must be a multiple of 0.1 from 0.1 to 100, got 0");
  expect(() => Step.mirror(1.25)).toThrow("Step.mirror(): invalid 'percent': must be a multiple of 0.1 from 0.1 to 100, got 1.25");
});

test('header matches', () => {
  expect(HeaderMatch.prefix('User-Agent', 'Mozilla')).toMatchObject({ header: 'user-agent', value: 'Mozilla', type: MatchType.PREFIX });
  expect(HeaderMatch.cookie('canary', 'always')).toMatchObject({ header: 'cookie', type: MatchType.REGEX, value: '^(.*?;\\s*)?(canary=always)(;.*)?$' });
  expect(new RegExp(HeaderMatch.cookie('canary', 'always').value).test('session=1; canary=always')).toBe(true);
  expect(new RegExp(HeaderMatch.cookie('canary', 'always').value).test('canary=alwaysnot')).toBe(false);
  expect(() => HeaderMatch.regex('x-user', '(')).toThrow("HeaderMatch.regex(): invalid 'pattern': must be a valid regular expression, got '('");
});

test('fails on regular expressions the routers cannot run (RE2 has no lookaround or back-references)', () => {
  const message = (p: string) => `HeaderMatch.regex(): invalid 'pattern': must be an RE2 regular expression (no lookahead, lookbehind or back-references), got '${p}'`;
  for (const p of ['(?=beta)b', '(?!x)y', '(?<=a)b', '(?<!a)b', '(a)\\1', '(?<n>a)\\k<n>']) expect(() => HeaderMatch.regex('x-user', p)).toThrow(message(p));
  expect(HeaderMatch.regex('x-user', '^(beta|canary)-[0-9]+$').value).toBe('^(beta|canary)-[0-9]+$');
});

test('fails on a cookie without a value instead of a TypeError', () => {
  expect(() => HeaderMatch.cookie('canary', undefined as any)).toThrow("HeaderMatch.cookie(): invalid 'value': must be a non-empty string, got nothing");
  expect(() => HeaderMatch.exact('bad header', 'x')).toThrow("HeaderMatch.exact(): invalid 'header': must be an HTTP header name, got 'bad header'");
});

test('mirror steps copy the safe methods by default; stopMirror is a mirror step with weight 0', () => {
  expect(Step.mirror(20).methods).toEqual(['GET', 'HEAD', 'OPTIONS']);
  const stop = Step.stopMirror({ name: 'reads' });
  expect([stop.kind, stop.weight, stop.routeName, stop.methods, String(stop)]).toEqual(['mirror', 0, 'reads', [], 'stopMirror(reads)']);
});

test('fails when a mirror step repeats a method or lists no paths', () => {
  expect(() => Step.mirror(20, { methods: [HttpMethod.GET, HttpMethod.GET] })).toThrow("Step.mirror(): invalid 'methods': must not repeat a method, got ['GET', 'GET']");
  expect(() => Step.mirror(20, { paths: [] })).toThrow("Step.mirror(): invalid 'paths': must list 1 to 8 PathMatch when given, got []");
});
