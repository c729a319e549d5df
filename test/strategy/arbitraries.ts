/**
 * fast-check generators for the shared release model. They generate plain descriptions (records that
 * print readably in a counterexample) and `build*` functions turn them into objects; building may throw,
 * which is what the properties check.
 *
 * Every field is mostly valid and sometimes an edge value (see `mostly`), so generated plans reach the
 * checks of later steps and of the engines.
 */
import { Token } from 'aws-cdk-lib';
import { Lazy } from 'cdk8s';
import * as fc from 'fast-check';
import {
  Gate, HeaderMatch, Interval, NoDataBehavior, RolloutPlan, Step, Threshold, TimelineEngine,
} from '../../src';
import { EDGE_STRINGS, edgeNumbers, mostly } from '../properties';

/** A cdk8s Lazy and an aws-cdk-lib number token: values the model cannot read when it is built. */
export const TOKEN_NUMBERS = fc.constantFrom<any>(Lazy.any({ produce: () => 5 }), Token.asNumber({ resolve: () => 5 }));

/** A whole number, usually from `min` to `max`, sometimes an edge value or a token. */
export function wholeNumber(min: number, max: number): fc.Arbitrary<number> {
  return mostly(fc.integer({ min, max }), edgeNumbers(min, max), TOKEN_NUMBERS);
}

/**
 * A percentage, usually from `min` to `max`: mostly whole, often a multiple of 0.1 (which Amazon ECS
 * takes and the other engines refuse), sometimes finer than 0.1, an edge value or a token.
 */
export function percentage(min: number, max: number): fc.Arbitrary<number> {
  const tenths = fc.integer({ min: Math.round(min * 10), max: Math.round(max * 10) }).map((t) => t / 10);
  const finer = fc.constantFrom(min + 0.05, 0.55, 12.34, 99.95, 0.1 + 0.2);
  const valid = fc.oneof({ weight: 3, arbitrary: fc.integer({ min, max }) }, { weight: 1, arbitrary: tenths });
  return mostly(valid, edgeNumbers(min, max), finer, TOKEN_NUMBERS);
}

export type IntervalDesc = { readonly unit: 'seconds' | 'minutes' | 'hours'; readonly amount: number } | { readonly parse: string };

export const intervalDesc: fc.Arbitrary<IntervalDesc> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ unit: fc.constantFrom('seconds' as const), amount: fc.integer({ min: 1, max: 900 }) }) },
  { weight: 6, arbitrary: fc.record({ unit: fc.constantFrom('minutes' as const), amount: fc.integer({ min: 1, max: 60 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({ unit: fc.constantFrom('hours' as const), amount: mostly(fc.integer({ min: 0, max: 8760 }), edgeNumbers(0, 8760), fc.double()) }),
  },
  { weight: 1, arbitrary: fc.record({ unit: fc.constantFrom('seconds' as const, 'minutes' as const), amount: fc.oneof(fc.double(), edgeNumbers(0, 525600), TOKEN_NUMBERS) }) },
  { weight: 1, arbitrary: fc.record({ parse: fc.oneof(fc.stringMatching(/^(\d{1,7}h)?(\d{1,4}m)?(\d{1,4}s)?$/), EDGE_STRINGS) }) },
);

export function buildInterval(d: IntervalDesc): Interval {
  return 'parse' in d ? Interval.parse(d.parse) : Interval[d.unit](d.amount);
}

export type ThresholdDesc = { readonly f: 'atLeast' | 'atMost'; readonly a: number } | { readonly f: 'between'; readonly a: number; readonly b: number };

const thresholdNumber = mostly(
  fc.double({ min: -1000, max: 1000, noNaN: true }), fc.constantFrom(NaN, Infinity, -Infinity, 1e300, -0), TOKEN_NUMBERS,
);
export const thresholdDesc: fc.Arbitrary<ThresholdDesc> = fc.oneof(
  fc.record({ f: fc.constantFrom('atLeast' as const, 'atMost' as const), a: thresholdNumber }),
  fc.record({ f: fc.constantFrom('between' as const), a: thresholdNumber, b: thresholdNumber }).map((d) => (d.a > d.b && d.a !== 0.5 ? { ...d, a: d.b, b: d.a } : d)),
);

export function buildThreshold(d: ThresholdDesc): Threshold {
  return d.f === 'between' ? Threshold.between(d.a, d.b) : Threshold[d.f](d.a);
}

/** A gate name: usually one of a few, so that plans reuse names (the same gate, or two gates with one name). */
const gateName = mostly(fc.constantFrom('success-rate', 'latency', 'errors'), EDGE_STRINGS, fc.string());

export interface GateDesc {
  readonly provider: 'prometheus' | 'datadog' | 'cloudWatch' | 'newRelic' | 'web' | 'job';
  readonly name: string;
  readonly threshold?: ThresholdDesc;
  readonly interval?: IntervalDesc;
  readonly count?: number;
  readonly failureLimit?: number;
  readonly initialDelay?: IntervalDesc;
  readonly onNoData?: NoDataBehavior;
  readonly text: string;
}

export const gateDesc: fc.Arbitrary<GateDesc> = fc.record({
  provider: fc.constantFrom('prometheus' as const, 'datadog' as const, 'cloudWatch' as const, 'newRelic' as const, 'web' as const, 'job' as const),
  name: gateName,
  threshold: fc.option(thresholdDesc, { nil: undefined, freq: 30 }),
  interval: fc.option(intervalDesc, { nil: undefined }),
  count: fc.option(wholeNumber(2, 10), { nil: undefined }),
  failureLimit: fc.option(mostly(fc.integer({ min: 0, max: 1 }), wholeNumber(0, 5)), { nil: undefined }),
  initialDelay: fc.option(intervalDesc, { nil: undefined, freq: 4 }),
  onNoData: fc.option(fc.constantFrom(NoDataBehavior.FAIL, NoDataBehavior.INCONCLUSIVE), { nil: undefined, freq: 3 }),
  text: mostly(fc.constantFrom('sum(rate(ok{pod=~"{{canaryPods}}"}[{{interval}}]))', 'avg(latency)', 'errors'), EDGE_STRINGS, fc.constantFrom('{{unknown}}', '{{ interval }}')),
}, { requiredKeys: ['provider', 'name', 'text'] });

export function buildGate(d: GateDesc): Gate {
  const common = {
    name: d.name,
    interval: d.interval && buildInterval(d.interval),
    count: d.count,
    failureLimit: d.failureLimit,
    initialDelay: d.initialDelay && buildInterval(d.initialDelay),
    onNoData: d.onNoData,
  };
  const threshold = d.threshold && buildThreshold(d.threshold);
  switch (d.provider) {
    case 'prometheus': return Gate.prometheus({ ...common, address: 'http://prometheus.monitoring:9090', query: d.text, threshold: threshold! });
    case 'datadog': return Gate.datadog({ ...common, query: d.text, threshold: threshold!, secretName: 'datadog' });
    case 'newRelic': return Gate.newRelic({ ...common, query: `SELECT count(*) AS value FROM Transaction WHERE x = '${d.text}'`, threshold: threshold!, secretName: 'newrelic' });
    case 'cloudWatch': return Gate.cloudWatch({
      ...common,
      threshold: threshold!,
      region: 'eu-west-1',
      metrics: [{ namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_Target_5XX_Count', statistic: 'Sum' }],
    });
    case 'web': return Gate.web({ ...common, url: `http://smoke.qa/run?q=${encodeURIComponent(d.text)}`, ...(threshold ? { jsonPath: '{$.failures}', threshold } : {}) });
    case 'job': return Gate.job({ ...common, image: 'registry.example.com/e2e:1.4', command: ['sh', '-c', d.text] });
  }
}

export interface HeaderMatchDesc {
  readonly f: 'exact' | 'prefix' | 'regex' | 'cookie';
  readonly header: string;
  readonly value: string;
}

export const headerMatchDesc: fc.Arbitrary<HeaderMatchDesc> = fc.record({
  f: fc.constantFrom('exact' as const, 'prefix' as const, 'regex' as const, 'cookie' as const),
  header: mostly(fc.constantFrom('x-canary', 'X-User-Group', 'canary'), EDGE_STRINGS, fc.string(), fc.constant(undefined as any)),
  value: mostly(fc.constantFrom('insider', '^beta-', 'always', 'a.b*'), EDGE_STRINGS, fc.string(), fc.constant(undefined as any),
    // JavaScript patterns the routers' RE2 engines refuse: lookaround and back-references.
    fc.constantFrom('(?=a)b', '(?!x)y', '(?<=a)b', '(a)\\1', '(?<n>a)\\k<n>', '[', 'a{2,1}')),
});

export function buildHeaderMatch(d: HeaderMatchDesc): HeaderMatch {
  return HeaderMatch[d.f](d.header, d.value);
}

export type StepDesc =
  | { readonly f: 'setWeight'; readonly weight: number; readonly allowDecrease?: boolean }
  | { readonly f: 'bake'; readonly duration: IntervalDesc }
  | { readonly f: 'pause' }
  | { readonly f: 'analysis'; readonly gates: GateDesc[] }
  | { readonly f: 'canaryScale'; readonly replicas?: number; readonly weight?: number; readonly matchTrafficWeight?: boolean }
  | { readonly f: 'headerRoute'; readonly name?: string; readonly match: HeaderMatchDesc[] }
  | { readonly f: 'mirror'; readonly percent: number; readonly name?: string; readonly match?: HeaderMatchDesc[] };

const routeName = fc.option(mostly(fc.constantFrom('header-route', 'beta', 'mirror-route'), EDGE_STRINGS), { nil: undefined });

export const stepDesc: fc.Arbitrary<StepDesc> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ f: fc.constant('setWeight' as const), weight: percentage(0, 100), allowDecrease: fc.option(fc.boolean(), { nil: undefined, freq: 4 }) }, { requiredKeys: ['f', 'weight'] }) },
  { weight: 6, arbitrary: fc.record({ f: fc.constant('bake' as const), duration: intervalDesc }) },
  { weight: 1, arbitrary: fc.record({ f: fc.constant('pause' as const) }) },
  { weight: 2, arbitrary: fc.record({ f: fc.constant('analysis' as const), gates: fc.array(gateDesc, { minLength: 0, maxLength: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ f: fc.constant('canaryScale' as const), replicas: fc.option(wholeNumber(0, 20), { nil: undefined }), weight: fc.option(wholeNumber(0, 100), { nil: undefined }), matchTrafficWeight: fc.option(fc.boolean(), { nil: undefined }) }, { requiredKeys: ['f'] }) },
  { weight: 1, arbitrary: fc.record({ f: fc.constant('headerRoute' as const), name: routeName, match: fc.array(headerMatchDesc, { minLength: 0, maxLength: 2 }) }, { requiredKeys: ['f', 'match'] }) },
  { weight: 1, arbitrary: fc.record({ f: fc.constant('mirror' as const), percent: percentage(1, 100), name: routeName, match: fc.option(fc.array(headerMatchDesc, { maxLength: 1 }), { nil: undefined }) }, { requiredKeys: ['f', 'percent'] }) },
);

export function buildStep(d: StepDesc): Step {
  switch (d.f) {
    case 'setWeight': return Step.setWeight(d.weight, d.allowDecrease === undefined ? undefined : { allowDecrease: d.allowDecrease });
    case 'bake': return Step.bake(buildInterval(d.duration));
    case 'pause': return Step.pause();
    case 'analysis': return Step.analysis(...d.gates.map(buildGate));
    case 'canaryScale': return Step.canaryScale({ replicas: d.replicas, weight: d.weight, matchTrafficWeight: d.matchTrafficWeight });
    case 'headerRoute': return Step.headerRoute({ name: d.name, match: d.match.map(buildHeaderMatch) });
    case 'mirror': return Step.mirror(d.percent, { name: d.name, match: d.match?.map(buildHeaderMatch) });
  }
}

export type PlanDesc =
  | { readonly f: 'allAtOnce' }
  | { readonly f: 'canary'; readonly percent: number; readonly bake: IntervalDesc; readonly gates: GateDesc[] }
  | { readonly f: 'linear'; readonly step: number; readonly every: IntervalDesc; readonly gates: GateDesc[] }
  | { readonly f: 'steps'; readonly steps: StepDesc[]; readonly backgroundGates: GateDesc[]; readonly backgroundStartStep?: number }
  | { readonly f: 'abTest'; readonly match: HeaderMatchDesc[]; readonly iterations: number; readonly every: IntervalDesc; readonly gates: GateDesc[] };

const backgroundGates = fc.array(gateDesc, { maxLength: 2 });

/**
 * Explicit steps; mostly with their weights sorted (and often as Flagger's pairs of one weight and
 * one bake of a shared length), so that most plans pass the plan's own checks and reach the engines'.
 */
const stepsPlan: fc.Arbitrary<PlanDesc> = fc.record({
  steps: fc.array(stepDesc, { minLength: 0, maxLength: 8 }),
  shape: fc.constantFrom('as generated', 'sorted', 'sorted', 'pairs', 'pairs'),
  bake: intervalDesc,
  backgroundGates,
  backgroundStartStep: fc.option(wholeNumber(0, 8), { nil: undefined, freq: 10 }),
}).map(({ steps, shape, bake, ...rest }) => {
  const weights = steps.filter((s) => s.f === 'setWeight').map((s: any) => s.weight as number);
  const sorted = [...weights].sort((a, b) => a - b);
  let k = 0;
  let out: StepDesc[] = shape === 'as generated' ? steps : steps.map((s) => (s.f === 'setWeight' ? { ...s, weight: sorted[k++] } : s));
  if (shape === 'pairs') {
    out = out.flatMap((s): StepDesc[] => (s.f === 'setWeight' ? [s, { f: 'bake', duration: bake }] : s.f === 'bake' ? [] : [s]));
  }
  return { f: 'steps' as const, steps: out, ...rest };
});

export const planDesc: fc.Arbitrary<PlanDesc> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ f: 'allAtOnce' as const }) },
  { weight: 3, arbitrary: fc.record({ f: fc.constant('canary' as const), percent: percentage(1, 99), bake: intervalDesc, gates: backgroundGates }) },
  { weight: 3, arbitrary: fc.record({ f: fc.constant('linear' as const), step: percentage(1, 99), every: intervalDesc, gates: backgroundGates }) },
  { weight: 8, arbitrary: stepsPlan },
  { weight: 2, arbitrary: fc.record({ f: fc.constant('abTest' as const), match: fc.array(headerMatchDesc, { maxLength: 2 }), iterations: wholeNumber(1, 1000), every: intervalDesc, gates: backgroundGates }) },
);

export function buildPlan(d: PlanDesc): RolloutPlan {
  switch (d.f) {
    case 'allAtOnce': return RolloutPlan.allAtOnce();
    case 'canary': return RolloutPlan.canary({ percent: d.percent, bake: buildInterval(d.bake), gates: d.gates.map(buildGate) });
    case 'linear': return RolloutPlan.linear({ step: d.step, every: buildInterval(d.every), gates: d.gates.map(buildGate) });
    case 'steps': return RolloutPlan.steps(d.steps.map(buildStep), {
      backgroundGates: d.backgroundGates.map(buildGate),
      backgroundStartStep: d.backgroundStartStep,
    });
    case 'abTest': return RolloutPlan.abTest({ match: d.match.map(buildHeaderMatch), iterations: d.iterations, every: buildInterval(d.every), gates: d.gates.map(buildGate) });
  }
}

export type TimelineEngineDesc = { readonly f: 'argoRollouts'; readonly delay?: IntervalDesc } | { readonly f: 'flagger' | 'ecs' | 'codeDeploy' | 'kubernetesBlueGreen'; readonly delay?: IntervalDesc };

export const timelineEngineDesc: fc.Arbitrary<TimelineEngineDesc> = fc.record({
  f: fc.constantFrom('argoRollouts' as const, 'flagger' as const, 'ecs' as const, 'codeDeploy' as const, 'kubernetesBlueGreen' as const),
  delay: fc.option(intervalDesc, { nil: undefined }),
}, { requiredKeys: ['f'] });

export function buildTimelineEngine(d: TimelineEngineDesc): TimelineEngine {
  const delay = d.delay && buildInterval(d.delay);
  return d.f === 'argoRollouts' ? TimelineEngine.argoRollouts({ abortScaleDownDelay: delay }) : (TimelineEngine as any)[d.f]({ trafficRestoreDelay: delay });
}
